import { describe, expect, it } from 'vitest';
import { RETENTION_POLICIES, effectiveDays, findPolicy, validatePolicyPatch } from '@/server/retention/policies';
import { addDays } from '@/server/retention/rollups';

describe('the retention policies', () => {
  it('have the defaults the issue asks for', () => {
    const days = effectiveDays({});
    expect(days).toMatchObject({
      runs: 400,
      run_failures: 30,
      schedule_fires: 30,
      audit_log: 400,
      cache_reads: 90,
      coverage_samples: 90,
      operator_sessions: 1,
      rate_limits: 1,
      job_archive: 7,
    });
    expect(findPolicy('runs')!.tables.map((t) => t.table)).toEqual(['runs', 'run_strategies', 'run_shards']);
    expect(findPolicy('job_archive')!.kind).toBe('job-engine');
  });

  it('are well formed: unique names, defaults inside their ranges, row policies name a table and an age column', () => {
    const names = RETENTION_POLICIES.map((p) => p.policy);
    expect(new Set(names).size).toBe(names.length);
    for (const p of RETENTION_POLICIES) {
      expect(p.minDays, p.policy).toBeGreaterThanOrEqual(1);
      expect(p.defaultDays, p.policy).toBeGreaterThanOrEqual(p.minDays);
      expect(p.defaultDays, p.policy).toBeLessThanOrEqual(p.maxDays);
      expect(p.tables.length, p.policy).toBeGreaterThan(0);
      if (p.kind === 'rows') {
        expect(p.table, p.policy).toMatch(/^[a-z_.]+$/);
        expect(p.column, p.policy).toMatch(/^[a-z_]+$/);
        expect(p.tables).toContainEqual({ table: p.table, column: p.column });
      }
    }
  });

  it('take an operator\u2019s days over the default, policy by policy', () => {
    const days = effectiveDays({ runs: 90, audit_log: 730 });
    expect(days.runs).toBe(90);
    expect(days.audit_log).toBe(730);
    expect(days.run_failures).toBe(30);
  });

  it('refuse an unknown policy, a fraction, a string and an out-of-range value, naming the field', () => {
    expect(validatePolicyPatch({ runs: 365, audit_log: 400 })).toEqual({ ok: true, value: { runs: 365, audit_log: 400 } });
    const refused = (patch: Record<string, unknown>) => {
      const result = validatePolicyPatch(patch);
      if (result.ok) throw new Error('accepted');
      return result.error;
    };
    expect(refused({ nope: 3 })).toMatchObject({ field: 'policies.nope' });
    expect(refused({ runs: 30.5 }).field).toBe('policies.runs');
    expect(refused({ runs: '30' }).message).toMatch(/whole number/);
    expect(refused({ runs: 6 }).message).toBe('policies.runs: expected between 7 and 3650 days');
    expect(refused({ run_failures: 0 }).field).toBe('policies.run_failures');
    expect(refused({ audit_log: 29 }).field).toBe('policies.audit_log');
    expect(refused({ runs: 3651 }).field).toBe('policies.runs');
    expect(refused({}).field).toBe('policies');
  });

  it('step calendar days across months and leap days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02-28', 31)).toBe('2024-03-30');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
  });
});
