// The simulator's printout: the variants side by side, then one JSON line with every figure.
import { FAMILIES, type Family, type TrafficResult } from './traffic';

type Counts = { hits: number; misses: number; dbQueries: number };

export type Outcome = {
  name: string;
  label: string;
  /** Keys in the cache when the traffic started. */
  warmedKeys: number;
  readyMs: number;
  run: { id: string; status: string; durationMs: number | null; warmed: number; strategies: string[] } | null;
  /** Server-side counts of the read path (cache_reads) over the traffic, per family. */
  counts: Record<string, Counts>;
  traffic: TrafficResult;
  /** CPU seconds the Kiln server used during the traffic. */
  serverCpuSeconds: number | null;
};

const pct = (n: number | null) => (n === null ? '-' : `${(n * 100).toFixed(1)}%`);
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const rate = (c: Counts) => (c.hits + c.misses > 0 ? c.hits / (c.hits + c.misses) : null);

function sum(counts: Record<string, Counts>): Counts {
  return Object.values(counts).reduce((a, c) => ({ hits: a.hits + c.hits, misses: a.misses + c.misses, dbQueries: a.dbQueries + c.dbQueries }), { hits: 0, misses: 0, dbQueries: 0 });
}

export function printReport(r: { products: number; rps: number; seconds: number; mix: string; loadBefore: number[]; loadAfter: number[]; outcomes: Outcome[] }): void {
  const { outcomes } = r;
  const cold = outcomes.find((o) => o.name === 'cold');
  const width = 22;
  const row = (label: string, cells: string[]) => console.log(label.padEnd(30) + cells.map((c) => c.padStart(width)).join(''));
  const line = () => console.log('-'.repeat(30 + width * outcomes.length));

  console.log('');
  console.log(`Does the warmup help? ${int(r.products)} products, ${r.rps} shop requests/s for ${r.seconds} s per variant (the first minute after start)`);
  console.log(`Traffic: ${r.mix}`);
  console.log(`Load average (1, 5, 15 min) before: ${r.loadBefore.map((l) => l.toFixed(2)).join(' ')}, after: ${r.loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
  line();
  row('', outcomes.map((o) => o.label));
  line();
  row('warmup before traffic', outcomes.map((o) => (o.run ? `${int(o.run.warmed)} keys, ${((o.run.durationMs ?? 0) / 1000).toFixed(1)} s` : 'none')));
  row('keys cached at start', outcomes.map((o) => int(o.warmedKeys)));
  row('requests sent (not sent)', outcomes.map((o) => `${int(o.traffic.sent)} (${int(o.traffic.skipped)})`));
  row('latency p50 / p95 ms', outcomes.map((o) => `${o.traffic.latencyMs.p50} / ${o.traffic.latencyMs.p95}`));
  row('server CPU during traffic', outcomes.map((o) => (o.serverCpuSeconds === null ? '-' : `${o.serverCpuSeconds.toFixed(1)} s of ${o.traffic.seconds.toFixed(0)} s`)));
  line();
  for (const f of FAMILIES) row(`hit rate ${f}`, outcomes.map((o) => pct(rate(o.counts[f]!))));
  row('hit rate, all reads', outcomes.map((o) => pct(rate(sum(o.counts)))));
  row('hit rate of warmed keys', outcomes.map((o) => warmedKeyRate(o)));
  row('reads that were of warmed keys', outcomes.map((o) => warmedKeyShare(o)));
  line();
  for (const f of FAMILIES) row(`DB queries ${f}`, outcomes.map((o) => int(o.counts[f]!.dbQueries)));
  row('DB queries, all reads', outcomes.map((o) => int(sum(o.counts).dbQueries)));
  const perThousand = (o: Outcome) => {
    const c = sum(o.counts);
    return c.hits + c.misses > 0 ? (c.dbQueries / (c.hits + c.misses)) * 1000 : 0;
  };
  row('DB queries per 1,000 reads', outcomes.map((o) => perThousand(o).toFixed(1)));
  if (cold) {
    const base = sum(cold.counts).dbQueries;
    row('fewer DB queries than cold', outcomes.map((o) => (o === cold || base === 0 ? '-' : pct(1 - sum(o.counts).dbQueries / base))));
    // Per read: the same comparison when a server could not take every request it was sent.
    row('  the same, per read', outcomes.map((o) => (o === cold || perThousand(cold) === 0 ? '-' : pct(1 - perThousand(o) / perThousand(cold)))));
  }
  row('404s (sessions)', outcomes.map((o) => int(o.traffic.families.sessions.notFound)));
  line();
  const slices = outcomes[0]?.traffic.timeline.map((t) => t.second) ?? [];
  for (const second of slices) {
    row(
      `seconds ${second}-${second + 10}: hit rate, p95`,
      outcomes.map((o) => {
        const slice = o.traffic.timeline.find((t) => t.second === second);
        return slice ? `${pct(slice.hitRate)}, ${slice.p95Ms} ms` : '-';
      }),
    );
  }
  line();
  for (const o of outcomes) {
    const server = sum(o.counts);
    const client = FAMILIES.reduce((a, f) => ({ hits: a.hits + o.traffic.families[f].hits, misses: a.misses + o.traffic.families[f].misses }), { hits: 0, misses: 0 });
    const errors = FAMILIES.reduce((n, f) => n + o.traffic.families[f].errors, 0);
    const agree = client.hits === server.hits && client.misses === server.misses ? 'agree' : 'DIFFER';
    const kinds = Object.entries(o.traffic.errorKinds).map(([kind, n]) => `${n} ${kind}`).join(', ');
    console.log(`${o.label}: server counted ${int(server.hits)} hits / ${int(server.misses)} misses; the responses' x-kiln-cache headers say ${int(client.hits)} / ${int(client.misses)} (${agree}); ${errors} errors${kinds ? ` (${kinds})` : ''}`);
  }
  console.log(JSON.stringify({ measurement: 'effect', products: r.products, rps: r.rps, seconds: r.seconds, loadBefore: r.loadBefore, outcomes: outcomes.map(summary) }));
}

function warmedKeyRate(o: Outcome): string {
  const t = FAMILIES.reduce((a, f) => ({ reads: a.reads + o.traffic.families[f].warmedKeyReads, hits: a.hits + o.traffic.families[f].warmedKeyHits }), { reads: 0, hits: 0 });
  return t.reads ? pct(t.hits / t.reads) : '-';
}

function warmedKeyShare(o: Outcome): string {
  const reads = FAMILIES.reduce((n, f) => n + o.traffic.families[f].warmedKeyReads, 0);
  const all = FAMILIES.reduce((n, f) => n + o.traffic.families[f].requests, 0);
  return all ? pct(reads / all) : '-';
}

function summary(o: Outcome) {
  return {
    variant: o.name,
    warmup: o.run,
    keysCachedAtStart: o.warmedKeys,
    sent: o.traffic.sent,
    skipped: o.traffic.skipped,
    latencyMs: o.traffic.latencyMs,
    serverCpuSeconds: o.serverCpuSeconds,
    families: Object.fromEntries(
      FAMILIES.map((f: Family) => [f, { ...o.counts[f]!, hitRate: rate(o.counts[f]!), requests: o.traffic.families[f].requests, notFound: o.traffic.families[f].notFound }]),
    ),
    dbQueries: sum(o.counts).dbQueries,
  };
}
