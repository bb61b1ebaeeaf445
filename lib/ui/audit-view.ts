import type { AuditEntryView } from '@/lib/api/audit';
import { strategyLabel } from './labels';

/** Where an audit entry's target lives in the console (`run:…` → its page), or null when nowhere. */
export function auditTargetHref(target: string | null): string | null {
  if (!target) return null;
  const [kind, rest] = splitTarget(target);
  if (kind === 'run' && /^[0-9a-f-]{36}$/i.test(rest)) return `/runs/${rest}`;
  if (kind === 'schedule' || target === 'schedules') return '/schedules';
  if (kind === 'strategy' || kind === 'strategies' || target === 'settings') return '/settings';
  if (kind === 'operator' || kind === 'token') return '/admin';
  return null;
}

/** A target as an operator reads it: `strategy:hot_products` → "strategy Hot products", `run:3f2a…` → "run 3f2a9c1b". */
export function auditTargetText(target: string | null): string {
  if (!target) return '–';
  const [kind, rest] = splitTarget(target);
  if (kind === 'run' && rest.length >= 8) return `run ${rest.slice(0, 8)}`;
  if (kind === 'strategy') return `strategy ${strategyLabel(rest)}`;
  if (kind === 'strategies') return rest === 'enabled' ? 'every enabled strategy' : `strategies ${rest.split(',').map(strategyLabel).join(', ')}`;
  if (kind === 'operator' || kind === 'token' || kind === 'schedule') return `${kind} #${rest}`;
  return target;
}

function splitTarget(target: string): [string, string] {
  const i = target.indexOf(':');
  return i < 0 ? [target, ''] : [target.slice(0, i), target.slice(i + 1)];
}

const MAX_SHOWN = 3;
/** Keys told in words above the field list (a reset and whether it must be replaced), or not worth telling. */
const RESET_KEYS = new Set(['passwordReset', 'mustChangePassword', 'updatedAt']);

/**
 * What an entry changed, in one line: the fields whose value differs between before and after
 * ("priority 100 → 80, enabled on → off"), a field only after as "field: value", a password
 * reset in words. Null when the entry records no change.
 */
export function auditChangeSummary(entry: Pick<AuditEntryView, 'before' | 'after'>): string | null {
  const before = asRecord(entry.before);
  const after = asRecord(entry.after);
  if (!before && !after) return null;
  const parts: string[] = [];
  if (after?.passwordReset === true) parts.push(after.mustChangePassword === true ? 'password reset, to be changed at the next sign-in' : 'password reset');
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].filter((k) => !RESET_KEYS.has(k));
  for (const key of keys) {
    const a = before?.[key];
    const b = after?.[key];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (!before) parts.push(`${key}: ${show(b)}`);
    else if (!after) parts.push(`${key} was ${show(a)}`);
    else parts.push(`${key} ${show(a)} → ${show(b)}`);
  }
  if (parts.length === 0) return before && after ? 'no field changed' : null;
  const shown = parts.slice(0, MAX_SHOWN).join(', ');
  return parts.length > MAX_SHOWN ? `${shown} and ${parts.length - MAX_SHOWN} more` : shown;
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '–';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

const COLUMNS: [string, (e: AuditEntryView) => string | number | null][] = [
  ['id', (e) => e.id],
  ['at', (e) => e.at],
  ['actor', (e) => e.actor],
  ['actor_role', (e) => e.actorRole],
  ['action', (e) => e.action],
  ['target', (e) => e.target],
  ['outcome', (e) => e.outcome],
  ['changed', (e) => auditChangeSummary(e)],
  ['ip', (e) => e.ip],
  ['user_agent', (e) => e.userAgent],
  ['before', (e) => (e.before === null || e.before === undefined ? null : JSON.stringify(e.before))],
  ['after', (e) => (e.after === null || e.after === undefined ? null : JSON.stringify(e.after))],
];

/** Audit entries as CSV, in the same form as the runs export (RFC 4180, formula-safe fields). */
export function auditToCsv(entries: readonly AuditEntryView[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const entry of entries) lines.push(COLUMNS.map(([, read]) => csvField(read(entry))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** One CSV field: quoted when it holds a comma, quote or line break; ' before = + - @ so a spreadsheet never runs it. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
