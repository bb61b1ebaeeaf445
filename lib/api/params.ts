import { z } from 'zod';

/** A run id in a path: a UUID. */
export const runIdParamsSchema = z.strictObject({
  id: z.uuid({ error: 'expected a run id (a UUID)' }),
});

/** A strategy name in a path. */
export const strategyParamsSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, { error: 'expected a strategy name such as hot_products' }),
});
