'use client';

import { useState } from 'react';
import type { AuditEntryView, AuditPage } from '@/lib/api/audit';
import { formatCount } from '@/lib/ui/format';
import { auditToCsv } from '@/lib/ui/audit-view';
import { apiFetch, errorMessage } from '../api/api-fetch';
import type { AuditFilter } from '../api/audit';
import { Button } from '../ui/button';

/** A file is a deliberate act; past this many entries the export stops and says so. */
const MAX_EXPORTED = 20_000;
const PAGE = 200;

/** Downloads every audit entry the filters select (not just the page on screen) as CSV. */
export function AuditCsvButton({ filter, disabled = false }: { filter: Omit<AuditFilter, 'cursor' | 'limit'>; disabled?: boolean }) {
  const [state, setState] = useState<{ busy: boolean; fetched: number; message?: string; error?: string }>({ busy: false, fetched: 0 });

  const exportRuns = async () => {
    setState({ busy: true, fetched: 0 });
    try {
      const runs: AuditEntryView[] = [];
      let cursor: string | undefined;
      do {
        const page = await apiFetch<AuditPage>('/api/audit', { query: { ...filter, cursor, limit: PAGE } });
        runs.push(...page.entries);
        cursor = page.nextCursor ?? undefined;
        setState({ busy: true, fetched: runs.length });
      } while (cursor && runs.length < MAX_EXPORTED);
      download(auditToCsv(runs), `kiln-audit-${filter.from?.slice(0, 10) ?? 'all'}-to-${filter.to?.slice(0, 10) ?? 'now'}.csv`);
      const cut = cursor ? ` (stopped at ${formatCount(MAX_EXPORTED)}: narrow the range for the rest)` : '';
      setState({ busy: false, fetched: runs.length, message: `Exported ${formatCount(runs.length)} entries${cut}` });
    } catch (error) {
      setState({ busy: false, fetched: 0, error: `Export failed: ${errorMessage(error)}` });
    }
  };

  return (
    <span className="inline-flex items-center gap-2">
      <span aria-live="polite" className={`text-xs ${state.error ? 'text-bad' : 'text-muted'}`}>
        {state.error ?? (state.busy ? `Fetching… ${formatCount(state.fetched)} entries` : state.message)}
      </span>
      <Button size="sm" busy={state.busy} disabled={disabled} title={disabled ? 'No entry to export with these filters' : undefined} onClick={() => void exportRuns()}>
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
