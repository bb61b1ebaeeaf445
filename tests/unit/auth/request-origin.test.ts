import { describe, expect, it } from 'vitest';
import { checkSameOrigin, isHttpsRequest, isStateChanging, requestHost } from '@/server/auth/request-origin';

const at = (url: string, headers: Record<string, string> = {}) => new Request(url, { method: 'POST', headers });

describe('checkSameOrigin', () => {
  it('accepts an Origin naming the host the request was sent to', () => {
    expect(checkSameOrigin(at('http://localhost:3000/api/runs', { origin: 'http://localhost:3000' }))).toEqual({ ok: true });
    expect(checkSameOrigin(at('http://kiln.internal/api/runs', { host: 'kiln.internal', origin: 'http://KILN.internal' }))).toEqual({ ok: true });
  });

  it('refuses another host, another port, a look-alike suffix and the opaque "null" origin', () => {
    for (const origin of ['https://evil.example', 'http://localhost:4000', 'http://localhost:3000.evil.example', 'null']) {
      expect(checkSameOrigin(at('http://localhost:3000/api/runs', { origin })).ok, origin).toBe(false);
    }
  });

  it('falls back to the Referer without an Origin, and refuses a request with neither', () => {
    expect(checkSameOrigin(at('http://localhost:3000/x', { referer: 'http://localhost:3000/runs?page=2' })).ok).toBe(true);
    expect(checkSameOrigin(at('http://localhost:3000/x', { referer: 'https://evil.example/' })).ok).toBe(false);
    const neither = checkSameOrigin(at('http://localhost:3000/x'));
    expect(neither).toEqual({ ok: false, reason: 'no Origin or Referer header' });
  });

  it('prefers Origin over Referer when both are sent', () => {
    expect(checkSameOrigin(at('http://localhost:3000/x', { origin: 'https://evil.example', referer: 'http://localhost:3000/' })).ok).toBe(false);
  });

  it('compares with the host a proxy forwarded, not the one it connected to', () => {
    const proxied = (origin: string) =>
      at('http://127.0.0.1:3000/api/runs', { host: '127.0.0.1:3000', 'x-forwarded-host': 'kiln.example.com', 'x-forwarded-proto': 'https', origin });
    expect(checkSameOrigin(proxied('https://kiln.example.com')).ok).toBe(true);
    expect(checkSameOrigin(proxied('http://127.0.0.1:3000')).ok).toBe(false);
  });
});

describe('requestHost and isHttpsRequest', () => {
  it('take the first entry of a forwarded list', () => {
    const request = at('http://10.0.0.5/x', { 'x-forwarded-host': 'kiln.example.com, inner.proxy', 'x-forwarded-proto': 'https,http' });
    expect(requestHost(request)).toBe('kiln.example.com');
    expect(isHttpsRequest(request)).toBe(true);
  });

  it('use the URL when no header says otherwise', () => {
    expect(requestHost(new Request('https://kiln.example.com:8443/x'))).toBe('kiln.example.com:8443');
    expect(isHttpsRequest(new Request('https://kiln.example.com/x'))).toBe(true);
    expect(isHttpsRequest(new Request('http://localhost/x'))).toBe(false);
    expect(isHttpsRequest(new Request('https://kiln.example.com/x', { headers: { 'x-forwarded-proto': 'http' } }))).toBe(false);
  });
});

describe('isStateChanging', () => {
  it('is true for POST, PUT, PATCH and DELETE only', () => {
    expect(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE', 'post'].map(isStateChanging)).toEqual([false, false, false, true, true, true, true, true]);
  });
});
