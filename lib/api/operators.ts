import { z } from 'zod';
import { emailSchema, newPasswordSchema, roleSchema } from './auth';

const nameSchema = z.string().trim().min(1, { error: 'is required' }).max(100, { error: 'must be at most 100 characters' });

export const operatorSchema = z.object({
  id: z.number().int(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastLoginAt: z.string().nullable(),
  /** Bumped by every change; send it back as If-Match to edit this view of the operator. */
  version: z.number().int(),
});
export type OperatorView = z.infer<typeof operatorSchema>;

export const operatorListSchema = z.object({ operators: z.array(operatorSchema) });
export type OperatorList = z.infer<typeof operatorListSchema>;
export const operatorResponseSchema = z.object({ operator: operatorSchema });

export const createOperatorRequestSchema = z.strictObject({
  email: emailSchema,
  name: nameSchema,
  role: roleSchema,
  password: newPasswordSchema,
});
export type CreateOperatorRequest = z.infer<typeof createOperatorRequestSchema>;

/**
 * Every field optional, at least one present; `password` is an admin's reset of it, and
 * `mustChangePassword: true` beside it makes the operator choose their own at the next sign-in.
 */
export const updateOperatorRequestSchema = z
  .strictObject({
    name: nameSchema.optional(),
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
    password: newPasswordSchema.optional(),
    mustChangePassword: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { error: 'send at least one of name, role, disabled, password' })
  .refine((v) => v.mustChangePassword === undefined || v.password !== undefined, {
    error: 'is only accepted with password (it applies to the password an admin sets)',
    path: ['mustChangePassword'],
  });
export type UpdateOperatorRequest = z.infer<typeof updateOperatorRequestSchema>;
