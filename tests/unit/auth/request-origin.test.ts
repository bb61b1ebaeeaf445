import { beforeAll, describe, expect, it } from 'vitest';
import { checkSameOrigin, isHttpsRequest, isStateChanging } from '@/server/auth/request-origin';
import { parseConfig } from '@/server/config';
import { PEER_HEADER, resolveEdge, trustPeerHeader } from '@/server/http/edge';

beforeAll(() => trustPeerHeader());

/** A POST as Kiln's HTTP server hands it on (peer 192.0.2.10 unless given), with its edge resolved. */
const at = (url: string, headers: Record<string, string> = {}, env: Record<string, string> = {}) => {
  const request = new Request(url, { method: 'POST', headers: { [PEER_HEADER]: '192.0.2.10', host: new URL(url).host, ...headers } });
  resolveEdge(request, parseConfig(env).edge);
  return request;
};

describe('checkSameOrigin', () => {
  it('accepts an Origin naming the host the request was sent to', () => {
    expect(checkSameOrigin(at('http://localhost:3000/api/runs', { origin: 'http://localhost:3000' }))).toEqual({ ok: true });
    expect(checkSameOrigin(at('http://kiln.internal/api/runs', { origin: 'http://KILN.internal' }))).toEqual({ ok: true });
  });

  it('refuses another host, another port, another scheme, a look-alike suffix and the opaque "null" origin', () => {
    for (const origin of ['https://evil.example', 'http://localhost:4000', 'https://localhost:3000', 'http://localhost:3000.evil.example', 'null']) {
      expect(checkSameOrigin(at('http://localhost:3000/api/runs', { origin })).ok, origin).toBe(false);
    }
  });

  it('falls back to the Referer without an Origin, and refuses a request with neither', () => {
    expect(checkSameOrigin(at('http://localhost:3000/x', { referer: 'http://localhost:3000/runs?page=2' })).ok).toBe(true);
    expect(checkSameOrigin(at('http://localhost:3000/x', { referer: 'https://evil.example/' })).ok).toBe(false);
    expect(checkSameOrigin(at('http://localhost:3000/x'))).toEqual({ ok: false, reason: 'no Origin or Referer header' });
  });

  it('prefers Origin over Referer when both are sent', () => {
    expect(checkSameOrigin(at('http://localhost:3000/x', { origin: 'https://evil.example', referer: 'http://localhost:3000/' })).ok).toBe(false);
  });

  it('believes no X-Forwarded-Host from a client: evil.example naming itself there is still refused', () => {
    const attack = at('http://localhost:3000/api/runs', { origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    expect(checkSameOrigin(attack).ok).toBe(false);
  });

  it('compares with the origin a trusted proxy forwarded, scheme included', () => {
    const proxied = (origin: string) =>
      at('http://127.0.0.1:3000/api/runs', { [PEER_HEADER]: '10.0.0.2', 'x-forwarded-host': 'kiln.example.com', 'x-forwarded-proto': 'https', origin }, { KILN_TRUSTED_PROXIES: '10.0.0.0/8' });
    expect(checkSameOrigin(proxied('https://kiln.example.com')).ok).toBe(true);
    expect(checkSameOrigin(proxied('http://kiln.example.com')).ok).toBe(false);
    expect(checkSameOrigin(proxied('http://127.0.0.1:3000')).ok).toBe(false);
  });

  it('compares with KILN_PUBLIC_URL when it is set', () => {
    const env = { KILN_PUBLIC_URL: 'https://kiln.example.com' };
    expect(checkSameOrigin(at('http://127.0.0.1:3000/x', { origin: 'https://kiln.example.com' }, env)).ok).toBe(true);
    expect(checkSameOrigin(at('http://127.0.0.1:3000/x', { origin: 'http://127.0.0.1:3000' }, env)).ok).toBe(false);
  });

  it('quotes at most 100 characters of a bad Origin', () => {
    const check = checkSameOrigin(at('http://localhost:3000/x', { origin: `https://${'a'.repeat(5000)}.example` }));
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason.length).toBeLessThan(160);
  });
});

describe('isHttpsRequest', () => {
  it('is the public origin’s scheme: a client’s X-Forwarded-Proto is not enough', () => {
    expect(isHttpsRequest(at('http://localhost/x', { 'x-forwarded-proto': 'https' }))).toBe(false);
    expect(isHttpsRequest(at('http://localhost/x', {}, { KILN_PUBLIC_URL: 'https://kiln.example.com' }))).toBe(true);
    expect(isHttpsRequest(at('http://localhost/x', { [PEER_HEADER]: '10.0.0.2', 'x-forwarded-proto': 'https' }, { KILN_TRUSTED_PROXIES: '10.0.0.0/8' }))).toBe(true);
  });
});

describe('isStateChanging', () => {
  it('is true for POST, PUT, PATCH and DELETE only', () => {
    expect(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE', 'post'].map(isStateChanging)).toEqual([false, false, false, true, true, true, true, true]);
  });
});
