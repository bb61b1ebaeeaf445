import 'server-only';

/** The request header that hands the CSP nonce to the root layout (its inline theme script). */
export const NONCE_HEADER = 'x-nonce';

/**
 * The Content-Security-Policy of every answer. Scripts: this origin's files and inline scripts
 * carrying this request's nonce (Next.js reads it from the request's CSP header and puts it on
 * its own scripts; the root layout puts it on the theme script); never 'unsafe-inline' or eval.
 * Styles keep 'unsafe-inline': charts set style attributes, which nonces cannot cover.
 */
export function contentSecurityPolicy(nonce: string, https: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** The other security headers of every answer; HSTS only when the public origin is https. */
export function securityHeaders(https: boolean): Record<string, string> {
  return {
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    'cross-origin-opener-policy': 'same-origin',
    ...(https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}
