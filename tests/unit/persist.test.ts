import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { persistWithRetry } from '@/server/warmup/persist';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

describe('persistWithRetry', () => {
  it('retries until the write succeeds, logging the full payload on the first failure', async () => {
    const { logger, lines } = capture();
    let attempts = 0;
    const ok = await persistWithRetry(logger, 'the run outcome', { warmed: 98, failed: 2 }, async () => {
      if (++attempts < 4) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    }, { firstDelayMs: 5 });
    expect(ok).toBe(true);
    expect(attempts).toBe(4);
    const failure = lines.find((l) => String(l.msg).startsWith('Saving the run outcome failed'))!;
    expect(failure.payload).toEqual({ warmed: 98, failed: 2 });
    expect(lines.some((l) => l.msg === 'Saved the run outcome after the database came back')).toBe(true);
  });

  it('logs the full payload once when a write hangs waiting for the database, and waits for it rather than writing twice', async () => {
    const { logger, lines } = capture();
    let attempts = 0;
    const ok = await persistWithRetry(logger, 'the result', { warmed: 7 }, async () => {
      attempts++;
      await new Promise((r) => setTimeout(r, 80));
    }, { logAfterMs: 20 });
    expect(ok).toBe(true);
    expect(attempts).toBe(1);
    const waiting = lines.find((l) => String(l.msg).startsWith('Saving the result is waiting for the database'))!;
    expect(waiting.payload).toEqual({ warmed: 7 });
    expect(lines.map((l) => l.msg)).toEqual(['Saving the result is waiting for the database; retrying until the database answers', 'Saved the result after the database came back']);
  });

  it('gives up after its deadline and says so', async () => {
    const { logger, lines } = capture();
    const ok = await persistWithRetry(logger, 'stats', {}, async () => {
      throw new Error('down');
    }, { giveUpAfterMs: 60, firstDelayMs: 10 });
    expect(ok).toBe(false);
    expect(lines.at(-1)!.msg).toBe('Gave up saving stats');
  });
});
