import { z } from 'zod';

export const AUDIT_OUTCOMES = ['ok', 'denied', 'error'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

const instant = z.iso
  .datetime({ offset: true, error: 'expected an ISO 8601 date-time such as 2026-01-31T12:00:00Z' })
  .transform((v) => new Date(v));

/** GET /api/audit's query. `action` ending in `.*` matches a family (`auth.*`). */
export const auditQuerySchema = z
  .strictObject({
    actor: z.string().min(1).max(300).optional(),
    action: z
      .string()
      .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?$/, { error: 'expected a dotted action name such as auth.login, or a family such as auth.*' })
      .optional(),
    outcome: z.enum(AUDIT_OUTCOMES, { error: "expected 'ok', 'denied' or 'error'" }).optional(),
    from: instant.optional(),
    to: instant.optional(),
    cursor: z.string().max(200).optional(),
    limit: z
      .string()
      .regex(/^\d+$/, { error: 'expected a whole number from 1 to 200' })
      .transform(Number)
      .pipe(z.number().min(1, { error: 'must be at least 1' }).max(200, { error: 'must be at most 200' }))
      .optional(),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { error: 'must be after from', path: ['to'] });
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  actorRole: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  outcome: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export type AuditEntryView = z.infer<typeof auditEntrySchema>;

/** One page, newest first; `nextCursor` fetches the page after it (null on the last page). */
export const auditPageSchema = z.object({ entries: z.array(auditEntrySchema), nextCursor: z.string().nullable() });
export type AuditPage = z.infer<typeof auditPageSchema>;
