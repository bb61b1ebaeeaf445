import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { alertIncidents, alertSilences, changeStreamState, runs } from '@/server/db/schema';
import { alertScenario, insertRun, openIncidents } from '../../support/alert-scenario';
import { useTestDatabase } from '../../support/db';
import { startTestRuntime } from '../../support/runtime';

describe('periodic alert rules against a real webhook receiver', () => {
  it('a late run is judged against the p95 of its own governor profile, and its incident closes when it ends', async () => {
    const { database } = await useTestDatabase();
    const runtime = await startTestRuntime(database, { env: { KILN_ALERT_RETRY_SECONDS: '1', KILN_ALERT_LATE_FACTOR: '2' } });
    const alerts = await alertScenario(database, runtime);
    // History: fixed runs take 1 s, gentle ones (yielding to the shop) 60 s. Mixed, the p95 is 60 s.
    for (let i = 0; i < 4; i++) {
      await insertRun(database, { profile: 'fixed', status: 'succeeded', ageMs: 3_600_000 + i * 60_000, durationMs: 1000 });
      await insertRun(database, { profile: 'gentle', status: 'succeeded', ageMs: 3_600_000 + i * 60_000, durationMs: 60_000 });
    }
    // Runs recorded before the governor have no profile in their plan: they count as fixed.
    await insertRun(database, { status: 'succeeded', ageMs: 7_200_000, durationMs: 1000 });
    const fixedRun = await insertRun(database, { profile: 'fixed', ageMs: 10_000 });
    const gentleRun = await insertRun(database, { profile: 'gentle', ageMs: 10_000 });

    await alerts.tick();
    const first = await alerts.next(1);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ event: 'incident.opened', rule: 'run_late', subject: `run:${fixedRun}`, runId: fixedRun, strategy: 'fake', severity: 'warning' });
    expect(String(first[0]!.text)).toContain('recent fixed runs');
    expect(await openIncidents(database)).toEqual([{ rule: 'run_late', subject: `run:${fixedRun}` }]);

    // 10 s is nothing for a gentle run (2 × 60 s); 130 s is late.
    await database.db.update(runs).set({ createdAt: new Date(Date.now() - 130_000) }).where(eq(runs.id, gentleRun));
    await alerts.tick();
    const second = await alerts.next(1);
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({ event: 'incident.opened', rule: 'run_late', runId: gentleRun });
    expect(String(second[0]!.text)).toContain('recent gentle runs');

    await database.db.update(runs).set({ status: 'succeeded', finishedAt: new Date(), durationMs: 12_000 }).where(eq(runs.id, fixedRun));
    await alerts.tick();
    const third = await alerts.next(1);
    expect(third).toHaveLength(1);
    expect(third[0]).toMatchObject({ event: 'incident.resolved', rule: 'run_late', runId: fixedRun, incidentId: first[0]!.incidentId });
    expect(await openIncidents(database)).toEqual([{ rule: 'run_late', subject: `run:${gentleRun}` }]);
  });

  it('a failed, lagging or silent change-stream consumer opens one incident each time, and streaming again closes it', async () => {
    const { database } = await useTestDatabase();
    const runtime = await startTestRuntime(database, { env: { KILN_ALERT_RETRY_SECONDS: '1', KILN_SLOT_MAX_RETAINED_MB: '10', KILN_ALERT_DOWN_SECONDS: '30' } });
    const alerts = await alertScenario(database, runtime);
    // What the consumer that holds the stream reports (default: streaming, within bounds, just now).
    const report = (state: Partial<typeof changeStreamState.$inferInsert>) => {
      const row = { mode: 'logical', state: 'streaming', slot: 'kiln_changes', lagBytes: 0, lastError: null, updatedAt: new Date(), ...state };
      return database.db.insert(changeStreamState).values({ id: 1, ...row }).onConflictDoUpdate({ target: changeStreamState.id, set: row });
    };

    await report({});
    await alerts.tick();
    expect(await alerts.next(0)).toEqual([]);

    // The consumer failed.
    await report({ state: 'failed', lastError: 'replication slot "kiln_changes" does not exist' });
    await alerts.tick();
    await alerts.tick();
    const failed = await alerts.next(1);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ event: 'incident.opened', rule: 'change_stream', subject: 'change-stream' });
    expect(String(failed[0]!.text)).toContain('does not exist');
    await report({});
    await alerts.tick();
    expect(await alerts.next(1)).toMatchObject([{ event: 'incident.resolved', rule: 'change_stream', incidentId: failed[0]!.incidentId }]);

    // Its slot retains more than half the limit (10 MB).
    await report({ lagBytes: 6 * 1024 * 1024 });
    await alerts.tick();
    const lagging = await alerts.next(1);
    expect(lagging).toMatchObject([{ event: 'incident.opened', rule: 'change_stream' }]);
    expect(String(lagging[0]!.text)).toContain('retains 6 MB');
    await report({ lagBytes: 1024 });
    await alerts.tick();
    expect(await alerts.next(1)).toMatchObject([{ event: 'incident.resolved', rule: 'change_stream' }]);

    // Nobody has reported it for two minutes: its consumer is dead.
    await report({ updatedAt: new Date(Date.now() - 120_000) });
    await alerts.tick();
    const dead = await alerts.next(1);
    expect(dead).toMatchObject([{ event: 'incident.opened', rule: 'change_stream' }]);
    expect(String(dead[0]!.text)).toContain('its consumer is dead');
    await report({});
    await alerts.tick();
    expect(await alerts.next(1)).toMatchObject([{ event: 'incident.resolved', rule: 'change_stream' }]);
    const incidents = await database.rows<{ n: number }>(sql`select count(*)::int as n from alert_incidents where rule = 'change_stream' and status = 'closed'`);
    expect(incidents).toEqual([{ n: 3 }]);
  });

  it('reminds of an open incident every N hours, not more often, not while silenced, and not after it closed', async () => {
    const { database } = await useTestDatabase();
    const runtime = await startTestRuntime(database, { env: { KILN_ALERT_RETRY_SECONDS: '1', KILN_ALERT_REMIND_HOURS: '2' } });
    const alerts = await alertScenario(database, runtime);
    await database.db.insert(changeStreamState).values({ id: 1, mode: 'triggers', state: 'failed', lastError: 'trigger table missing' });
    await alerts.tick();
    const opened = await alerts.next(1);
    expect(opened).toMatchObject([{ event: 'incident.opened', rule: 'change_stream' }]);
    const incidentId = Number(opened[0]!.incidentId);
    // Under two hours since the last message: no reminder.
    await database.db.update(alertIncidents).set({ lastNotifiedAt: new Date(Date.now() - 110 * 60_000) }).where(eq(alertIncidents.id, incidentId));
    await alerts.tick();
    expect(await alerts.next(0)).toEqual([]);

    // Two hours and more: one reminder, then again two hours later.
    await database.db.update(alertIncidents).set({ lastNotifiedAt: new Date(Date.now() - 121 * 60_000) }).where(eq(alertIncidents.id, incidentId));
    await alerts.tick();
    await alerts.tick();
    const reminder = await alerts.next(1);
    expect(reminder).toHaveLength(1);
    expect(reminder[0]).toMatchObject({ event: 'incident.reminder', rule: 'change_stream', incidentId });
    expect(String(reminder[0]!.title)).toMatch(/^Still open: /);
    expect(reminder[0]!.eventId).not.toBe(opened[0]!.eventId);

    // Silenced (maintenance): due, but nothing is sent.
    await database.db.insert(alertSilences).values({ rule: 'change_stream', until: new Date(Date.now() + 3_600_000), createdBy: 'test' });
    await database.db.update(alertIncidents).set({ lastNotifiedAt: new Date(Date.now() - 121 * 60_000) }).where(eq(alertIncidents.id, incidentId));
    await alerts.tick();
    expect(await alerts.next(0)).toEqual([]);
    await database.db.delete(alertSilences);
    await alerts.tick();
    expect(await alerts.next(1)).toMatchObject([{ event: 'incident.reminder', incidentId }]);

    await database.db.update(changeStreamState).set({ state: 'streaming', lastError: null, updatedAt: new Date() });
    await alerts.tick();
    expect(await alerts.next(1)).toMatchObject([{ event: 'incident.resolved', incidentId }]);
    await database.db.update(alertIncidents).set({ lastNotifiedAt: new Date(Date.now() - 5 * 3_600_000) }).where(eq(alertIncidents.id, incidentId));
    await alerts.tick();
    expect(await alerts.next(0)).toEqual([]);
  });
});
