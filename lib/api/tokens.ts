import { z } from 'zod';
import { tokenRoleSchema } from './auth';

const tokenNameSchema = z.string().trim().min(1, { error: 'is required' }).max(100, { error: 'must be at most 100 characters' });

export const MAX_TOKEN_DAYS = 3650;

export const apiTokenSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  /** The token's first characters, enough to tell tokens apart; never the whole token. */
  prefix: z.string(),
  role: tokenRoleSchema,
  createdBy: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiTokenView = z.infer<typeof apiTokenSchema>;

export const apiTokenListSchema = z.object({ tokens: z.array(apiTokenSchema) });
export const apiTokenResponseSchema = z.object({ token: apiTokenSchema });

export const createTokenRequestSchema = z.strictObject({
  name: tokenNameSchema,
  role: tokenRoleSchema,
  /** Omit for a token that does not expire. */
  expiresInDays: z
    .number()
    .int()
    .min(1, { error: 'must be at least 1' })
    .max(MAX_TOKEN_DAYS, { error: `must be at most ${MAX_TOKEN_DAYS}` })
    .optional(),
});
export type CreateTokenRequest = z.infer<typeof createTokenRequestSchema>;

/** The only answer that carries the token itself: it is stored hashed and cannot be shown again. */
export const createTokenResponseSchema = z.object({ token: apiTokenSchema, secret: z.string() });
export type CreateTokenResponse = z.infer<typeof createTokenResponseSchema>;

export const updateTokenRequestSchema = z.strictObject({ name: tokenNameSchema });
export type UpdateTokenRequest = z.infer<typeof updateTokenRequestSchema>;
