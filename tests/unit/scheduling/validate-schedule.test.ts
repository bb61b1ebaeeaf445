import { describe, expect, it } from 'vitest';
import type { Schedule } from '@/server/db/schema';
import { AppError } from '@/server/errors';
import { validateScheduleInput, validateSchedulePatch } from '@/server/scheduling/validate-schedule';
import { shopRegistry } from '../../support/shop-strategies';

const context = { registry: shopRegistry(), defaultTimezone: 'Europe/Berlin' };
const good = { name: 'Nightly', cron: '0 2 * * *', scope: { all: true } };

function refusal(input: unknown): AppError {
  try {
    validateScheduleInput(input, context);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error(`expected ${JSON.stringify(input).slice(0, 80)} to be refused`);
}

describe('validating a schedule', () => {
  it('fills in the defaults: the process time zone, run_once with 10 minutes of grace, enabled, all loads of the global setting', () => {
    expect(validateScheduleInput(good, context)).toEqual({
      name: 'Nightly',
      cron: '0 2 * * *',
      timezone: 'Europe/Berlin',
      scope: { all: true },
      concurrency: null,
      onlyMissing: false,
      enabled: true,
      misfirePolicy: 'run_once',
      misfireGraceSeconds: 600,
      governorProfile: null,
      blackoutWindows: [],
    });
  });

  it('takes a governor profile, or null for the default by time of day, and refuses another naming the field', () => {
    expect(validateScheduleInput({ ...good, governorProfile: 'gentle' }, context).governorProfile).toBe('gentle');
    expect(validateScheduleInput({ ...good, governorProfile: null }, context).governorProfile).toBeNull();
    expect(() => validateScheduleInput({ ...good, governorProfile: 'turbo' }, context)).toThrow(expect.objectContaining({ field: 'governorProfile', message: expect.stringMatching(/"fixed", "gentle", "max".*"turbo"/) }));
  });

  it('trims the name, normalizes the expression and the zone, and drops repeated names from a scope', () => {
    const values = validateScheduleInput({ ...good, name: '  Pre-peak  ', cron: ' 30  8 * * * ', timezone: 'america/new_york', scope: { strategies: ['hot_products', 'recommendations', 'hot_products'] } }, context);
    expect(values).toMatchObject({ name: 'Pre-peak', cron: '30 8 * * *', timezone: 'America/New_York', scope: { strategies: ['hot_products', 'recommendations'] } });
  });

  it.each([
    [{ ...good, name: '' }, 'name', /Give the schedule a name/],
    [{ ...good, name: '   ' }, 'name', /Give the schedule a name/],
    [{ ...good, name: 'x'.repeat(101) }, 'name', /101 characters long; at most 100/],
    [{ ...good, name: 'two\nlines' }, 'name', /control characters/],
    [{ cron: '0 2 * * *', scope: { all: true } }, 'name', /Give the schedule a name/],
    [{ ...good, cron: '61 * * * *' }, 'cron', /61 is out of range for the minute field/],
    [{ ...good, cron: '* * * * * *' }, 'cron', /once a minute/],
    [{ ...good, timezone: 'Mars/Phobos' }, 'timezone', /Unknown time zone "Mars\/Phobos"/],
    [{ ...good, timezone: '+01:00' }, 'timezone', /Unknown time zone "\+01:00"/],
    [{ ...good, timezone: '' }, 'timezone', /Enter an IANA time zone/],
    [{ ...good, scope: { strategies: [] } }, 'scope.strategies', /Name at least one strategy/],
    [{ ...good, scope: { tags: [] } }, 'scope.tags', /Name at least one tag/],
    [{ ...good, scope: { strategies: ['hot_products', 'nope'] } }, 'scope.strategies', /Unknown strategy: nope \(known: hot_products, recommendations, categories, sessions, product_catalog\)/],
    [{ ...good, scope: { tags: ['marketing'] } }, 'scope.tags', /Unknown tag: marketing \(known: catalog, identity, products\)/],
    [{ ...good, scope: {} }, 'scope', /got an empty object/],
    [{ ...good, scope: { all: false } }, 'scope.all', /"all" must be true/],
    [{ ...good, scope: { all: true, tags: ['catalog'] } }, 'scope', /got all, tags/],
    [{ ...good, scope: 'all' }, 'scope', /The scope must be/],
    [{ ...good, concurrency: 0 }, 'concurrency', /integer from 1 to 256, got 0/],
    [{ ...good, concurrency: 257 }, 'concurrency', /got 257/],
    [{ ...good, concurrency: '10' }, 'concurrency', /got 10 \(string\)/],
    [{ ...good, misfireGraceSeconds: -1 }, 'misfireGraceSeconds', /from 0 to 86400, got -1/],
    [{ ...good, misfireGraceSeconds: 1.5 }, 'misfireGraceSeconds', /got 1.5/],
    [{ ...good, misfirePolicy: 'later' }, 'misfirePolicy', /"skip" or "run_once", got "later"/],
    [{ ...good, onlyMissing: 'yes' }, 'onlyMissing', /true or false, got "yes"/],
    [{ ...good, owner: 'me' }, 'owner', /Unknown field "owner"/],
  ])('refuses %j on the field it names', (input, field, message) => {
    const error = refusal(input);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.status).toBe(400);
  });

  it('refuses what is not an object', () => {
    expect(refusal(null).message).toMatch(/Expected a JSON object/);
    expect(refusal([good]).message).toMatch(/Expected a JSON object/);
  });
});

describe('validating an edit', () => {
  const current = {
    id: 1, name: 'Nightly', cron: '0 2 * * *', timezone: 'UTC', scope: { all: true }, concurrency: 50, onlyMissing: false, enabled: true,
    misfirePolicy: 'run_once', misfireGraceSeconds: 600, governorProfile: null, blackoutWindows: [], createdAt: new Date(), createdBy: 'a', updatedAt: new Date(), updatedBy: 'a', version: 1,
  } satisfies Schedule;

  it('applies the patch to the current schedule and checks the whole', () => {
    expect(validateSchedulePatch({ cron: '0 3 * * *', concurrency: null }, current, context)).toMatchObject({ name: 'Nightly', cron: '0 3 * * *', timezone: 'UTC', concurrency: null });
  });

  it('refuses an empty patch and a bad field', () => {
    expect(() => validateSchedulePatch({}, current, context)).toThrow(/Nothing to change/);
    expect(() => validateSchedulePatch({ cron: '*/0 * * * *' }, current, context)).toThrow(/step \/0/);
  });
});
