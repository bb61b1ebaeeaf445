import { z } from 'zod';

/** Operators' roles, weakest first: each one may do everything the ones before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export const roleSchema = z.enum(ROLES, { error: "expected 'viewer', 'operator' or 'admin'" });
export type Role = z.infer<typeof roleSchema>;

/**
 * API tokens may also have `shop_reader`: the shop's read API (/api/shop/*) and nothing else. It
 * sits below viewer, so every route that needs viewer or more refuses it; operators never have it
 * (they could not sign in as one: the database refuses such an operator).
 */
export const TOKEN_ROLES = ['shop_reader', ...ROLES] as const;
export const tokenRoleSchema = z.enum(TOKEN_ROLES, { error: "expected 'shop_reader', 'viewer', 'operator' or 'admin'" });
export type AccessRole = z.infer<typeof tokenRoleSchema>;

/** Whether `role` may do what `minimum` may (the dashboard uses it to hide what would be refused). */
export function roleAtLeast(role: AccessRole, minimum: AccessRole): boolean {
  return TOKEN_ROLES.indexOf(role) >= TOKEN_ROLES.indexOf(minimum);
}

/** The weaker of two roles: a token acts with at most its creator's current role. */
export function weakerRole(a: AccessRole, b: AccessRole): AccessRole {
  return roleAtLeast(a, b) ? b : a;
}

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** A new password: long enough to resist guessing, short enough that hashing it stays cheap. */
export const newPasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, { error: `must be at least ${MIN_PASSWORD_LENGTH} characters` })
  .max(MAX_PASSWORD_LENGTH, { error: `must be at most ${MAX_PASSWORD_LENGTH} characters` });

/** Emails are compared lower-cased (the operators table refuses anything else). */
export const emailSchema = z
  .string()
  .trim()
  .max(254, { error: 'must be at most 254 characters' })
  .pipe(z.email({ error: 'expected an email address' }))
  .transform((v) => v.toLowerCase());

export const loginRequestSchema = z.strictObject({
  // Not checked as an email here: a malformed address gets the same answer as a wrong password.
  email: z.string().trim().min(1, { error: 'is required' }).max(254, { error: 'must be at most 254 characters' }),
  password: z.string().min(1, { error: 'is required' }).max(MAX_PASSWORD_LENGTH, { error: `must be at most ${MAX_PASSWORD_LENGTH} characters` }),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const signedInOperatorSchema = z.object({
  id: z.number().int(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  /** Set when the password was generated: the next page is the password change. */
  mustChangePassword: z.boolean().optional(),
});
export const loginResponseSchema = z.object({ operator: signedInOperatorSchema });
export type LoginResponse = z.infer<typeof loginResponseSchema>;

/** Who a request acts for: a signed-in operator (label = email) or an API token (label = its name). */
export const actorSchema = z.object({
  kind: z.enum(['operator', 'token']),
  id: z.number().int(),
  label: z.string(),
  role: tokenRoleSchema,
  /** An operator still on a generated password: everything but changing it is refused. */
  mustChangePassword: z.boolean().optional(),
});
export type Actor = z.infer<typeof actorSchema>;
export const meResponseSchema = z.object({ actor: actorSchema });
export type MeResponse = z.infer<typeof meResponseSchema>;

export const changePasswordRequestSchema = z.strictObject({
  currentPassword: z.string().min(1, { error: 'is required' }).max(MAX_PASSWORD_LENGTH, { error: `must be at most ${MAX_PASSWORD_LENGTH} characters` }),
  newPassword: newPasswordSchema,
});
export type ChangePasswordRequest = z.infer<typeof changePasswordRequestSchema>;
