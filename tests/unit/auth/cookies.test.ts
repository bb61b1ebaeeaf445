import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, readCookie, sessionCookie, sessionSecret } from '@/server/auth/cookies';

describe('session cookies', () => {
  it('are HttpOnly, SameSite=Lax, for the whole app, and Secure only over HTTPS', () => {
    expect(sessionCookie('abc', { secure: false, maxAgeSeconds: 604800 })).toBe('kiln_session=abc; Path=/; Max-Age=604800; HttpOnly; SameSite=Lax');
    expect(sessionCookie('abc', { secure: true, maxAgeSeconds: 60 })).toBe('kiln_session=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure');
  });

  it('are cleared with an empty value that expires at once', () => {
    const cleared = clearedSessionCookie({ secure: true });
    expect(cleared.split('; ')).toEqual(['kiln_session=', 'Path=/', 'Max-Age=0', 'HttpOnly', 'SameSite=Lax', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'Secure']);
  });
});

describe('readCookie', () => {
  it('finds one cookie among several, by exact name', () => {
    const header = 'theme=dark; xkiln_session=wrong; kiln_session=s3cr3t-_; other=1';
    expect(readCookie(header, 'kiln_session')).toBe('s3cr3t-_');
    expect(readCookie(header, 'missing')).toBeUndefined();
    expect(readCookie(null, 'kiln_session')).toBeUndefined();
  });

  it('treats an empty session cookie as none', () => {
    expect(sessionSecret(new Request('http://x/', { headers: { cookie: 'kiln_session=' } }))).toBeUndefined();
    expect(sessionSecret(new Request('http://x/', { headers: { cookie: 'kiln_session=abc' } }))).toBe('abc');
  });
});
