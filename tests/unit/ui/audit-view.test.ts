import { describe, expect, it } from 'vitest';
import type { AuditEntryView } from '@/lib/api/audit';
import { auditChangeSummary, auditTargetHref, auditTargetText, auditToCsv } from '@/lib/ui/audit-view';

const entry = (o: Partial<AuditEntryView>): AuditEntryView => ({
  id: 1,
  at: '2026-11-22T04:20:00.000Z',
  actor: 'alice@example.com',
  actorRole: 'admin',
  action: 'strategy.update',
  target: 'strategy:hot_products',
  outcome: 'ok',
  before: null,
  after: null,
  ip: '127.0.0.1',
  userAgent: null,
  ...o,
});

describe('an audit row read without opening it', () => {
  it('links a target to where it lives, and names it in words', () => {
    const run = '3f2a9c1b-0000-4000-8000-000000000001';
    expect(auditTargetHref(`run:${run}`)).toBe(`/runs/${run}`);
    expect(auditTargetHref('schedule:4')).toBe('/schedules');
    expect(auditTargetHref('strategy:hot_products')).toBe('/settings');
    expect(auditTargetHref('operator:2')).toBe('/admin');
    expect(auditTargetHref('admin@kiln.local')).toBeNull();
    expect(auditTargetHref(null)).toBeNull();
    expect(auditTargetText(`run:${run}`)).toBe('run 3f2a9c1b');
    expect(auditTargetText('strategy:hot_products')).toBe('strategy Hot products');
    expect(auditTargetText('strategies:hot_products,sessions')).toBe('strategies Hot products, Sessions');
  });

  it('says which fields changed, from what to what', () => {
    expect(auditChangeSummary(entry({ before: { priority: 100, enabled: true, ttlSeconds: 7200 }, after: { priority: 80, enabled: false, ttlSeconds: 7200 } }))).toBe(
      'priority 100 → 80, enabled on → off',
    );
    expect(auditChangeSummary(entry({ before: { role: 'viewer' }, after: { role: 'viewer', passwordReset: true } }))).toBe('password reset');
    expect(auditChangeSummary(entry({ before: { role: 'viewer' }, after: { role: 'viewer', passwordReset: true, mustChangePassword: false } }))).toBe('password reset');
    expect(auditChangeSummary(entry({ before: { role: 'viewer' }, after: { role: 'viewer', passwordReset: true, mustChangePassword: true } }))).toBe(
      'password reset, to be changed at the next sign-in',
    );
    expect(auditChangeSummary(entry({ after: { email: 'bob@example.com', role: 'operator' } }))).toBe('email: bob@example.com, role: operator');
    expect(auditChangeSummary(entry({ before: { a: 1, b: 1, c: 1, d: 1, e: 1 }, after: { a: 2, b: 2, c: 2, d: 2, e: 2 } }))).toBe('a 1 → 2, b 1 → 2, c 1 → 2 and 2 more');
    expect(auditChangeSummary(entry({}))).toBeNull();
  });

  it('exports entries as CSV with what changed, quoting and defusing formulas', () => {
    const csv = auditToCsv([entry({ before: { priority: 100 }, after: { priority: 80 } }), entry({ id: 2, actor: '=cmd()', target: 'a,b' })]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('id,at,actor,actor_role,action,target,outcome,changed,ip,user_agent,before,after');
    expect(lines[1]).toBe('1,2026-11-22T04:20:00.000Z,alice@example.com,admin,strategy.update,strategy:hot_products,ok,priority 100 → 80,127.0.0.1,,"{""priority"":100}","{""priority"":80}"');
    expect(lines[2]).toContain(",'=cmd(),");
    expect(lines[2]).toContain(',"a,b",');
    expect(lines.at(-1)).toBe('');
  });
});
