// Operators, their sign-in sessions, API tokens and the shared sign-in rate limiter.
// (No 'server-only' import: drizzle-kit loads this file.)
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgEnum, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true });

// `shop_reader` is for API tokens only (the shop's read API and nothing else): operators_role_not_token_only keeps it off operators.
export const operatorRole = pgEnum('operator_role', ['viewer', 'operator', 'admin', 'shop_reader']);

export const operators = pgTable(
  'operators',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    email: text('email').notNull().unique(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: operatorRole('role').$type<'viewer' | 'operator' | 'admin'>().notNull().default('viewer'),
    disabledAt: tz('disabled_at'),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    lastLoginAt: tz('last_login_at'),
    /** Set for the first admin's generated password: every request but the password change is refused until then. */
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    /** Bumped by every change: an edit sent with a stale one (If-Match) is refused with 412. */
    version: integer('version').notNull().default(1),
  },
  (t) => [
    check('operators_email_lowercase', sql`${t.email} = lower(${t.email})`),
    // Compared as text: a value added to an enum cannot be used in the transaction that adds it.
    check('operators_role_not_token_only', sql`${t.role}::text <> 'shop_reader'`),
  ],
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
  /** Who created it, as the audit log names them (kept when that operator is gone). */
  createdBy: text('created_by').notNull(),
  /**
   * The operator behind the token (for a token made with another token: that token's operator).
   * The token acts with at most this operator's current role, and not at all once they are
   * disabled or removed (null).
   */
  createdByOperatorId: integer('created_by_operator_id').references(() => operators.id, { onDelete: 'set null' }),
  createdAt: tz('created_at').notNull().defaultNow(),
  lastUsedAt: tz('last_used_at'),
  expiresAt: tz('expires_at'),
  revokedAt: tz('revoked_at'),
});

/**
 * Fixed-window counters shared by every process (failed sign-ins per account, address and pair;
 * changes per operator). A row outlives its window by nothing: expired rows are swept every minute.
 */
export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text('key').primaryKey(),
    windowStart: tz('window_start').notNull(),
    count: integer('count').notNull(),
    expiresAt: tz('expires_at').notNull().default(sql`now()`),
  },
  (t) => [index('rate_limits_expires_idx').on(t.expiresAt)],
);

export type Operator = typeof operators.$inferSelect;
export type OperatorRole = (typeof operatorRole.enumValues)[number];
export type ApiToken = typeof apiTokens.$inferSelect;
