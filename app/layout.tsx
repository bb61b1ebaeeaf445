import type { Metadata } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { QueryProvider } from '@/components/api/query-provider';
import { THEME_SCRIPT } from '@/lib/ui/theme';
import { NONCE_HEADER } from '@/server/http/security-headers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Kiln', template: '%s · Kiln' },
  description: 'Cache-warmup control room',
};

/** Every page renders per request: its scripts carry that request's CSP nonce (proxy.ts). */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const nonce = (await headers()).get(NONCE_HEADER) ?? undefined;
  return (
    // The theme script sets the `dark` class before React hydrates: the class is expected to differ.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="min-h-screen font-sans antialiased">
        <QueryProvider>{children}</QueryProvider>
      </body>
    </html>
  );
}
