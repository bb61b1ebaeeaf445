'use client';

import type { AlertsOverview, ChannelView, IncidentView } from '@/lib/api/alerts';
import { useState } from 'react';
import { formatDuration, humanize } from '@/lib/ui/format';
import { ruleLabel, strategyLabel, subjectLabel } from '@/lib/ui/labels';
import { useAlertsQuery, useDeleteChannelMutation, useEndSilenceMutation, useTestChannelMutation, useUpdateChannelMutation } from '../api/alerts';
import { errorMessage } from '../api/api-fetch';
import { useStrategiesQuery } from '../api/strategies';
import { Can } from '../shell/role';
import { Button } from '../ui/button';
import { LocalTime } from '../ui/local-time';
import { PageHeader, Panel } from '../ui/panel';
import { EmptyState, QueryState } from '../ui/state-panel';
import { Badge } from '../ui/status-badge';
import { ChannelForm } from './channel-form';
import { type SilencePreset, SilenceForm } from './silence-form';

const HEAD = 'px-3 py-2 text-left text-xs font-medium text-muted whitespace-nowrap';
const SEVERITY_TONE = { critical: 'bad', warning: 'warn', info: 'info' } as const;

/** Open incidents, their history, the channels with their last delivery, silences, the rules, the delivery log. */
export function AlertsPage() {
  const query = useAlertsQuery();
  const strategies = useStrategiesQuery({ refetchInterval: false }).data?.map((s) => s.name) ?? [];
  // "Silence…" on an incident fills the silence form with its rule and subject.
  const [preset, setPreset] = useState<SilencePreset | null>(null);
  const silence = (incident: IncidentView) => {
    setPreset({ rule: incident.rule, subject: incident.subject, at: Date.now() });
    document.getElementById('silences')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };
  return (
    <>
      <PageHeader title="Alerts" description="Kiln tells people once per incident, and again when it is over: by webhook, Slack or email." />
      <QueryState query={query} what="the alerts" loadingRows={6}>
        {(data) => (
          <div className="space-y-4">
            <Incidents title="Open incidents" id="open" incidents={data.open} empty="Nothing is wrong right now." onSilence={silence} />
            <Channels data={data} />
            <Panel title="Silences" id="silences">
              <Can role="operator">
                <div className="border-b border-border p-4">
                  <SilenceForm key={preset?.at ?? 0} rules={data.rules.map((r) => r.rule)} subjects={knownSubjects(data, strategies)} preset={preset} />
                </div>
              </Can>
              <Silences data={data} />
            </Panel>
            <Incidents title="History" id="history" incidents={data.history} empty="No incident has closed yet." />
            <Deliveries data={data} />
            <Panel title="Rules" id="rules">
              <ul className="divide-y divide-border text-sm">
                {data.rules.map((r) => (
                  <li key={r.rule} className="flex flex-wrap items-baseline gap-x-3 px-4 py-2">
                    <span className="font-medium">{ruleLabel(r.rule)}</span>
                    <span className="text-muted">{r.description}</span>
                    <span className="text-xs text-muted">({r.setting})</span>
                    <span className="text-xs text-muted">
                      rule id <code className="font-mono">{r.rule}</code>
                    </span>
                  </li>
                ))}
              </ul>
            </Panel>
          </div>
        )}
      </QueryState>
    </>
  );
}

/** Every subject an operator may want to silence: those of recent incidents, each strategy, and Kiln's dependencies. */
function knownSubjects(data: AlertsOverview, strategyNames: string[]): string[] {
  const fromIncidents = [...data.open, ...data.history].map((i) => i.subject);
  const strategies = strategyNames.map((s) => `strategy:${s}`);
  return [...new Set([...fromIncidents, ...strategies, 'cache', 'database', 'replica', 'change-stream', 'retention'])];
}

function Incidents({ title, id, incidents, empty, onSilence }: { title: string; id: string; incidents: IncidentView[]; empty: string; onSilence?: (incident: IncidentView) => void }) {
  return (
    <Panel title={`${title} (${incidents.length})`} id={id}>
      {incidents.length === 0 ? (
        <EmptyState>{empty}</EmptyState>
      ) : (
        <ul className="divide-y divide-border">
          {incidents.map((i) => (
            <li key={i.id} className="space-y-1 px-4 py-3 text-sm" data-testid="incident">
              <div className="flex flex-wrap items-center gap-2">
                <Badge tone={i.status === 'closed' ? 'ok' : SEVERITY_TONE[i.severity]}>{i.status === 'closed' ? 'resolved' : i.severity}</Badge>
                <span className="font-medium">{i.title}</span>
                {i.silenced ? <Badge tone="muted">silenced</Badge> : null}
                {onSilence && !i.silenced ? (
                  <Can role="operator">
                    <Button size="sm" className="ml-auto" onClick={() => onSilence(i)} aria-label={`Silence: ${i.title}`}>
                      Silence…
                    </Button>
                  </Can>
                ) : null}
              </div>
              <p className="text-muted break-words">{i.text}</p>
              <p className="text-xs text-muted">
                {ruleLabel(i.rule)} · {subjectLabel(i.subject)} · opened <LocalTime iso={i.openedAt} relative />
                {i.closedAt ? (
                  <>
                    {' '}
                    · closed after {formatDuration(new Date(i.closedAt).getTime() - new Date(i.openedAt).getTime())}: {i.closedReason}
                  </>
                ) : null}
                {typeof i.details.path === 'string' ? (
                  <>
                    {' '}
                    ·{' '}
                    <a className="text-accent hover:underline" href={i.details.path}>
                      open
                    </a>
                  </>
                ) : null}
              </p>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

function Channels({ data }: { data: AlertsOverview }) {
  return (
    <Panel title="Channels" id="channels">
      {data.channels.length === 0 ? <EmptyState>No channel yet: alerts are recorded here but reach nobody.</EmptyState> : null}
      <ul className="divide-y divide-border">
        {data.channels.map((c) => (
          <ChannelRow key={c.id} channel={c} smtpConfigured={data.smtpConfigured} />
        ))}
      </ul>
      <Can role="admin">
        <div className="border-t border-border p-4">
          <ChannelForm />
        </div>
      </Can>
    </Panel>
  );
}

function ChannelRow({ channel: c, smtpConfigured }: { channel: ChannelView; smtpConfigured: boolean }) {
  const test = useTestChannelMutation();
  const update = useUpdateChannelMutation();
  const remove = useDeleteChannelMutation();
  const d = c.lastDelivery;
  const filters = [
    c.rules && `Rules: ${c.rules.map(ruleLabel).join(', ')}`,
    c.strategies && `Strategies: ${c.strategies.map(strategyLabel).join(', ')}`,
    c.severities && `Severities: ${c.severities.join(', ')}`,
  ].filter(Boolean);
  return (
    <li className="flex flex-wrap items-start justify-between gap-3 px-4 py-3 text-sm" data-testid="channel">
      <div className="min-w-0 space-y-1">
        <div className="flex flex-wrap items-center gap-2">
          <span className="font-medium">{c.name}</span>
          <Badge tone="muted">{c.kind}</Badge>
          {!c.enabled ? <Badge tone="warn">off</Badge> : null}
        </div>
        <p className="break-all text-xs text-muted">
          {c.kind === 'email' ? c.recipients.join(', ') : c.url}
          {c.kind === 'webhook' ? (c.hasSecret ? ' · signed' : ' · unsigned') : ''}
          {c.kind === 'email' && !smtpConfigured ? ' · no SMTP server configured (KILN_SMTP_HOST)' : ''}
        </p>
        <p className="text-xs text-muted">{filters.length ? filters.join(' · ') : 'Every rule, strategy and severity'}</p>
        <p className="text-xs">
          {d ? (
            <>
              Last delivery <LocalTime iso={d.at} relative />: <Badge tone={d.ok ? 'ok' : 'bad'}>{d.ok ? 'delivered' : 'failed'}</Badge> {d.statusCode ?? ''} · attempt {d.attempt} · {d.latencyMs} ms
              {d.error ? <span className="text-bad"> · {d.error}</span> : null}
            </>
          ) : (
            <span className="text-muted">Nothing delivered yet</span>
          )}
        </p>
        {test.isSuccess ? <p className="text-xs text-ok" role="status">Test queued (event {test.data.eventId.slice(0, 8)}); its delivery shows above within seconds.</p> : null}
        {test.error || update.error || remove.error ? <p className="text-xs text-bad" role="alert">{errorMessage(test.error ?? update.error ?? remove.error)}</p> : null}
      </div>
      <Can role="admin">
        <div className="flex flex-wrap gap-2">
          <Button size="sm" busy={test.isPending} onClick={() => test.mutate(c.id)}>
            Send test
          </Button>
          <Button size="sm" busy={update.isPending} onClick={() => update.mutate({ id: c.id, patch: { enabled: !c.enabled } })}>
            {c.enabled ? 'Turn off' : 'Turn on'}
          </Button>
          <Button size="sm" variant="danger" busy={remove.isPending} onClick={() => window.confirm(`Delete the channel "${c.name}"?`) && remove.mutate(c.id)}>
            Delete
          </Button>
        </div>
      </Can>
    </li>
  );
}

function Silences({ data }: { data: AlertsOverview }) {
  const end = useEndSilenceMutation();
  if (data.silences.length === 0) return <EmptyState>No silence in the last day.</EmptyState>;
  return (
    <ul className="divide-y divide-border">
      {data.silences.map((s) => (
        <li key={s.id} className="flex flex-wrap items-center justify-between gap-3 px-4 py-2 text-sm">
          <span>
            <Badge tone={s.active ? 'info' : 'muted'}>{s.active ? 'active' : 'ended'}</Badge> {s.rule ? ruleLabel(s.rule) : 'Every rule'}
            {s.subject ? ` · ${subjectLabel(s.subject)}` : ''} · until <LocalTime iso={s.until} /> {s.reason ? `· ${s.reason}` : ''} <span className="text-muted">· by {s.createdBy}</span>
          </span>
          {s.active ? (
            <Can role="operator">
              <Button size="sm" busy={end.isPending} onClick={() => end.mutate(s.id)}>
                End now
              </Button>
            </Can>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function Deliveries({ data }: { data: AlertsOverview }) {
  const names = new Map(data.channels.map((c) => [c.id, c.name]));
  return (
    <Panel title="Delivery log" id="deliveries">
      {data.deliveries.length === 0 ? (
        <EmptyState>No delivery attempt yet.</EmptyState>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead className="border-b border-border">
              <tr>
                <th scope="col" className={HEAD}>When</th>
                <th scope="col" className={HEAD}>Channel</th>
                <th scope="col" className={HEAD}>Message</th>
                <th scope="col" className={HEAD}>Result</th>
                <th scope="col" className={`${HEAD} text-right`}>Attempt</th>
                <th scope="col" className={`${HEAD} text-right`}>Latency</th>
              </tr>
            </thead>
            <tbody>
              {data.deliveries.map((d) => (
                <tr key={d.id} className="border-b border-border last:border-0 align-top">
                  <td className="px-3 py-2 text-xs whitespace-nowrap">
                    <LocalTime iso={d.at} relative />
                  </td>
                  <td className="px-3 py-2 whitespace-nowrap">{names.get(d.channelId) ?? `#${d.channelId} (deleted)`}</td>
                  <td className="px-3 py-2">
                    <div>{d.title}</div>
                    <div className="text-xs text-muted">
                      {humanize(d.event.replace('incident.', ''))} · event <code className="font-mono">{d.eventId.slice(0, 8)}</code>
                    </div>
                  </td>
                  <td className="px-3 py-2">
                    <Badge tone={d.ok ? 'ok' : 'bad'}>{d.ok ? 'delivered' : 'failed'}</Badge> {d.statusCode ?? ''}
                    {d.error ? <div className="max-w-xs break-words text-xs text-bad">{d.error}</div> : null}
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{d.attempt}</td>
                  <td className="px-3 py-2 text-right tabular-nums whitespace-nowrap">{d.latencyMs} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
