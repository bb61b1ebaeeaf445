import { beforeAll, describe, expect, it } from 'vitest';
import { clientInfo } from '@/server/auth/client-info';
import { parseConfig } from '@/server/config';
import { type EdgeSettings, PEER_HEADER, normalizeAddress, resolveEdge, trustPeerHeader } from '@/server/http/edge';

const settings = (env: Record<string, string> = {}): EdgeSettings => parseConfig(env).edge;
const from = (peer: string | null, headers: Record<string, string> = {}) =>
  new Request('http://localhost/api/auth/login', { headers: { ...(peer ? { [PEER_HEADER]: peer } : {}), ...headers } });

beforeAll(() => trustPeerHeader());

describe('the client address', () => {
  it('is the connection peer, whatever X-Forwarded-For or X-Real-IP a client sends', () => {
    const edge = resolveEdge(from('198.51.100.7', { 'x-forwarded-for': '203.0.113.1', 'x-real-ip': '203.0.113.2' }), settings());
    expect(edge).toMatchObject({ ip: '198.51.100.7', viaProxy: false });
  });

  it('is the right-most untrusted X-Forwarded-For entry when the peer is a trusted proxy', () => {
    const trusted = settings({ KILN_TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.1' });
    // The client prepended a made-up address; the proxies appended what they saw.
    const request = from('10.0.0.2', { 'x-forwarded-for': '1.2.3.4, 203.0.113.9, 192.168.1.1' });
    expect(resolveEdge(request, trusted)).toMatchObject({ ip: '203.0.113.9', viaProxy: true });
    // Every hop trusted: the furthest one is the best there is.
    expect(resolveEdge(from('10.0.0.2', { 'x-forwarded-for': '10.1.1.1' }), trusted).ip).toBe('10.1.1.1');
    // No header: the proxy itself.
    expect(resolveEdge(from('10.0.0.2'), trusted).ip).toBe('10.0.0.2');
    // Garbage where an address should be stops the walk at the last trusted hop.
    expect(resolveEdge(from('10.0.0.2', { 'x-forwarded-for': 'not-an-ip, 192.168.1.1' }), trusted).ip).toBe('192.168.1.1');
  });

  it('is unknown when the process does not run behind Kiln’s HTTP server (the peer header could be anyone’s)', () => {
    const marker = globalThis as { __kilnPeerHeader?: boolean };
    marker.__kilnPeerHeader = false;
    try {
      expect(resolveEdge(from('198.51.100.7'), settings()).ip).toBeNull();
    } finally {
      trustPeerHeader();
    }
  });

  it('writes addresses in their plain form and refuses what is not one', () => {
    expect(normalizeAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeAddress('[2001:DB8::1]:443')).toBe('2001:db8::1');
    expect(normalizeAddress('192.0.2.1:8080')).toBe('192.0.2.1');
    expect(normalizeAddress('x'.repeat(500))).toBeNull();
    expect(normalizeAddress('evil.example')).toBeNull();
  });

  it('keeps at most 200 characters of a user agent', () => {
    const request = from('192.0.2.1', { 'user-agent': 'u'.repeat(1000) });
    resolveEdge(request, settings());
    expect(clientInfo(request)).toMatchObject({ ip: '192.0.2.1', userAgent: 'u'.repeat(200) });
  });
});

describe('the public origin', () => {
  it('is KILN_PUBLIC_URL when set, whatever the request says', () => {
    const edge = resolveEdge(from('10.0.0.2', { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' }), settings({ KILN_PUBLIC_URL: 'https://kiln.example.com' }));
    expect(edge).toMatchObject({ origin: 'https://kiln.example.com', proto: 'https' });
  });

  it('takes X-Forwarded-Host and -Proto only from a trusted proxy', () => {
    const headers = { host: '127.0.0.1:3000', 'x-forwarded-host': 'kiln.example.com', 'x-forwarded-proto': 'https' };
    expect(resolveEdge(from('198.51.100.7', headers), settings()).origin).toBe('http://127.0.0.1:3000');
    expect(resolveEdge(from('10.0.0.2', headers), settings({ KILN_TRUSTED_PROXIES: '10.0.0.0/8' })).origin).toBe('https://kiln.example.com');
  });
});

describe('KILN_TRUSTED_PROXIES and KILN_PUBLIC_URL', () => {
  it('refuse what is not an address, a CIDR block or an origin', () => {
    expect(() => parseConfig({ KILN_TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/KILN_TRUSTED_PROXIES/);
    expect(() => parseConfig({ KILN_TRUSTED_PROXIES: 'proxy.internal' })).toThrow(/KILN_TRUSTED_PROXIES/);
    expect(() => parseConfig({ KILN_PUBLIC_URL: 'https://kiln.example.com/app' })).toThrow(/KILN_PUBLIC_URL/);
    expect(() => parseConfig({ KILN_PUBLIC_URL: 'ftp://kiln.example.com' })).toThrow(/KILN_PUBLIC_URL/);
    expect(parseConfig({ KILN_TRUSTED_PROXIES: 'fd00::/8,127.0.0.1', KILN_PUBLIC_URL: 'https://Kiln.Example.com:443/' }).edge).toEqual({
      trustedProxies: [
        { address: 'fd00::', prefix: 8, family: 'ipv6' },
        { address: '127.0.0.1', prefix: 32, family: 'ipv4' },
      ],
      publicOrigin: 'https://kiln.example.com',
    });
  });
});
