import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/server/db/client';
import { sessionsStrategy } from '@/server/contexts/identity/sessions-strategy';
import { useTestDatabase } from '../../support/db';
import { allKeys, keyBatches, strategyContext, useSharedShopDatabase } from '../../support/strategy-context';

const shop = useSharedShopDatabase();

type UserRow = { id: number; name: string; email: string; activeAt: number | null };
type SessionRow = { id: string; userId: number; cart: unknown; createdAt: number; lastSeenAt: number; expiresAt: number };

const ms = (column: string) => sql.raw(`(extract(epoch from ${column}) * 1000)::float8`);

async function readUsers(database: Database): Promise<UserRow[]> {
  const rows = await database.rows<{ id: number; name: string; email: string; active_ms: number | null }>(
    sql`select id, name, email, ${ms('last_active_at')} as active_ms from shop_users`,
  );
  return rows.map((r) => ({ id: r.id, name: r.name, email: r.email, activeAt: r.active_ms }));
}

async function readSessions(database: Database): Promise<SessionRow[]> {
  const rows = await database.rows<{ id: string; user_id: number; cart: unknown; created_ms: number; seen_ms: number; expires_ms: number }>(sql`
    select id::text as id, user_id, cart, ${ms('created_at')} as created_ms, ${ms('last_seen_at')} as seen_ms, ${ms('expires_at')} as expires_ms
    from shop_sessions`);
  return rows.map((r) => ({ id: r.id, userId: r.user_id, cart: r.cart, createdAt: r.created_ms, lastSeenAt: r.seen_ms, expiresAt: r.expires_ms }));
}

let users: UserRow[];
let sessions: SessionRow[];

beforeAll(async () => {
  users = await readUsers(shop().database);
  sessions = await readSessions(shop().database);
});

const isActive = (user: UserRow, now: Date, minutes: number) =>
  user.activeAt !== null && user.activeAt > now.getTime() - minutes * 60_000 && user.activeAt <= now.getTime();
const liveSessionsOf = (userId: number, now: Date) => sessions.filter((s) => s.userId === userId && s.expiresAt > now.getTime());

function expectedKeys(now: Date, minutes = 60): string[] {
  return users
    .filter((u) => isActive(u, now, minutes) && liveSessionsOf(u.id, now).length > 0)
    .map((u) => `User:session:${u.id}`);
}

describe('the sessions strategy', () => {
  it('warms the users active in the last hour who hold a live session', async () => {
    const { database, seedNow } = shop();
    const expected = expectedKeys(seedNow);
    const active = users.filter((u) => isActive(u, seedNow, 60));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(active.length); // some active users have no live session

    const ctx = strategyContext(sessionsStrategy, database, { now: seedNow });
    const keys = await allKeys(sessionsStrategy, ctx);
    expect(keys).toHaveLength(expected.length);
    expect(new Set(keys)).toEqual(new Set(expected));
  });

  it('takes the activity window from its options', async () => {
    const { database, seedNow } = shop();
    const ctx = strategyContext(sessionsStrategy, database, { now: seedNow, options: { activeWithinMinutes: 15 } });
    const keys = await allKeys(sessionsStrategy, ctx);
    expect(new Set(keys)).toEqual(new Set(expectedKeys(seedNow, 15)));
    expect(keys.length).toBeLessThan(expectedKeys(seedNow).length);
    expect(sessionsStrategy.optionsSchema.parse({})).toEqual({ activeWithinMinutes: 60 });
    expect(() => sessionsStrategy.optionsSchema.parse({ activeWithinMinutes: 1441 })).toThrow();
  });

  it('yields its keys in batches of the batch size', async () => {
    const { database, seedNow } = shop();
    const expected = expectedKeys(seedNow);
    const batches = await keyBatches(sessionsStrategy, strategyContext(sessionsStrategy, database, { now: seedNow, batchSize: 5 }));
    expect(batches.every((b) => b.length <= 5)).toBe(true);
    expect(batches).toHaveLength(Math.ceil(expected.length / 5));
    expect(new Set(batches.flat())).toEqual(new Set(expected));
  });

  it('loads the user, the session and its cart', async () => {
    const { database, seedNow } = shop();
    const ctx = strategyContext(sessionsStrategy, database, { now: seedNow });
    const keys = expectedKeys(seedNow).slice(0, 5);
    const withItems = sessions.find((s) => s.expiresAt > seedNow.getTime() && (s.cart as { items: unknown[] }).items.length > 0)!;
    keys.push(`User:session:${withItems.userId}`);
    for (const key of keys) {
      const userId = Number(key.split(':')[2]);
      const user = users.find((u) => u.id === userId)!;
      const [session] = liveSessionsOf(userId, seedNow);
      const value = JSON.parse((await sessionsStrategy.load(key, ctx))!);
      expect(value).toEqual({
        userId,
        user: { id: userId, name: user.name, email: user.email },
        session: {
          id: session!.id,
          createdAt: new Date(session!.createdAt).toISOString(),
          lastSeenAt: new Date(session!.lastSeenAt).toISOString(),
          expiresAt: new Date(session!.expiresAt).toISOString(),
        },
        cart: session!.cart,
      });
    }
  });

  it('picks the live session seen last when a user holds several', async () => {
    const { database, seedNow } = await useTestDatabase({ shop: true });
    const ctx = strategyContext(sessionsStrategy, database, { now: seedNow });
    const at = (minutes: number) => seedNow.getTime() + minutes * 60_000;
    // A warmed user whose own session was last seen over a minute ago, so the ones added below are later.
    const userId = expectedKeys(seedNow)
      .map((key) => Number(key.split(':')[2]))
      .find((id) => liveSessionsOf(id, seedNow).every((s) => s.lastSeenAt < at(-1)))!;
    const iso = (minutes: number) => new Date(at(minutes)).toISOString();
    await database.rows(sql`
      insert into shop_sessions (id, user_id, cart, created_at, last_seen_at, expires_at) values
        ('00000000-0000-4000-8000-000000000001', ${userId}, '{"items":[],"currency":"EUR"}', ${iso(-3000)}::timestamptz, ${iso(-0.5)}::timestamptz, ${iso(120)}::timestamptz),
        ('00000000-0000-4000-8000-000000000002', ${userId}, '{"items":[],"currency":"EUR"}', ${iso(-30)}::timestamptz, ${iso(0)}::timestamptz, ${iso(0)}::timestamptz)`);
    // 0002 was seen last but expires exactly now: not live. 0001 was created before the user's own
    // session (opened within the last three hours) but seen after it: last seen wins.
    const value = JSON.parse((await sessionsStrategy.load(`User:session:${userId}`, ctx))!);
    expect(value.session.id).toBe('00000000-0000-4000-8000-000000000001');
    expect(await allKeys(sessionsStrategy, ctx)).toContain(`User:session:${userId}`);
  });

  it('has no data for a user without a live session, or no such user', async () => {
    const { database, seedNow } = shop();
    const ctx = strategyContext(sessionsStrategy, database, { now: seedNow });
    const expired = sessions.find((s) => s.expiresAt <= seedNow.getTime() && liveSessionsOf(s.userId, seedNow).length === 0)!;
    const activeWithout = users.find((u) => isActive(u, seedNow, 60) && liveSessionsOf(u.id, seedNow).length === 0)!;
    expect(await sessionsStrategy.load(`User:session:${expired.userId}`, ctx)).toBeNull();
    expect(await sessionsStrategy.load(`User:session:${activeWithout.id}`, ctx)).toBeNull();
    expect(await sessionsStrategy.load('User:session:999999', ctx)).toBeNull();
  });

  it('loads a batch in the order of its keys, with null where there is no live session', async () => {
    const { database, seedNow } = shop();
    const ctx = strategyContext(sessionsStrategy, database, { now: seedNow });
    const [a, b] = expectedKeys(seedNow);
    const without = users.find((u) => liveSessionsOf(u.id, seedNow).length === 0)!;
    const batch = [b!, `User:session:${without.id}`, a!, 'User:session:999999', b!];
    const values = await sessionsStrategy.loadMany!(batch, ctx);
    expect(values.map((v) => (v === null ? null : JSON.parse(v).userId))).toEqual([
      Number(b!.split(':')[2]),
      null,
      Number(a!.split(':')[2]),
      null,
      Number(b!.split(':')[2]),
    ]);
    for (const [i, key] of batch.entries()) expect(values[i]).toBe(await sessionsStrategy.load(key, ctx));
  });

  it('throws on a malformed key, naming it', async () => {
    const { database, seedNow } = shop();
    const ctx = strategyContext(sessionsStrategy, database, { now: seedNow });
    for (const key of ['User:session:', 'User:session:abc', 'user:session:1', 'User:id:1']) {
      await expect(sessionsStrategy.load(key, ctx)).rejects.toThrow(`"${key}"`);
      await expect(sessionsStrategy.loadMany!([key], ctx)).rejects.toThrow(`"${key}"`);
    }
  });
});
