import 'server-only';
import type { ReadFamily } from '@/lib/api/effect';
import type { Database } from '../db/client';

/** What a context read may use: the database, the moment of the read, a strategy's options in force. */
export type ReadContext = {
  database: Database;
  now: Date;
  optionsOf: (strategy: string) => Promise<Record<string, unknown>>;
};

/**
 * One read the shop makes, as its bounded context defines it: the key (the same one its strategy
 * warms), the family it counts under, and how to load the value on a miss (the same context read
 * the strategy uses). `load` returns null when there is nothing (no such row): the read path then
 * answers 404 and caches nothing.
 */
export type ShopRead = {
  family: ReadFamily;
  key: string;
  load: (ctx: ReadContext) => Promise<string | null>;
};
