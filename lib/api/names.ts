import { z } from 'zod';

/** The names requests carry, checked the same way everywhere (the registry refuses others too). */

/** A strategy's name: snake_case, 2 to 63 characters (`hot_products`). */
export const STRATEGY_NAME = /^[a-z][a-z0-9_]{1,62}$/;

export const strategyNameSchema = z.string().regex(STRATEGY_NAME, { error: 'expected a strategy name such as hot_products' });

export const tagNameSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, { error: 'expected a tag such as catalog' });

export const isoDateSchema = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time such as 2026-11-22T10:00:00Z' });
