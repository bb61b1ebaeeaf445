'use client';

import { useState } from 'react';
import type { RunListItem } from '@/lib/api/runs';
import { formatCount } from '@/lib/ui/format';
import { runsToCsv } from '@/lib/ui/runs-csv';
import { errorMessage } from '../api/api-fetch';
import { type RunsFilter, fetchRuns } from '../api/runs';
import { Button } from '../ui/button';

/** A file is a deliberate act; past this many runs the export stops and says so. */
const MAX_EXPORTED = 20_000;
const PAGE = 200;

/** Downloads every run the filters select (not just the page on screen) as CSV. */
export function CsvExportButton({ filter, disabled = false }: { filter: Omit<RunsFilter, 'cursor' | 'limit'>; disabled?: boolean }) {
  const [state, setState] = useState<{ busy: boolean; fetched: number; message?: string; error?: string }>({ busy: false, fetched: 0 });

  const exportRuns = async () => {
    setState({ busy: true, fetched: 0 });
    try {
      const runs: RunListItem[] = [];
      let cursor: string | undefined;
      do {
        const page = await fetchRuns({ ...filter, cursor, limit: PAGE });
        runs.push(...page.items);
        cursor = page.nextCursor ?? undefined;
        setState({ busy: true, fetched: runs.length });
      } while (cursor && runs.length < MAX_EXPORTED);
      download(runsToCsv(runs), `kiln-runs-${filter.from?.slice(0, 10) ?? 'all'}-to-${filter.to?.slice(0, 10) ?? 'now'}.csv`);
      const cut = cursor ? ` (stopped at ${formatCount(MAX_EXPORTED)}: narrow the range for the rest)` : '';
      setState({ busy: false, fetched: runs.length, message: `Exported ${formatCount(runs.length)} runs${cut}` });
    } catch (error) {
      setState({ busy: false, fetched: 0, error: `Export failed: ${errorMessage(error)}` });
    }
  };

  return (
    <span className="inline-flex items-center gap-2">
      <span aria-live="polite" className={`text-xs ${state.error ? 'text-bad' : 'text-muted'}`}>
        {state.error ?? (state.busy ? `Fetching… ${formatCount(state.fetched)} runs` : state.message)}
      </span>
      <Button size="sm" busy={state.busy} disabled={disabled} title={disabled ? 'No run to export with these filters' : undefined} onClick={() => void exportRuns()}>
        Export CSV
      </Button>
    </span>
  );
}

function download(text: string, name: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
