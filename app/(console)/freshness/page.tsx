import type { Metadata } from 'next';
import { FreshnessPage } from '@/components/freshness/freshness-page';

export const metadata: Metadata = { title: 'Freshness' };

export default function Page() {
  return <FreshnessPage />;
}
