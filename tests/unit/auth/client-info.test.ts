import { describe, expect, it } from 'vitest';
import { clientAddress, clientInfo } from '@/server/auth/client-info';

const from = (headers: Record<string, string>) => new Request('http://localhost/api/auth/login', { headers });

describe('clientAddress', () => {
  it('takes the first x-forwarded-for entry, then x-real-ip, else none', () => {
    expect(clientAddress(from({ 'x-forwarded-for': ' 203.0.113.7 , 10.0.0.1', 'x-real-ip': '10.9.9.9' }))).toBe('203.0.113.7');
    expect(clientAddress(from({ 'x-real-ip': '2001:db8::1' }))).toBe('2001:db8::1');
    expect(clientAddress(from({}))).toBeNull();
    expect(clientAddress(from({ 'x-forwarded-for': '' }))).toBeNull();
  });

  it('writes an IPv4 peer on a dual-stack socket (as next start reports it) in its plain form', () => {
    expect(clientAddress(from({ 'x-forwarded-for': '::ffff:127.0.0.1' }))).toBe('127.0.0.1');
    expect(clientAddress(from({ 'x-forwarded-for': '::ffff:abcd' }))).toBe('::ffff:abcd');
  });

  it('keeps at most 100 characters of a forged header, and 400 of a user agent', () => {
    const info = clientInfo(from({ 'x-forwarded-for': 'x'.repeat(500), 'user-agent': 'u'.repeat(1000) }));
    expect(info.ip).toHaveLength(100);
    expect(info.userAgent).toHaveLength(400);
  });
});
