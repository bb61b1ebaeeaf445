import { z } from 'zod';
import { strategyNameSchema } from './names';

/** A run id in a path: a UUID. */
export const runIdParamsSchema = z.strictObject({
  id: z.uuid({ error: 'expected a run id (a UUID)' }),
});

/** A strategy name in a path. */
export const strategyParamsSchema = z.strictObject({
  name: strategyNameSchema,
});
