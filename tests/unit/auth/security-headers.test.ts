import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, securityHeaders } from '@/server/http/security-headers';

describe('the security headers', () => {
  it('allow scripts only from this origin or with the request’s nonce, never inline or eval', () => {
    const csp = contentSecurityPolicy('abc123', false);
    const scripts = csp.split('; ').find((d) => d.startsWith('script-src'))!;
    expect(scripts).toBe("script-src 'self' 'nonce-abc123'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(contentSecurityPolicy('abc123', true)).toContain('upgrade-insecure-requests');
  });

  it('send HSTS only when the public origin is https', () => {
    expect(securityHeaders(false)['strict-transport-security']).toBeUndefined();
    expect(securityHeaders(true)).toMatchObject({
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
    });
  });
});
