'use client';

import type { AuditPage } from '@/lib/api/audit';
import { auditToCsv } from '@/lib/ui/audit-view';
import { apiFetch } from '../api/api-fetch';
import type { AuditFilter } from '../api/audit';
import { PagedCsvButton, csvRange } from '../ui/paged-csv-button';

/** Downloads every audit entry the filters select (not just the page on screen) as CSV. */
export function AuditCsvButton({ filter, disabled = false }: { filter: Omit<AuditFilter, 'cursor' | 'limit'>; disabled?: boolean }) {
  return (
    <PagedCsvButton
      fetchPage={async (cursor, limit) => {
        const page = await apiFetch<AuditPage>('/api/audit', { query: { ...filter, cursor, limit } });
        return { items: page.entries, nextCursor: page.nextCursor };
      }}
      toCsv={auditToCsv}
      fileName={`kiln-audit-${csvRange(filter)}.csv`}
      noun={{ one: 'entry', many: 'entries' }}
      disabled={disabled}
    />
  );
}
