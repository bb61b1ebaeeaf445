import type { ReactNode } from 'react';
import { ThemeToggle } from './theme-toggle';

/** The frame of the pages outside the dashboard (sign-in, password): one centred card, the theme toggle. */
export function AuthCard({ title, lead, children }: { title: string; lead: ReactNode; children: ReactNode }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4">
      <div className="absolute right-4 top-3">
        <ThemeToggle />
      </div>
      <div className="w-full max-w-sm rounded-lg border border-border bg-panel p-6 shadow-sm">
        <h1 className="text-lg font-semibold">{title}</h1>
        <p className="mt-1 text-sm text-muted">{lead}</p>
        {children}
      </div>
    </main>
  );
}
