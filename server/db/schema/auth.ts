// Operators, their sign-in sessions, API tokens and the shared sign-in rate limiter.
// (No 'server-only' import: drizzle-kit loads this file.)
import { sql } from 'drizzle-orm';
import { check, index, integer, pgEnum, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true });

export const operatorRole = pgEnum('operator_role', ['viewer', 'operator', 'admin']);

export const operators = pgTable(
  'operators',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    email: text('email').notNull().unique(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: operatorRole('role').notNull().default('viewer'),
    disabledAt: tz('disabled_at'),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    lastLoginAt: tz('last_login_at'),
  },
  (t) => [check('operators_email_lowercase', sql`${t.email} = lower(${t.email})`)],
);

/** Sign-in sessions; the id is a SHA-256 of the cookie's secret, never the secret itself. */
export const operatorSessions = pgTable(
  'operator_sessions',
  {
    id: text('id').primaryKey(),
    operatorId: integer('operator_id')
      .notNull()
      .references(() => operators.id, { onDelete: 'cascade' }),
    createdAt: tz('created_at').notNull().defaultNow(),
    expiresAt: tz('expires_at').notNull(),
    lastSeenAt: tz('last_seen_at').notNull().defaultNow(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('operator_sessions_operator_idx').on(t.operatorId)],
);

export const apiTokens = pgTable('api_tokens', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  name: text('name').notNull(),
  /** The first characters of the token, shown so an admin can tell tokens apart. */
  prefix: text('prefix').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  role: operatorRole('role').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: tz('created_at').notNull().defaultNow(),
  lastUsedAt: tz('last_used_at'),
  expiresAt: tz('expires_at'),
  revokedAt: tz('revoked_at'),
});

/** Fixed-window counters shared by every process (sign-in attempts per account and per address). */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: tz('window_start').notNull(),
  count: integer('count').notNull(),
});

export type Operator = typeof operators.$inferSelect;
export type OperatorRole = (typeof operatorRole.enumValues)[number];
export type ApiToken = typeof apiTokens.$inferSelect;
