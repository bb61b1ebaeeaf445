import 'server-only';
import { AppError } from '../errors';

/**
 * A parsed five-field cron expression (minute hour day-of-month month day-of-week). Kiln parses
 * expressions itself, strictly, so that one parser decides what is valid for the API, the preview
 * and the runner, and every refusal names the field and the value at fault.
 */
export type CronSpec = {
  /** The expression as stored: trimmed, fields separated by one space. */
  text: string;
  minutes: number[];
  hours: number[];
  daysOfMonth: number[];
  months: number[];
  /** 0 = Sunday ... 6 = Saturday (7 is read as Sunday). */
  daysOfWeek: number[];
  /** Day-of-month / day-of-week written as `*`: when both are restricted, either may match (standard cron). */
  anyDayOfMonth: boolean;
  anyDayOfWeek: boolean;
  /** Covers every hour: such expressions follow real time across daylight-saving changes. */
  everyHour: boolean;
};

export const MAX_CRON_LENGTH = 100;

type FieldDef = { label: string; min: number; max: number; names?: string[] };

const FIELDS: FieldDef[] = [
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day-of-month', min: 1, max: 31 },
  { label: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { label: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** The most days each month can have (February: 29, in leap years). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const SHAPE = 'five fields: minute hour day-of-month month day-of-week, e.g. "0 2 * * *"';

/** Parses and validates a cron expression. Throws AppError (code `invalid_cron`, field `cron`) naming the problem. */
export function parseCron(input: unknown): CronSpec {
  if (typeof input !== 'string') throw cronError(`The cron expression must be a string of ${SHAPE}`);
  if (input.length > MAX_CRON_LENGTH) {
    throw cronError(`The cron expression is ${input.length} characters long; at most ${MAX_CRON_LENGTH} are allowed`);
  }
  const trimmed = input.trim();
  if (trimmed === '') throw cronError(`Enter a cron expression: ${SHAPE}`);
  const bad = [...trimmed].find((c) => !/^[\x21-\x7e \t]$/.test(c));
  if (bad !== undefined) {
    const code = bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw cronError(`"${bad}" (U+${code}) is not allowed in a cron expression: use ASCII digits, month and day names, and * , - /`, trimmed);
  }
  if (trimmed.startsWith('@')) throw cronError(`Nicknames such as ${trimmed.split(/\s/)[0]} are not supported; write the ${SHAPE}`, trimmed);
  const raw = trimmed.split(/[ \t]+/);
  if (raw.length === 6) {
    throw cronError('Six fields are not supported: Kiln has no seconds field, so a schedule fires at most once a minute; write five fields: minute hour day-of-month month day-of-week', trimmed);
  }
  if (raw.length !== 5) throw cronError(`Expected ${SHAPE}; got ${raw.length} field${raw.length === 1 ? '' : 's'}`, trimmed);
  const text = raw.join(' ');
  const [minutes, hours, daysOfMonth, months, rawDaysOfWeek] = raw.map((r, i) => parseField(r, FIELDS[i]!, text));
  const daysOfWeek = [...new Set(rawDaysOfWeek!.map((d) => d % 7))].sort((a, b) => a - b);
  const spec: CronSpec = {
    text,
    minutes: minutes!,
    hours: hours!,
    daysOfMonth: daysOfMonth!,
    months: months!,
    daysOfWeek,
    anyDayOfMonth: raw[2] === '*',
    anyDayOfWeek: raw[4] === '*',
    everyHour: hours!.length === 24,
  };
  assertFires(spec);
  return spec;
}

/** Whether a calendar day is one the expression names (month, then day-of-month / day-of-week). */
export function matchesDay(spec: CronSpec, month: number, day: number, weekday: number): boolean {
  if (!spec.months.includes(month)) return false;
  const dom = spec.daysOfMonth.includes(day);
  const dow = spec.daysOfWeek.includes(weekday);
  if (spec.anyDayOfMonth) return dow;
  if (spec.anyDayOfWeek) return dom;
  return dom || dow;
}

/**
 * The expression node-cron is given to wake the runner: the parsed values written out as plain
 * lists, so node-cron cannot read the text differently. node-cron requires day-of-month AND
 * day-of-week to match where cron means OR; for such expressions it wakes every day at the given
 * times, and the runner keeps only Kiln's slots.
 */
export function toNodeCronExpression(spec: CronSpec): string {
  const list = (values: number[], def: FieldDef, any: boolean) => (any || values.length === def.max - def.min + 1 ? '*' : values.join(','));
  const eitherDay = !spec.anyDayOfMonth && !spec.anyDayOfWeek;
  return [
    list(spec.minutes, FIELDS[0]!, false),
    list(spec.hours, FIELDS[1]!, false),
    list(spec.daysOfMonth, FIELDS[2]!, spec.anyDayOfMonth || eitherDay),
    list(spec.months, FIELDS[3]!, false),
    list(spec.daysOfWeek, { ...FIELDS[4]!, max: 6 }, spec.anyDayOfWeek || eitherDay),
  ].join(' ');
}

function parseField(raw: string, def: FieldDef, text: string): number[] {
  const values = new Set<number>();
  for (const item of raw.split(',')) {
    const m = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/([a-z0-9]*))?$/i.exec(item);
    if (!m) throw cronError(`"${item}" in the ${def.label} field is not a value, a range (a-b), a step (*/n) or a list (a,b)`, text);
    let lo = def.min;
    let hi = def.max;
    if (m[1] !== '*') {
      const [from, to] = m[1]!.split('-');
      lo = value(from!, def, text);
      hi = to === undefined ? (m[2] === undefined ? lo : def.max) : value(to, def, text);
      if (hi < lo) throw cronError(`The range ${m[1]} in the ${def.label} field runs backwards; write it as two ranges`, text);
    }
    let step = 1;
    if (m[2] !== undefined) {
      if (!/^\d+$/.test(m[2])) throw cronError(`The step "/${m[2]}" in the ${def.label} field must be a whole number`, text);
      step = Number(m[2]);
      if (step < 1) throw cronError(`The step /${m[2]} in the ${def.label} field must be at least 1`, text);
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

function value(token: string, def: FieldDef, text: string): number {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    if (n < def.min || n > def.max) throw cronError(`${token} is out of range for the ${def.label} field (${def.min}-${def.max})`, text);
    return n;
  }
  const index = def.names?.indexOf(token.toLowerCase()) ?? -1;
  if (index < 0) {
    const names = def.names ? ` or a name (${def.names[0]}-${def.names.at(-1)})` : '';
    throw cronError(`"${token}" is not valid in the ${def.label} field: expected a number from ${def.min} to ${def.max}${names}`, text);
  }
  return def.label === 'month' ? index + 1 : index;
}

/** Refuses expressions whose days never occur (30 February), which would otherwise never fire. */
function assertFires(spec: CronSpec): void {
  if (spec.anyDayOfMonth || !spec.anyDayOfWeek) return; // every month has every weekday
  const firstDay = spec.daysOfMonth[0]!;
  if (spec.months.some((m) => MONTH_DAYS[m - 1]! >= firstDay)) return;
  const months = spec.months.map((m) => MONTH_NAMES[m - 1]).join(', ');
  throw cronError(`This expression never fires: day ${spec.daysOfMonth.join(', ')} of the month does not occur in ${months}`, spec.text);
}

function cronError(problem: string, text?: string): AppError {
  const shown = text === undefined ? '' : `Invalid cron expression "${text}": `;
  const message = shown ? `${shown}${problem.charAt(0).toLowerCase()}${problem.slice(1)}` : problem;
  return new AppError('invalid_cron', message, { field: 'cron' });
}
