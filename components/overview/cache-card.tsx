'use client';

import type { BackendStatus } from '@/lib/status';
import { formatBytes, formatCount } from '@/lib/ui/format';
import { useStatusQuery } from '../api/stats';
import { Panel } from '../ui/panel';
import { QueryState } from '../ui/state-panel';
import { Badge } from '../ui/status-badge';
import { Stat } from './stat';

/** The cache backend's health and size, the database's, and the size of the shop being warmed. */
export function CacheCard() {
  const status = useStatusQuery({ refetchInterval: 30_000 });
  return (
    <Panel title="Cache and shop" id="cache" actions={status.data ? <Health backend={status.data.cache} testId="backend-cache" /> : null}>
      <QueryState query={status} what="the backends’ status">
        {(data) => {
          const details = data.cache.details ?? {};
          const num = (key: string) => (typeof details[key] === 'number' ? (details[key] as number) : undefined);
          const used = num('usedMemoryBytes');
          const max = num('maxMemoryBytes');
          const evicted = num('evictedKeys');
          const shop = data.shop;
          return (
            <div className="space-y-3 p-4">
              <dl className="grid grid-cols-3 gap-3">
                <Stat label="Memory">
                  {used === undefined ? '–' : formatBytes(used)}
                  {/* Its own line: "976.9 KB of 3.0 MB" does not fit a third of the card. */}
                  {used !== undefined && max ? <span className="block text-xs font-normal text-muted">of {formatBytes(max)}</span> : null}
                </Stat>
                <Stat label="Keys">{num('keys') === undefined ? '–' : formatCount(num('keys')!)}</Stat>
                <Stat label="Evicted" tone={evicted ? 'warn' : undefined}>
                  {evicted === undefined ? '–' : formatCount(evicted)}
                </Stat>
              </dl>
              <p className="truncate text-xs text-muted" title={data.cache.description}>
                {data.cache.error ? <span className="text-bad">{data.cache.error}</span> : data.cache.description}
              </p>
              <div className="flex items-center justify-between gap-2 border-t border-border pt-3 text-xs">
                <span className="truncate text-muted" title={data.database.description}>
                  Database
                </span>
                <Health backend={data.database} testId="backend-database" />
              </div>
              {shop ? (
                <dl className="grid grid-cols-3 gap-3">
                  <Stat label="Products" testId="count-products">
                    {formatCount(shop.products)}
                  </Stat>
                  <Stat label="Active" testId="count-active-products">
                    {formatCount(shop.activeProducts)}
                  </Stat>
                  <Stat label="Categories" testId="count-categories">
                    {formatCount(shop.categories)}
                  </Stat>
                  <Stat label="Orders" testId="count-orders">
                    {formatCount(shop.orders)}
                  </Stat>
                  <Stat label="Users" testId="count-users">
                    {formatCount(shop.users)}
                  </Stat>
                  <Stat label="Live sessions" testId="count-live-sessions">
                    {formatCount(shop.liveSessions)}
                  </Stat>
                </dl>
              ) : (
                <p role="alert" className="text-xs text-bad">
                  The shop’s tables could not be read: {data.shopError}
                </p>
              )}
            </div>
          );
        }}
      </QueryState>
    </Panel>
  );
}

const BACKEND_NAMES: Record<string, string> = {
  redis: 'Redis',
  'redis-cluster': 'Redis Cluster',
  memory: 'In-process cache',
  postgres: 'PostgreSQL',
  pglite: 'PGlite (embedded)',
};

function Health({ backend, testId }: { backend: BackendStatus; testId: string }) {
  const name = BACKEND_NAMES[backend.kind] ?? backend.kind;
  return (
    <span data-testid={testId} title={backend.description} className="inline-flex items-center gap-2 text-xs">
      <span className="text-muted">{name}</span>
      {backend.ok ? <Badge tone="ok">answers · {backend.latencyMs} ms</Badge> : <Badge tone="bad">not answering</Badge>}
    </span>
  );
}
