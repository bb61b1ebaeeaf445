import { describe, expect, it } from 'vitest';
import type { RunListItem } from '@/lib/api/runs';
import { runsToCsv } from '@/lib/ui/runs-csv';

const item: RunListItem = {
  id: '9a94ea5b-5b1f-4b80-8d7c-f8c37209a800',
  trigger: 'manual',
  triggeredBy: 'ops@shop.example',
  scheduleId: null,
  scheduleName: null,
  scope: { strategies: ['hot_products', 'categories'] },
  strategies: ['hot_products', 'categories'],
  status: 'partial',
  dryRun: false,
  onlyMissing: false,
  concurrency: 20,
  createdAt: '2026-11-22T04:20:00.062Z',
  finishedAt: '2026-11-22T04:20:00.098Z',
  durationMs: 35,
  total: 126,
  warmed: 120,
  skipped: 0,
  failed: 6,
  successRate: 120 / 126,
  error: 'hot_products: 6 of 100 keys failed, "timeout"',
};

describe('runs as CSV', () => {
  it('has a header and one CRLF-ended line per run, quoting fields with commas or quotes', () => {
    const lines = runsToCsv([item]).split('\r\n');
    expect(lines[0]).toBe('id,created_at,finished_at,status,trigger,triggered_by,schedule,strategies,concurrency,only_missing,total,warmed,skipped,failed,success_rate,duration_ms,error');
    expect(lines[1]).toBe(
      `${item.id},2026-11-22T04:20:00.062Z,2026-11-22T04:20:00.098Z,partial,manual,ops@shop.example,,hot_products categories,20,false,126,120,0,6,${120 / 126},35,"hot_products: 6 of 100 keys failed, ""timeout"""`,
    );
    expect(lines[2]).toBe('');
    expect(lines).toHaveLength(3);
  });

  it('keeps a spreadsheet from running a field as a formula', () => {
    const csv = runsToCsv([{ ...item, triggeredBy: '=HYPERLINK("http://evil")', error: null }]);
    expect(csv.split('\r\n')[1]).toContain(`,"'=HYPERLINK(""http://evil"")",`);
  });
});
