import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { describe, expect, it } from 'vitest';
import { migrationsFolder } from '@/server/db/client';
import { useTestDatabase } from '../../support/db';

describe('upgrading to runs on pg-boss workers', () => {
  it('ends the runs the old machinery left running as abandoned, saying why, with the totals their strategies saved', async () => {
    const { database } = await useTestDatabase();
    const migration = readMigrationFiles({ migrationsFolder: migrationsFolder() }).find((m) => m.sql.some((s) => s.includes('Still running when Kiln was upgraded')));
    expect(migration).toBeDefined();
    const [old] = await database.rows<{ id: string }>(sql`
      insert into runs (trigger, triggered_by, scope, strategies, concurrency, owner, status, created_at)
      values ('schedule', 'Nightly', '{"all":true}', '{a,b}', 10, 'gone:42', 'running', now() - interval '5 minutes') returning id::text as id`);
    const [ended] = await database.rows<{ id: string }>(sql`
      insert into runs (trigger, triggered_by, scope, strategies, concurrency, owner, status, finished_at, total, warmed)
      values ('manual', 'x', '{"all":true}', '{a}', 10, 'h:1', 'succeeded', now(), 3, 3) returning id::text as id`);
    await database.rows(sql`
      insert into run_strategies (run_id, strategy, position, outcome, trigger, priority, ttl_seconds, total, warmed, skipped, failed, success_rate, started_at, finished_at, duration_ms)
      values (${old!.id}::uuid, 'a', 0, 'partial', 'schedule', 1, 60, 100, 90, 5, 5, 0.947, now(), now(), 1000)`);
    // The data step of the migration (its schema steps already ran when the test database was built).
    const update = migration!.sql.find((s) => s.includes('Still running when Kiln was upgraded'))!;
    await database.rows(sql.raw(update));
    const rows = await database.rows<{ id: string; status: string; error: string | null; total: number; warmed: number; skipped: number; failed: number; finished: boolean }>(sql`
      select id::text as id, status, error, total::int, warmed::int, skipped::int, failed::int, finished_at is not null as finished from runs order by created_at`);
    expect(rows.find((r) => r.id === old!.id)).toMatchObject({ status: 'abandoned', total: 100, warmed: 90, skipped: 5, failed: 5, finished: true });
    expect(rows.find((r) => r.id === old!.id)!.error).toMatch(/recorded by the previous machinery \(a process per run\)/);
    expect(rows.find((r) => r.id === ended!.id)).toMatchObject({ status: 'succeeded', total: 3, warmed: 3 });
  });
});
