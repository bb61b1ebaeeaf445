'use client';

import { useState } from 'react';
import { formatCount } from '@/lib/ui/format';
import { errorMessage } from '../api/api-fetch';
import { Button } from './button';

/** A file is a deliberate act; past this many rows the export stops and says so. */
const MAX_EXPORTED = 20_000;
const PAGE = 200;

export type CsvPage<T> = { items: T[]; nextCursor: string | null };

/**
 * Downloads every row a listing's filters select (not just the page on screen) as CSV, page by page
 * through the listing's keyset cursor: runs on History, entries on Audit. `noun` is the rows' plural.
 */
export function PagedCsvButton<T>({
  fetchPage,
  toCsv,
  fileName,
  noun,
  disabled = false,
}: {
  fetchPage: (cursor: string | undefined, limit: number) => Promise<CsvPage<T>>;
  toCsv: (rows: T[]) => string;
  fileName: string;
  noun: { one: string; many: string };
  disabled?: boolean;
}) {
  const [state, setState] = useState<{ busy: boolean; fetched: number; message?: string; error?: string }>({ busy: false, fetched: 0 });

  const exportRows = async () => {
    setState({ busy: true, fetched: 0 });
    try {
      const rows: T[] = [];
      let cursor: string | undefined;
      do {
        const page = await fetchPage(cursor, PAGE);
        rows.push(...page.items);
        cursor = page.nextCursor ?? undefined;
        setState({ busy: true, fetched: rows.length });
      } while (cursor && rows.length < MAX_EXPORTED);
      download(toCsv(rows), fileName);
      const cut = cursor ? ` (stopped at ${formatCount(MAX_EXPORTED)}: narrow the range for the rest)` : '';
      setState({ busy: false, fetched: rows.length, message: `Exported ${formatCount(rows.length)} ${noun.many}${cut}` });
    } catch (error) {
      setState({ busy: false, fetched: 0, error: `Export failed: ${errorMessage(error)}` });
    }
  };

  return (
    <span className="inline-flex items-center gap-2">
      <span aria-live="polite" className={`text-xs ${state.error ? 'text-bad' : 'text-muted'}`}>
        {state.error ?? (state.busy ? `Fetching… ${formatCount(state.fetched)} ${noun.many}` : state.message)}
      </span>
      <Button size="sm" busy={state.busy} disabled={disabled} title={disabled ? `No ${noun.one} to export with these filters` : undefined} onClick={() => void exportRows()}>
        Export CSV
      </Button>
    </span>
  );
}

/** The file name's range part: `2026-11-01-to-now`. */
export function csvRange(filter: { from?: string; to?: string }): string {
  return `${filter.from?.slice(0, 10) ?? 'all'}-to-${filter.to?.slice(0, 10) ?? 'now'}`;
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
