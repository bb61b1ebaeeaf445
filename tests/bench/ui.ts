// npm run bench:ui [-- --loads 5 --days 365]
//
// How long the overview and the history page take, in Chromium against the built app on
// localhost, from navigation start until their charts are drawn, over a year of history: one run
// every 30 minutes for each strategy (about 87,600 runs). Prints one JSON line per measurement
// and a summary; the median of `--loads` loads after one warm-up load. Also the API calls each
// page makes, by server time, so a slow page names its slow endpoint.
// A database of its own on the local Postgres and a Redis prefix of its own, removed at the end.
import { parseArgs } from 'node:util';
import { type Page, chromium } from '@playwright/test';
import postgres from 'postgres';
import { ensureBuild } from '@/server/cli/build.mjs';
import { deleteKeysWithPrefix } from '../support/redis';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type AppProcess, startApp } from '../support/app-process';
import { TEST_DATABASE_URL, databaseUrl } from '../support/env';
import { print, round } from './support';
import { seedRunHistory } from './ui/seed-history';

const { values } = parseArgs({ options: { loads: { type: 'string', default: '5' }, days: { type: 'string', default: '365' } } });
const LOADS = Number(values.loads);
const TARGET_MS = 1500;
const name = `kiln_bench_ui_${Date.now().toString(36)}`;
const prefix = `kiln-bench-ui:${Date.now().toString(36)}:`;

type Measure = { label: string; path: string; ready: string };

// Drawn: no loading placeholder left, and the page's charts have their SVG paths.
const NOTHING_LOADING = `document.querySelectorAll('[role="status"] .animate-pulse').length === 0`;
const PAGES: Measure[] = [
  { label: 'overview', path: '/', ready: `${NOTHING_LOADING} && document.querySelectorAll('[data-chart="sparkline"] path').length >= 5 && !!document.querySelector('[data-testid="count-products"]')` },
  ...['24h', '7d', '30d'].map((range) => ({
    label: `history ${range}`,
    path: `/history?range=${range}`,
    ready: `${NOTHING_LOADING} && document.querySelectorAll('[data-testid="chart-success-rate"] .recharts-line-curve').length >= 5 && document.querySelectorAll('[data-testid="chart-duration"] .recharts-line-curve').length >= 10 && document.querySelectorAll('[data-testid="chart-keys-warmed"] .recharts-bar-rectangle').length > 0 && document.querySelectorAll('[data-testid="runs-table"] tbody tr').length > 0`,
  })),
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

type Phases = { document: number; scripts: number; firstApi: number; lastApi: number };

/**
 * Where a load's time went (ms from navigation start, the browser's own resource timings): the
 * document received, the last script received, the first API call sent (the page's code ran
 * and asked), the last API answer received; the rest until `ready` is rendering.
 */
const PHASES = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const scripts = resources.filter((e) => e.initiatorType === 'script');
  const api = resources.filter((e) => new URL(e.name).pathname.startsWith('/api/'));
  return {
    document: Math.round(nav ? nav.responseEnd : 0),
    scripts: Math.round(Math.max(0, ...scripts.map((e) => e.responseEnd))),
    firstApi: Math.round(api.length ? Math.min(...api.map((e) => e.startTime)) : 0),
    lastApi: Math.round(Math.max(0, ...api.map((e) => e.responseEnd))),
  };
})()`;

/** One load: ms from navigation start until `ready` holds, its phases, and each API call's server time. */
async function load(page: Page, m: Measure): Promise<{ ms: number; phases: Phases; api: Record<string, number> }> {
  const api: Record<string, number> = {};
  const onFinished = (request: import('@playwright/test').Request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/api/')) return;
    const t = request.timing();
    const key = `${request.method()} ${url.pathname.replace(/[0-9a-f-]{36}/, '{id}')}${url.searchParams.has('status') ? `?status=${url.searchParams.get('status')}` : ''}`;
    api[key] = Math.max(api[key] ?? 0, round(t.responseStart - t.requestStart, 1));
  };
  page.on('requestfinished', onFinished);
  try {
    await page.goto(m.path, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(`(${m.ready}) && performance.now()`, undefined, { timeout: 30_000, polling: 'raf' });
    const ms = round((await handle.jsonValue()) as number, 0);
    return { ms, phases: (await page.evaluate(PHASES)) as Phases, api };
  } finally {
    page.off('requestfinished', onFinished);
  }
}

async function main() {
  if (!ensureBuild({ ...process.env, NEXT_TELEMETRY_DISABLED: '1' })) throw new Error('next build failed');
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  let app: AppProcess | undefined;
  const url = databaseUrl(name);
  try {
    app = await startApp({ DATABASE_URL: url, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', CACHE_KEY_PREFIX: prefix, DEMO_PRODUCTS: '2000', LOG_LEVEL: 'warn', SCHEDULER_ENABLED: 'false' });
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const started = performance.now();
    const runs = await seedRunHistory(sql, { now: new Date(), days: Number(values.days) });
    await sql`analyze runs, run_strategies`;
    await sql.end();
    print({ measurement: 'seed-history', runs, days: Number(values.days), seconds: round((performance.now() - started) / 1000) });

    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce', bypassCSP: true });
      const login = await context.request.post('/api/auth/login', { data: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, headers: { origin: app.url } });
      if (login.status() !== 200) throw new Error(`sign-in failed: ${login.status()}`);
      const page = await context.newPage();
      const summary: { page: string; medianMs: number; loads: number[]; phases: Phases; slowestApi: string }[] = [];
      for (const m of PAGES) {
        await load(page, m); // warm-up: compiled routes, connection pools, Postgres caches
        const loads: { ms: number; phases: Phases; api: Record<string, number> }[] = [];
        for (let i = 0; i < LOADS; i++) loads.push(await load(page, m));
        const endpoints = Object.keys(loads[0]!.api);
        const apiMedians = Object.fromEntries(endpoints.map((e) => [e, median(loads.map((l) => l.api[e] ?? 0))]));
        const slowest = Object.entries(apiMedians).sort((a, b) => b[1] - a[1])[0];
        const ms = median(loads.map((l) => l.ms));
        const phases = Object.fromEntries((['document', 'scripts', 'firstApi', 'lastApi'] as const).map((k) => [k, median(loads.map((l) => l.phases[k]))])) as Phases;
        print({ measurement: 'page', page: m.label, medianMs: ms, loadsMs: loads.map((l) => l.ms), phasesMs: phases, apiServerMs: apiMedians });
        summary.push({ page: m.label, medianMs: ms, loads: loads.map((l) => l.ms), phases, slowestApi: slowest ? `${slowest[0]} ${slowest[1]} ms` : '–' });
      }
      console.log(`\nUntil the charts are drawn (median of ${LOADS} loads; target ${TARGET_MS} ms), ${runs.toLocaleString('en-US')} runs of history:`);
      for (const s of summary) {
        console.log(`  ${s.page.padEnd(12)} ${String(s.medianMs).padStart(6)} ms  ${s.medianMs < TARGET_MS ? 'ok  ' : 'SLOW'}  loads ${s.loads.join(', ')}  slowest API: ${s.slowestApi}`);
      }
      console.log('\nWhere the time went (median ms from navigation start):');
      console.log('| page | document | scripts | first API call | last API answer | drawn |');
      console.log('|---|---|---|---|---|---|');
      for (const s of summary) console.log(`| ${s.page} | ${s.phases.document} | ${s.phases.scripts} | ${s.phases.firstApi} | ${s.phases.lastApi} | ${s.medianMs} |`);
    } finally {
      await browser.close();
    }
  } finally {
    await app?.terminate();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
    await deleteKeysWithPrefix(prefix);
  }
}

await main();
