'use client';

import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '../api/api-fetch';
import { Button } from './button';

/** Loading: a quiet placeholder of about the size of what comes, announced to screen readers. */
export function LoadingState({ label = 'Loading', rows = 3 }: { label?: string; rows?: number }) {
  return (
    <div role="status" aria-live="polite" className="space-y-2 p-4">
      <span className="sr-only">{label}…</span>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} aria-hidden className="h-4 animate-pulse rounded bg-subtle" style={{ width: `${90 - i * 15}%` }} />
      ))}
    </div>
  );
}

/** An error in words, with a way to try again (not when the server said no for good: not found, forbidden, bad request). */
export function ErrorState({ error, onRetry, what }: { error: unknown; onRetry?: () => void; what?: string }) {
  const permanent = error instanceof ApiError && [400, 403, 404].includes(error.status);
  return (
    <div role="alert" className="flex flex-wrap items-center justify-between gap-3 p-4 text-sm">
      <p className="text-bad">
        {what ? `Could not load ${what}: ` : ''}
        {errorMessage(error)}
      </p>
      {onRetry && !permanent ? (
        <Button size="sm" onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}

/** Nothing to show: says so, and what to do next. */
export function EmptyState({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-3 p-4 text-sm text-muted">
      <p>{children}</p>
      {action}
    </div>
  );
}

/**
 * The one way a query's states are shown: loading, error (with retry), empty (with what to do
 * next), then the data. A refetch keeps the data on screen; a failed refetch shows its error
 * above the data it could not refresh.
 */
export function QueryState<T>({
  query,
  what,
  isEmpty,
  empty,
  loadingRows,
  children,
}: {
  query: UseQueryResult<T>;
  /** "runs", "the strategies": completes "Could not load …". */
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  loadingRows?: number;
  children: (data: T) => ReactNode;
}) {
  if (query.data === undefined) {
    if (query.isError) return <ErrorState error={query.error} what={what} onRetry={() => void query.refetch()} />;
    return <LoadingState label={`Loading ${what}`} rows={loadingRows} />;
  }
  return (
    <>
      {query.isError ? <ErrorState error={query.error} what={`the latest ${what}`} onRetry={() => void query.refetch()} /> : null}
      {isEmpty?.(query.data) ? empty : children(query.data)}
    </>
  );
}
