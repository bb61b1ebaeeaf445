import cron from 'node-cron';
import { describe, expect, it } from 'vitest';
import { AppError } from '@/server/errors';
import { parseCron, toNodeCronExpression } from '@/server/scheduling/cron-expression';

function refusal(input: unknown): AppError {
  try {
    parseCron(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error(`expected ${JSON.stringify(input)?.slice(0, 40)} to be refused`);
}

describe('parsing a cron expression', () => {
  it.each([
    ['61 * * * *', /61 is out of range for the minute field \(0-59\)/],
    ['* * * *', /five fields: minute hour day-of-month month day-of-week.*got 4 fields/],
    ['*/0 * * * *', /step \/0 in the minute field must be at least 1/],
    ['0 0 30 2 *', /never fires: day 30 of the month does not occur in February/],
    ['0 0 31 4,6 *', /never fires: day 31 of the month does not occur in April, June/],
    ['* * * * * *', /six fields are not supported: Kiln has no seconds field, so a schedule fires at most once a minute/],
    ['*/5 * * * * *', /six fields are not supported/],
    ['', /Enter a cron expression/],
    ['   ', /Enter a cron expression/],
    ['* '.repeat(5120), /10240 characters long; at most 100 are allowed/],
    ['٥ * * * *', /"٥" \(U\+0665\) is not allowed.*ASCII digits/],
    ['0 ２ * * *', /U\+FF12/],
    ['@daily', /nicknames such as @daily are not supported/],
    ['0 24 * * *', /24 is out of range for the hour field \(0-23\)/],
    ['0 0 0 * *', /0 is out of range for the day-of-month field \(1-31\)/],
    ['0 0 * 13 *', /13 is out of range for the month field \(1-12\)/],
    ['0 0 * * 8', /8 is out of range for the day-of-week field \(0-7\)/],
    ['50-10 * * * *', /range 50-10 in the minute field runs backwards/],
    ['0 0 L * *', /"L" is not valid in the day-of-month field/],
    ['0 0 * * MON#2', /"MON#2" in the day-of-week field is not a value, a range/],
    ['0 0 ? * *', /"\?" in the day-of-month field/],
    ['*/x * * * *', /step "\/x" in the minute field must be a whole number/],
    ['0 0 * foo *', /"foo" is not valid in the month field: expected a number from 1 to 12 or a name \(jan-dec\)/],
  ])('refuses %j, naming the problem, on the cron field', (input, message) => {
    const error = refusal(input);
    expect(error.field).toBe('cron');
    expect(error.code).toBe('invalid_cron');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(message);
  });

  it('refuses what is not a string', () => {
    expect(refusal(42).message).toMatch(/must be a string/);
    expect(refusal(null).field).toBe('cron');
  });

  it('normalizes spacing and reads ranges, steps, lists and names', () => {
    const spec = parseCron('  5/15   9-17/4 * jan,Jul mon-FRI ');
    expect(spec.text).toBe('5/15 9-17/4 * jan,Jul mon-FRI');
    expect(spec.minutes).toEqual([5, 20, 35, 50]);
    expect(spec.hours).toEqual([9, 13, 17]);
    expect(spec.months).toEqual([1, 7]);
    expect(spec.daysOfWeek).toEqual([1, 2, 3, 4, 5]);
    expect(spec).toMatchObject({ anyDayOfMonth: true, anyDayOfWeek: false, everyHour: false });
  });

  it('reads 7 as Sunday, and knows an expression that covers every hour', () => {
    expect(parseCron('0 0 * * 7').daysOfWeek).toEqual([0]);
    expect(parseCron('0 0 * * 0,7').daysOfWeek).toEqual([0]);
    expect(parseCron('*/30 * * * *').everyHour).toBe(true);
    expect(parseCron('0 0-23 * * *').everyHour).toBe(true);
    expect(parseCron('0 */2 * * *').everyHour).toBe(false);
  });

  it('accepts days that occur only in some years or on some weekdays', () => {
    expect(parseCron('0 0 29 2 *').daysOfMonth).toEqual([29]);
    // Day-of-month and day-of-week both restricted: either matches, so every Monday of February fires.
    expect(parseCron('0 0 30 2 1').daysOfWeek).toEqual([1]);
  });
});

describe('the expression node-cron is given', () => {
  it.each([
    ['*/30 * * * *', '0,30 * * * *'],
    ['0 9 * * MON-FRI', '0 9 * * 1,2,3,4,5'],
    ['0 0 1 * 1', '0 0 * * *'],
    ['15 2 29 2 *', '15 2 29 2 *'],
    ['0 0 * * 0-6', '0 0 * * *'],
  ])('writes %j as plain lists node-cron reads the same way: %j', (input, expected) => {
    const expression = toNodeCronExpression(parseCron(input));
    expect(expression).toBe(expected);
    expect(cron.validate(expression)).toBe(true);
  });
});
