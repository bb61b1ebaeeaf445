// The shop traffic of the simulator: a stated mix of reads, drawn from a seeded random source (the
// same sequence for every variant), sent over HTTP at a fixed rate (open loop: a slow server does
// not slow the arrivals down; requests that would exceed the in-flight bound are counted, not sent).
import http from 'node:http';
import { Random, ZipfSampler } from '@/server/db/seed/random';
import type { ShopFacts } from './shop-database';

export type Family = 'products' | 'categories' | 'recommendations' | 'sessions';
export const FAMILIES: Family[] = ['products', 'categories', 'recommendations', 'sessions'];

/**
 * The mix, per request: 60% a product page (Zipf, s = 1.1, over the products by units sold),
 * 10% a category page (a level-1 or level-2 category, uniform), 5% the category tree, 10% a
 * recommendation list (homepage half of them, trending, new arrivals and best sellers a sixth
 * each), 15% a signed-in shopper's session (90% a user active in the last hour with a live
 * session, 10% another user whose session is still live, uniform in each group).
 */
export const MIX_DESCRIPTION =
  '60% product pages (Zipf s=1.1 over products by units sold), 10% category pages (levels 1-2, uniform), 5% the category tree, ' +
  '10% recommendation lists (homepage 1/2, trending, new_arrivals, best_sellers 1/6 each), ' +
  '15% sessions (90% users active in the last hour with a live session, 10% other users with a live session)';

export type ShopRequest = { family: Family; path: string; key: string };

export function trafficMix(facts: ShopFacts, seed: number): () => ShopRequest {
  const random = new Random(seed);
  const zipf = new ZipfSampler(facts.popularity.length, 1.1);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random.next() * list.length)]!;
  return () => {
    const r = random.next();
    if (r < 0.6) {
      const id = facts.popularity[zipf.sample(random)]!;
      return { family: 'products', path: `/api/shop/products/${id}`, key: `Product:id:${id}` };
    }
    if (r < 0.7) {
      const id = pick(facts.categories);
      return { family: 'categories', path: `/api/shop/categories/${id}`, key: `Category:id:${id}` };
    }
    if (r < 0.75) return { family: 'categories', path: '/api/shop/categories', key: 'Category:tree:root' };
    if (r < 0.85) {
      const u = random.next();
      const list = u < 0.5 ? 'homepage' : u < 2 / 3 ? 'trending' : u < 5 / 6 ? 'new_arrivals' : 'best_sellers';
      return { family: 'recommendations', path: `/api/shop/recommendations/${list}`, key: `recommendations:${list}` };
    }
    const returning = random.next() < 0.1 && facts.returningShoppers.length > 0;
    const id = pick(returning ? facts.returningShoppers : facts.currentShoppers);
    return { family: 'sessions', path: `/api/shop/sessions/${id}`, key: `User:session:${id}` };
  };
}

export type FamilyTally = { requests: number; hits: number; misses: number; notFound: number; errors: number; warmedKeyReads: number; warmedKeyHits: number };

/**
 * Loads the server's shop route handlers and its runtime before the measured traffic, as any
 * process serving traffic would have: with malformed ids (400), which read nothing and count nothing.
 */
export async function warmUpProcess(baseUrl: string, token: string): Promise<void> {
  for (const path of ['/api/health', '/api/shop/products/0', '/api/shop/categories/0', '/api/shop/recommendations/X', '/api/shop/sessions/0']) {
    for (let i = 0; i < 3; i++) await (await fetch(baseUrl + path, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();
  }
}

export type TrafficResult = {
  sent: number;
  /** Requests not sent because `maxInFlight` were already waiting (the server could not keep up). */
  skipped: number;
  seconds: number;
  latencyMs: { p50: number; p95: number; p99: number };
  families: Record<Family, FamilyTally>;
  /** Hit rate of all reads and p95 latency per 10-second slice (by when each request was due). */
  timeline: { second: number; hitRate: number; p95Ms: number }[];
  /** What the failed requests answered (status or error code) and how often. */
  errorKinds: Record<string, number>;
};

/**
 * Sends `rps` requests a second for `seconds`. `warmed` holds the keys that were in the cache when
 * the traffic started, to tell reads of warmed keys apart.
 */
export async function driveTraffic(
  baseUrl: string,
  next: () => ShopRequest,
  options: { rps: number; seconds: number; warmed: Set<string>; maxInFlight?: number; /** A shop_reader API token. */ token: string },
): Promise<TrafficResult> {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const maxInFlight = options.maxInFlight ?? 256;
  const total = Math.round(options.rps * options.seconds);
  const families = Object.fromEntries(
    FAMILIES.map((f) => [f, { requests: 0, hits: 0, misses: 0, notFound: 0, errors: 0, warmedKeyReads: 0, warmedKeyHits: 0 }]),
  ) as Record<Family, FamilyTally>;
  const slices = new Map<number, { hits: number; reads: number; latencies: number[] }>();
  const latencies: number[] = [];
  let inFlight = 0;
  let sent = 0;
  let skipped = 0;
  const started = performance.now();

  const errorKinds: Record<string, number> = {};
  const send = (req: ShopRequest, at: number, slot: number) => {
    inFlight++;
    sent++;
    const tally = families[req.family];
    tally.requests++;
    const warmed = options.warmed.has(req.key);
    if (warmed) tally.warmedKeyReads++;
    const done = (fn: () => void) => {
      inFlight--;
      fn();
    };
    const request = http.get({ agent, host: url.hostname, port: url.port, path: req.path, headers: { authorization: `Bearer ${options.token}` } }, (response) => {
      response.resume();
      response.on('end', () =>
        done(() => {
          const ms = performance.now() - at;
          latencies.push(ms);
          const cache = response.headers['x-kiln-cache'];
          if (response.statusCode === 404) tally.notFound++;
          else if (response.statusCode !== 200) {
            tally.errors++;
            errorKinds[`HTTP ${response.statusCode}`] = (errorKinds[`HTTP ${response.statusCode}`] ?? 0) + 1;
          }
          const slice = slices.get(slot) ?? { hits: 0, reads: 0, latencies: [] };
          slices.set(slot, slice);
          slice.latencies.push(ms);
          if (response.statusCode === 200 || response.statusCode === 404) slice.reads++;
          if (cache === 'hit') {
            tally.hits++;
            slice.hits++;
            if (warmed) tally.warmedKeyHits++;
          } else if (response.statusCode === 200 || response.statusCode === 404) tally.misses++;
        }),
      );
    });
    request.on('error', (error: NodeJS.ErrnoException) =>
      done(() => {
        tally.errors++;
        const kind = error.code ?? error.message;
        errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
      }),
    );
  };

  await new Promise<void>((resolve) => {
    let issued = 0;
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - started) / 1000) * options.rps) + 1);
      for (; issued < due; issued++) {
        const req = next();
        if (inFlight >= maxInFlight) skipped++;
        else send(req, now, Math.floor(issued / options.rps / 10));
      }
      if (issued >= total) {
        const drain = setInterval(() => {
          if (inFlight === 0 || performance.now() - started > (options.seconds + 30) * 1000) {
            clearInterval(drain);
            resolve();
          }
        }, 20);
        return;
      }
      setTimeout(tick, 2);
    };
    tick();
  });
  agent.destroy();
  const at = (q: number) => percentile(latencies, q);
  return {
    sent,
    skipped,
    seconds: (performance.now() - started) / 1000,
    latencyMs: { p50: at(0.5), p95: at(0.95), p99: at(0.99) },
    families,
    timeline: [...slices.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([slice, s]) => ({ second: slice * 10, hitRate: s.reads ? s.hits / s.reads : 0, p95Ms: percentile(s.latencies, 0.95) })),
    errorKinds,
  };
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10;
}
