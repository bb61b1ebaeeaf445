import { z } from 'zod';

/** A path segment naming a row by its integer id (Postgres `integer`: 1 to 2147483647). */
export const idParamsSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[1-9]\d{0,9}$/, { error: 'expected a positive whole number' })
    .transform(Number)
    .pipe(z.number().max(2147483647, { error: 'must be at most 2147483647' })),
});
