import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { QueryProvider } from '@/components/api/query-provider';
import { THEME_SCRIPT } from '@/lib/ui/theme';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Kiln', template: '%s · Kiln' },
  description: 'Cache-warmup control room',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The theme script sets the `dark` class before React hydrates: the class is expected to differ.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="min-h-screen font-sans antialiased">
        <QueryProvider>{children}</QueryProvider>
      </body>
    </html>
  );
}
