import { describe, expect, it } from 'vitest';
import { ROLES, roleAtLeast } from '@/lib/api/auth';
import { idParamsSchema } from '@/lib/api/ids';
import { updateOperatorRequestSchema } from '@/lib/api/operators';
import { parseConfig } from '@/server/config';

describe('roleAtLeast', () => {
  it('orders viewer < operator < admin', () => {
    const table = ROLES.map((role) => ROLES.map((minimum) => roleAtLeast(role, minimum)));
    expect(table).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
  });
});

describe('idParamsSchema', () => {
  it('accepts positive whole numbers within Postgres integer range only', () => {
    expect(idParamsSchema.parse({ id: '42' })).toEqual({ id: 42 });
    expect(idParamsSchema.parse({ id: '2147483647' })).toEqual({ id: 2147483647 });
    for (const id of ['0', '-1', '1.5', '1e3', '007', 'abc', '', '2147483648', ' 1']) expect(idParamsSchema.safeParse({ id }).success, id).toBe(false);
  });
});

describe('updateOperatorRequestSchema', () => {
  it('needs at least one field', () => {
    expect(updateOperatorRequestSchema.safeParse({}).success).toBe(false);
    expect(updateOperatorRequestSchema.safeParse({ disabled: false }).success).toBe(true);
  });
});

describe('the initial admin configuration', () => {
  it('defaults the email, lower-cases a given one and leaves the password unset', () => {
    expect(parseConfig({}).initialAdmin).toEqual({ email: 'admin@kiln.local', password: undefined });
    expect(parseConfig({ KILN_ADMIN_EMAIL: 'Ops@Shop.example' }).initialAdmin.email).toBe('ops@shop.example');
  });

  it('refuses a malformed email and a password under 12 characters, naming both', () => {
    expect(() => parseConfig({ KILN_ADMIN_EMAIL: 'not-an-email', KILN_ADMIN_PASSWORD: 'short' })).toThrow(
      /KILN_ADMIN_EMAIL: expected an email address; KILN_ADMIN_PASSWORD: must be at least 12 characters/,
    );
  });
});
