import { expect, test as base } from '@playwright/test';

export { expect };
export type { APIRequestContext, Page } from '@playwright/test';

/**
 * Playwright's `test`, with one more rule for every page of every spec: the browser must report
 * no Content-Security-Policy violation. Chromium logs each one to the console ("Refused to execute
 * inline script because it violates the following Content Security Policy directive...") and fires
 * a `securitypolicyviolation` event; either fails the test when it ends, quoting what was refused.
 */
export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on('console', (message) => {
        const text = message.text();
        if (/Content Security Policy|Content-Security-Policy/i.test(text)) violations.push(`console: ${text}`);
      });
      await page.exposeFunction('__kilnCspViolation', (text: string) => violations.push(`event: ${text}`));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (event) => {
          (window as unknown as { __kilnCspViolation: (text: string) => void }).__kilnCspViolation(
            `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} in ${event.sourceFile}:${event.lineNumber}`,
          );
        });
      });
      await use(violations);
      expect(violations, 'Content-Security-Policy violations in the browser').toEqual([]);
    },
    { auto: true },
  ],
});
