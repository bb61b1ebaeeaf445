import { formatRate } from '@/lib/ui/format';

const WIDTH = 96;
const HEIGHT = 22;

/**
 * Success rates of a strategy's recent runs, oldest first, as a small line. The scale starts at
 * the lower of the lowest rate and the alert threshold, so a dip below the threshold (the dashed
 * line) is visible and a flat 100% stays flat at the top.
 */
export function Sparkline({ points: all, threshold }: { points: { successRate: number | null; outcome: string }[]; threshold: number }) {
  // Runs with nothing to warm have no rate (lib/success-rate.ts): they are not points of the line.
  const points = all.flatMap((p) => (p.successRate === null ? [] : [{ ...p, successRate: p.successRate }]));
  if (all.length === 0) return <span className="text-xs text-muted">no runs</span>;
  if (points.length === 0) return <span className="text-xs text-muted">nothing to warm</span>;
  const rates = points.map((p) => p.successRate);
  const low = Math.max(0, Math.min(threshold - 0.05, ...rates));
  const y = (rate: number) => 2 + (1 - (rate - low) / (1 - low || 1)) * (HEIGHT - 4);
  const x = (i: number) => (points.length === 1 ? WIDTH / 2 : 2 + (i / (points.length - 1)) * (WIDTH - 4));
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.successRate).toFixed(1)}`).join(' ');
  const last = points.at(-1)!;
  const below = points.filter((p) => p.successRate < threshold).length;
  const label = `Success rate of the last ${points.length} runs: lowest ${formatRate(Math.min(...rates))}, last ${formatRate(last.successRate)}${below ? `, ${below} below the alert threshold` : ''}`;
  return (
    <svg role="img" aria-label={label} width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="overflow-visible" data-chart="sparkline">
      <title>{label}</title>
      <line x1={0} x2={WIDTH} y1={y(threshold)} y2={y(threshold)} stroke="var(--muted)" strokeDasharray="2 3" strokeWidth={1} opacity={0.6} />
      <path d={path} fill="none" stroke="var(--accent)" strokeWidth={1.5} strokeLinejoin="round" strokeLinecap="round" />
      {points.map((p, i) =>
        p.successRate < threshold ? <circle key={i} cx={x(i)} cy={y(p.successRate)} r={2} fill="var(--bad)" /> : null,
      )}
      <circle cx={x(points.length - 1)} cy={y(last.successRate)} r={2} fill={last.successRate < threshold ? 'var(--bad)' : 'var(--accent)'} />
    </svg>
  );
}
