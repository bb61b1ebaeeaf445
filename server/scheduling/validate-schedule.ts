import 'server-only';
import { GOVERNOR_PROFILES, type GovernorProfile } from '@/lib/api/governor';
import type { MisfirePolicy, ScheduleInput } from '@/lib/api/schedules';
import { parseBlackoutWindows } from '@/lib/blackout';
import type { Schedule, Scope } from '../db/schema';
import { AppError, clip, quote } from '../errors';
import { validateConcurrency } from '../warmup/limiter';
import type { StrategyRegistry } from '../warmup/registry';
import { parseCron } from './cron-expression';
import { validateTimezone } from './time-zone';

export type { MisfirePolicy, ScheduleInput };

/** A schedule's values after validation: trimmed, normalized, every field present. */
export type ScheduleValues = Required<Omit<ScheduleInput, 'concurrency' | 'governorProfile'>> & { concurrency: number | null; governorProfile: GovernorProfile | null };

export type ValidationContext = { registry: StrategyRegistry; defaultTimezone: string };

export const MAX_NAME_LENGTH = 100;
export const MAX_GRACE_SECONDS = 86_400;
const FIELDS = ['name', 'cron', 'timezone', 'scope', 'concurrency', 'onlyMissing', 'enabled', 'misfirePolicy', 'misfireGraceSeconds', 'governorProfile', 'blackoutWindows'];

/**
 * The one validation of a schedule, used by create, update and the defaults. Throws AppError with
 * the field at fault (`name`, `cron`, `timezone`, `scope`, `scope.strategies`, `scope.tags`,
 * `concurrency`, `misfirePolicy`, `misfireGraceSeconds`...); nothing is saved before it passes.
 */
export function validateScheduleInput(input: unknown, context: ValidationContext): ScheduleValues {
  const o = asObject(input);
  return {
    name: validateName(o.name),
    cron: parseCron(o.cron).text,
    timezone: validateTimezone(o.timezone ?? context.defaultTimezone),
    scope: validateScope(o.scope, context.registry),
    concurrency: o.concurrency === undefined || o.concurrency === null ? null : concurrency(o.concurrency),
    onlyMissing: flag(o.onlyMissing, 'onlyMissing', false),
    enabled: flag(o.enabled, 'enabled', true),
    misfirePolicy: policy(o.misfirePolicy ?? 'run_once'),
    misfireGraceSeconds: grace(o.misfireGraceSeconds ?? 600),
    governorProfile: o.governorProfile === undefined || o.governorProfile === null ? null : profile(o.governorProfile),
    blackoutWindows: blackoutWindows(o.blackoutWindows),
  };
}

/** Validates an edit: the current schedule with the patch's fields applied, checked as a whole. */
export function validateSchedulePatch(patch: unknown, current: Schedule, context: ValidationContext): ScheduleValues {
  const o = asObject(patch);
  if (Object.keys(o).length === 0) throw new AppError('invalid_request', `Nothing to change: send at least one of ${FIELDS.join(', ')}`);
  const { name, cron, timezone, scope, concurrency, onlyMissing, enabled, misfirePolicy, misfireGraceSeconds, governorProfile, blackoutWindows } = current;
  return validateScheduleInput({ name, cron, timezone, scope, concurrency, onlyMissing, enabled, misfirePolicy, misfireGraceSeconds, governorProfile, blackoutWindows, ...o }, context);
}

/**
 * A scope is `{ all: true }`, `{ strategies: [...] }` or `{ tags: [...] }`, naming only strategies
 * and tags the registry knows. Whether they are enabled is decided when a run starts: an operator
 * may disable a strategy for a while without breaking its schedules' definitions.
 */
export function validateScope(input: unknown, registry: StrategyRegistry): Scope {
  const shape = 'The scope must be {"all": true}, {"strategies": [...]} or {"tags": [...]}';
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new AppError('invalid_request', shape, { field: 'scope' });
  const keys = Object.keys(input);
  const scope = input as Record<string, unknown>;
  if (keys.length !== 1) throw new AppError('invalid_request', `${shape}; got ${keys.length ? clip(keys.join(', ')) : 'an empty object'}`, { field: 'scope' });
  if (keys[0] === 'all') {
    if (scope.all !== true) throw new AppError('invalid_request', `${shape}: "all" must be true`, { field: 'scope.all' });
    return { all: true };
  }
  if (keys[0] === 'strategies') {
    const names = stringList(scope.strategies, 'scope.strategies', 'strategy');
    const unknown = names.filter((n) => !registry.has(n));
    if (unknown.length) {
      throw new AppError('invalid_request', `Unknown strategy: ${unknown.join(', ')} (known: ${registry.names().join(', ')})`, { field: 'scope.strategies' });
    }
    return { strategies: names };
  }
  if (keys[0] === 'tags') {
    const tags = stringList(scope.tags, 'scope.tags', 'tag');
    const known = registry.tags();
    const unknown = tags.filter((t) => !known.includes(t));
    if (unknown.length) throw new AppError('invalid_request', `Unknown tag: ${unknown.join(', ')} (known: ${known.join(', ')})`, { field: 'scope.tags' });
    return { tags };
  }
  throw new AppError('invalid_request', `${shape}; got ${quote(keys[0])}`, { field: 'scope' });
}

function asObject(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new AppError('invalid_request', 'Expected a JSON object describing the schedule');
  const o = input as Record<string, unknown>;
  const unknown = Object.keys(o).find((k) => !FIELDS.includes(k));
  if (unknown !== undefined) throw new AppError('invalid_request', `Unknown field ${quote(unknown)} (a schedule has ${FIELDS.join(', ')})`, { field: unknown });
  return o;
}

function validateName(input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '') throw new AppError('invalid_request', 'Give the schedule a name', { field: 'name' });
  const name = input.trim();
  if (name.length > MAX_NAME_LENGTH) throw new AppError('invalid_request', `The name is ${name.length} characters long; at most ${MAX_NAME_LENGTH} are allowed`, { field: 'name' });
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new AppError('invalid_request', 'The name must not contain control characters such as line breaks', { field: 'name' });
  return name;
}

function stringList(input: unknown, field: string, what: string): string[] {
  if (!Array.isArray(input) || input.some((v) => typeof v !== 'string')) throw new AppError('invalid_request', `Expected a list of ${what} names`, { field });
  const values = [...new Set((input as string[]).map((v) => v.trim()).filter(Boolean))];
  if (values.length === 0) throw new AppError('invalid_request', `Name at least one ${what}: an empty scope would warm nothing`, { field });
  return values;
}

function concurrency(input: unknown): number {
  try {
    return validateConcurrency(input);
  } catch (error) {
    throw new AppError('invalid_request', `${(error as Error).message}; or leave it empty to use the global setting`, { field: 'concurrency' });
  }
}

function flag(input: unknown, field: string, fallback: boolean): boolean {
  if (input === undefined) return fallback;
  if (typeof input !== 'boolean') throw new AppError('invalid_request', `Expected ${field} to be true or false, got ${quote(input)}`, { field });
  return input;
}

function policy(input: unknown): MisfirePolicy {
  if (input === 'skip' || input === 'run_once') return input;
  throw new AppError('invalid_request', `Expected misfirePolicy to be "skip" or "run_once", got ${quote(input)}`, { field: 'misfirePolicy' });
}

function profile(input: unknown): GovernorProfile {
  if (typeof input === 'string' && (GOVERNOR_PROFILES as readonly string[]).includes(input)) return input as GovernorProfile;
  throw new AppError('invalid_request', `Expected governorProfile to be one of ${GOVERNOR_PROFILES.map((p) => `"${p}"`).join(', ')}, or null for the default by time of day; got ${quote(input)}`, {
    field: 'governorProfile',
  });
}

function blackoutWindows(input: unknown) {
  const parsed = parseBlackoutWindows(input);
  if ('problem' in parsed) throw new AppError('invalid_request', parsed.problem.message, { field: parsed.problem.field });
  return parsed.windows;
}

function grace(input: unknown): number {
  if (typeof input !== 'number' || !Number.isInteger(input) || input < 0 || input > MAX_GRACE_SECONDS) {
    throw new AppError('invalid_request', `Expected misfireGraceSeconds to be a whole number of seconds from 0 to ${MAX_GRACE_SECONDS}, got ${quote(input)}`, {
      field: 'misfireGraceSeconds',
    });
  }
  return input;
}
