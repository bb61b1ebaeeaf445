import type { BackendStatus, SystemStatus } from '@/lib/status';

const number = new Intl.NumberFormat('en-US');

export function SystemStatusView({ status }: { status: SystemStatus }) {
  const shop = status.shop;
  const counts: [string, number | undefined][] = [
    ['Categories', shop?.categories],
    ['Products', shop?.products],
    ['Active products', shop?.activeProducts],
    ['Orders', shop?.orders],
    ['Users', shop?.users],
    ['Live sessions', shop?.liveSessions],
  ];
  return (
    <main className="mx-auto max-w-5xl px-6 py-10">
      <h1 className="text-2xl font-semibold">Kiln</h1>
      <p className="mt-1 text-muted">Cache warmup for the shop&apos;s Redis in front of Postgres.</p>

      <section aria-labelledby="shop-heading" className="mt-8">
        <h2 id="shop-heading" className="text-lg font-medium">The shop</h2>
        {status.shopError ? (
          <p role="alert" className="mt-2 text-bad">The shop&apos;s tables could not be read: {status.shopError}</p>
        ) : (
          <dl className="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-3">
            {counts.map(([label, value]) => (
              <div key={label} className="rounded-lg border border-border bg-panel p-4">
                <dt className="text-sm text-muted">{label}</dt>
                <dd className="mt-1 text-2xl font-semibold tabular-nums" data-testid={`count-${label.toLowerCase().replace(/ /g, '-')}`}>
                  {value === undefined ? '–' : number.format(value)}
                </dd>
              </div>
            ))}
          </dl>
        )}
      </section>

      <section aria-labelledby="backends-heading" className="mt-8">
        <h2 id="backends-heading" className="text-lg font-medium">Backends</h2>
        <div className="mt-3 grid gap-3 sm:grid-cols-2">
          <Backend title="Database" backend={status.database} />
          <Backend title="Cache" backend={status.cache} />
        </div>
      </section>
      <p className="mt-8 text-xs text-muted">Checked {new Date(status.checkedAt).toLocaleString('en-US', { timeZone: 'UTC' })} UTC</p>
    </main>
  );
}

function Backend({ title, backend }: { title: string; backend: BackendStatus }) {
  return (
    <div className="rounded-lg border border-border bg-panel p-4" data-testid={`backend-${title.toLowerCase()}`}>
      <div className="flex items-center justify-between">
        <h3 className="font-medium">{title}</h3>
        <span className={backend.ok ? 'text-ok' : 'text-bad'}>
          {backend.ok ? `answers (${backend.latencyMs} ms)` : 'not answering'}
        </span>
      </div>
      <p className="mt-1 text-sm text-muted">{backend.description}</p>
      {backend.error ? <p className="mt-1 text-sm text-bad">{backend.error}</p> : null}
    </div>
  );
}
