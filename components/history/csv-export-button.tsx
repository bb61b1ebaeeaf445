'use client';

import { runsToCsv } from '@/lib/ui/runs-csv';
import { type RunsFilter, fetchRuns } from '../api/runs';
import { PagedCsvButton, csvRange } from '../ui/paged-csv-button';

/** Downloads every run the filters select (not just the page on screen) as CSV. */
export function CsvExportButton({ filter, disabled = false }: { filter: Omit<RunsFilter, 'cursor' | 'limit'>; disabled?: boolean }) {
  return (
    <PagedCsvButton
      fetchPage={(cursor, limit) => fetchRuns({ ...filter, cursor, limit })}
      toCsv={runsToCsv}
      fileName={`kiln-runs-${csvRange(filter)}.csv`}
      noun={{ one: 'run', many: 'runs' }}
      disabled={disabled}
    />
  );
}
