import type { Metadata } from 'next';
import { Suspense } from 'react';
import { HistoryPage } from '@/components/history/history-page';

export const metadata: Metadata = { title: 'History' };

export default function Page() {
  // The page reads its filters from the address (useSearchParams).
  return (
    <Suspense>
      <HistoryPage />
    </Suspense>
  );
}
