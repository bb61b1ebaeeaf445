import type { RunStatus } from '@/lib/api/runs';

type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'muted';

const TONES: Record<Tone, string> = {
  ok: 'text-ok border-ok/40 bg-ok/10',
  warn: 'text-warn border-warn/40 bg-warn/10',
  bad: 'text-bad border-bad/40 bg-bad/10',
  info: 'text-accent border-accent/40 bg-accent/10',
  muted: 'text-muted border-border bg-subtle',
};

const RUN_TONES: Record<string, Tone> = {
  running: 'info',
  succeeded: 'ok',
  partial: 'warn',
  failed: 'bad',
  cancelled: 'muted',
  abandoned: 'bad',
  skipped: 'muted',
  started: 'ok',
  skipped_overlap: 'warn',
  skipped_busy: 'warn',
  skipped_blackout: 'muted',
  missed: 'bad',
  error: 'bad',
  ok: 'ok',
  denied: 'warn',
};

/** A word in a coloured frame: the colour repeats the word, it never replaces it. */
export function Badge({ tone, children }: { tone: Tone; children: React.ReactNode }) {
  return <span className={`inline-flex items-center rounded border px-1.5 py-px text-xs font-medium whitespace-nowrap ${TONES[tone]}`}>{children}</span>;
}

/** A run status, a strategy outcome, a schedule fire outcome or an audit outcome. */
export function StatusBadge({ status }: { status: RunStatus | string }) {
  return (
    <Badge tone={RUN_TONES[status] ?? 'muted'}>
      {status === 'running' ? <span aria-hidden className="mr-1 size-1.5 animate-pulse rounded-full bg-current" /> : null}
      {status.replace(/_/g, ' ')}
    </Badge>
  );
}
