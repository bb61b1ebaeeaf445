import { describe, expect, it } from 'vitest';
import { AppError } from '@/server/errors';
import { StrategiesBusyError } from '@/server/warmup/run-records';

describe('AppError', () => {
  it('is recognised across module copies by its global brand, as Next.js loads route handlers apart from instrumentation', async () => {
    // A second copy of the module, as another Next.js module graph would have it.
    const copy = (await import(`@/server/errors?copy=${Date.now()}`)) as typeof import('@/server/errors');
    expect(copy.AppError).not.toBe(AppError);
    const foreign = new copy.AppError('conflict', 'busy');
    expect(foreign instanceof AppError).toBe(true);
    expect(new Error('plain') instanceof AppError).toBe(false);
    expect((null as unknown) instanceof AppError).toBe(false);
  });

  it('keeps subclasses apart: an AppError is not a StrategiesBusyError', () => {
    expect(new AppError('conflict', 'x') instanceof StrategiesBusyError).toBe(false);
    expect(new StrategiesBusyError([]) instanceof AppError).toBe(true);
    expect(new StrategiesBusyError([]).status).toBe(409);
  });
});
