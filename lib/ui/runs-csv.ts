import type { RunListItem } from '@/lib/api/runs';

const COLUMNS: [string, (run: RunListItem) => string | number | null][] = [
  ['id', (r) => r.id],
  ['created_at', (r) => r.createdAt],
  ['finished_at', (r) => r.finishedAt],
  ['status', (r) => r.status],
  ['trigger', (r) => r.trigger],
  ['triggered_by', (r) => r.triggeredBy],
  ['schedule', (r) => r.scheduleName],
  ['strategies', (r) => r.strategies.join(' ')],
  ['concurrency', (r) => r.concurrency],
  ['only_missing', (r) => String(r.onlyMissing)],
  ['total', (r) => r.total],
  ['warmed', (r) => r.warmed],
  ['skipped', (r) => r.skipped],
  ['failed', (r) => r.failed],
  ['success_rate', (r) => r.successRate],
  ['duration_ms', (r) => r.durationMs],
  ['error', (r) => r.error],
];

/**
 * Runs as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or line
 * break). Values stay raw (ISO instants, rates 0-1, milliseconds) so a spreadsheet can compute
 * with them. A field starting with = + - @ is prefixed with ' so a spreadsheet never runs it.
 */
export function runsToCsv(runs: readonly RunListItem[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const run of runs) lines.push(COLUMNS.map(([, read]) => field(read(run))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function field(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
