'use client';

import { useState } from 'react';
import { AUDIT_OUTCOMES, type AuditOutcome } from '@/lib/api/audit';
import { zoneLabel } from '@/lib/ui/format';
import { localInputToIso } from '@/lib/ui/time-range';
import { fieldError } from '../api/api-fetch';
import { type AuditFilter, useAuditQuery } from '../api/audit';
import { CursorPager, useCursorPages } from '../ui/cursor-pager';
import { SelectField, TextField } from '../ui/field';
import { PageHeader, Panel } from '../ui/panel';
import { EmptyState, QueryState } from '../ui/state-panel';
import { useDebounced } from '../ui/use-debounced';
import { AuditCsvButton } from './audit-csv-button';
import { AuditTable } from './audit-table';

const FAMILIES = [
  ['', 'All actions'],
  ['run.*', 'Runs'],
  ['settings.*', 'Settings'],
  ['strategy.*', 'Strategies'],
  ['schedule.*', 'Schedules'],
  ['auth.*', 'Sign-ins'],
  ['operator.*', 'Operators'],
  ['token.*', 'API tokens'],
  ['access.*', 'Refused requests'],
] as const;

/** Who did what, when, from where: filtered by person, kind of action, outcome and time. */
export function AuditPage() {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [outcome, setOutcome] = useState<AuditOutcome | ''>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const typedActor = useDebounced(actor.trim(), 400);
  const filter: AuditFilter = {
    actor: typedActor || undefined,
    action: action || undefined,
    outcome: outcome || undefined,
    from: from ? (localInputToIso(from) ?? undefined) : undefined,
    to: to ? (localInputToIso(to) ?? undefined) : undefined,
  };
  const pages = useCursorPages(JSON.stringify(filter));
  const audit = useAuditQuery({ ...filter, cursor: pages.cursor, limit: 50 });
  const filtered = Object.values(filter).some(Boolean);

  return (
    <>
      <PageHeader title="Audit log" description="Every sign-in, change and refused request, newest first." />
      <div className="mb-4 grid grid-cols-1 items-start gap-3 sm:grid-cols-2 xl:grid-cols-[16rem_12rem_10rem_13rem_13rem]">
        <TextField label="Who (exact email or token:name)" value={actor} onChange={(e) => setActor(e.target.value)} error={fieldError(audit.error, 'actor')} />
        <SelectField label="Action" value={action} onChange={(e) => setAction(e.target.value)}>
          {FAMILIES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </SelectField>
        <SelectField label="Outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as AuditOutcome | '')}>
          <option value="">Any</option>
          {AUDIT_OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </SelectField>
        {/* 24-hour YYYY-MM-DD HH:MM in the browser's zone (datetime-local would follow the locale: 12-hour in en-US). */}
        <TextField label={`From (24-hour, ${zoneLabel(new Date().toISOString())})`} placeholder="2026-11-22 08:00" value={from} onChange={(e) => setFrom(e.target.value)} error={fieldError(audit.error, 'from') ?? (from && !localInputToIso(from) ? 'Expected YYYY-MM-DD HH:MM' : undefined)} />
        <TextField label={`To (24-hour, ${zoneLabel(new Date().toISOString())})`} placeholder="2026-11-22 20:00" value={to} onChange={(e) => setTo(e.target.value)} error={fieldError(audit.error, 'to') ?? (to && !localInputToIso(to) ? 'Expected YYYY-MM-DD HH:MM' : undefined)} />
      </div>
      <Panel title="Entries" id="audit" actions={<AuditCsvButton key={JSON.stringify(filter)} filter={filter} disabled={audit.data !== undefined && audit.data.entries.length === 0 && pages.page === 1} />}>
        <QueryState
          query={audit}
          what="the audit log"
          loadingRows={8}
          isEmpty={(page) => page.entries.length === 0}
          empty={<EmptyState>{filtered ? 'No entry matches these filters: widen them.' : 'Nothing has been recorded yet.'}</EmptyState>}
        >
          {(page) => (
            <>
              <AuditTable entries={page.entries} />
              <CursorPager page={pages.page} nextCursor={page.nextCursor} onOlder={pages.older} onNewer={pages.newer} busy={audit.isFetching} />
            </>
          )}
        </QueryState>
      </Panel>
    </>
  );
}
