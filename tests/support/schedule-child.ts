// A stand-in Kiln process for the scheduler's multi-process tests: a warmer over fake shop
// strategies and a schedule runner on an accelerated test clock (the command-line flags below are
// this test script's, not Kiln's), reporting on stdout as JSON lines. It opens the database, says
// "ready", and starts on a "start" command, so that several children can start at the same moment.
// Commands (JSON lines on stdin): {"cmd":"start"}, {"cmd":"update","id":1,"patch":{...}}, {"cmd":"stop"}.
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { MemoryCache } from '@/server/cache/memory-cache';
import { parseConfig } from '@/server/config';
import { openPostgres } from '@/server/db/client';
import { buildRuntime } from '@/server/runtime';
import { ensureDefaultSchedules } from '@/server/scheduling/default-schedules';
import { ScheduleRunner } from '@/server/scheduling/schedule-runner';
import { updateSchedule } from '@/server/scheduling/update-schedule';
import { acceleratedClock } from './accelerated-clock';
import { shopStrategies } from './shop-strategies';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    'seconds-per-minute': { type: 'string', default: '3' },
    origin: { type: 'string' },
    'poll-ms': { type: 'string', default: '5000' },
    'delay-ms': { type: 'string', default: '0' },
    defaults: { type: 'boolean', default: false },
    'no-runner': { type: 'boolean', default: false },
  },
});
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ ...event, pid: process.pid, at: Date.now() })}\n`);

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const database = await openPostgres(values.db!, 4);
const runtime = await buildRuntime({
  mode: 'test',
  config: parseConfig({ DATABASE_URL: values.db! }),
  logger,
  database,
  cache: new MemoryCache({ maxBytes: 8 * 1024 * 1024 }),
  strategies: shopStrategies({ delayMs: Number(values['delay-ms']) }),
});
const { warmer, registry } = runtime;
const clock = acceleratedClock({ secondsPerMinute: Number(values['seconds-per-minute']), origin: new Date(values.origin ?? '1970-01-01T00:00:00Z') });
const runner = new ScheduleRunner(
  { database, warmer, logger, clock },
  {
    pollIntervalMs: Number(values['poll-ms']),
    observer: (event) => {
      if (event.type === 'loaded') say({ event: 'loaded', schedules: event.schedules, now: clock.now().toISOString() });
      else say({ event: 'fire', ...event.report, slotAt: event.report.slotAt.toISOString() });
    },
  },
);
const context = { database, registry, defaultTimezone: 'UTC' };

async function start() {
  if (values.defaults) say({ event: 'defaults', ...(await ensureDefaultSchedules(context)) });
  if (!values['no-runner']) {
    await runner.start();
    say({ event: 'started', now: runner.startedAt!.toISOString() });
  }
}

async function stop() {
  await runner.stop();
  await runtime.stop();
  await database.close();
  say({ event: 'stopped' });
  process.exit(0);
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as { cmd: string; id?: number; patch?: unknown };
  const done = (promise: Promise<unknown>) => promise.catch((error: unknown) => say({ event: 'error', cmd: command.cmd, message: (error as Error).message }));
  if (command.cmd === 'start') void done(start());
  if (command.cmd === 'stop') void done(stop());
  if (command.cmd === 'update') {
    void done(
      updateSchedule(context, command.id!, command.patch, `child-${process.pid}`).then(async ({ after }) => {
        say({ event: 'updated', cron: after!.cron, now: clock.now().toISOString() });
        await runner.refresh();
      }),
    );
  }
});
say({ event: 'ready', owner: warmer.owner });
