'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { z } from 'zod';
import { ApiError } from './api-fetch';

// zod compiles object parsers with `new Function` unless told not to; under Kiln's CSP (no
// 'unsafe-eval') even its probe for that is reported as a violation. The browser parses little.
z.config({ jitless: true });

/**
 * The app's one QueryClient. Data is fresh for 10 s (pages that watch something live poll on their
 * own), refetched when the window regains focus (an operator coming back at 3 a.m. sees now, not
 * then), and a failed read is retried twice unless the server said no (4xx: retrying changes nothing).
 */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        gcTime: 5 * 60_000,
        refetchOnWindowFocus: true,
        retry: (failures, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
        retryDelay: (attempt) => Math.min(1000 * 2 ** attempt, 5000),
      },
      mutations: { retry: false },
    },
  });
}

export function QueryProvider({ children }: { children: ReactNode }) {
  const [client] = useState(makeQueryClient);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
