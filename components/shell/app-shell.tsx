'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import type { Actor } from '@/lib/api/auth';
import { useLogoutMutation, useMeQuery } from '../api/auth';
import { errorMessage } from '../api/api-fetch';
import { useHasRole } from './role';
import { PauseBanner } from './pause-banner';
import { ThemeToggle } from './theme-toggle';

const LINKS = [
  { href: '/', label: 'Overview' },
  { href: '/history', label: 'History' },
  { href: '/freshness', label: 'Freshness' },
  { href: '/schedules', label: 'Schedules' },
  { href: '/workers', label: 'Workers' },
  { href: '/alerts', label: 'Alerts' },
  { href: '/settings', label: 'Settings' },
  { href: '/audit', label: 'Audit' },
];

/** The frame of every signed-in page: where you are, where you can go, who you are. */
export function AppShell({ actor, children }: { actor: Actor; children: ReactNode }) {
  const me = useMeQuery(actor);
  const isAdmin = useHasRole('admin');
  const pathname = usePathname();
  const logout = useLogoutMutation();
  const links = isAdmin ? [...LINKS, { href: '/admin', label: 'Admin' }] : LINKS;
  const current = me.data ?? actor;

  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-panel focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header className="sticky top-0 z-20 border-b border-border bg-panel/95 backdrop-blur">
        <div className="mx-auto flex h-12 max-w-[1440px] items-center gap-6 px-5">
          <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
            <KilnMark />
            Kiln
          </Link>
          <nav aria-label="Main" className="flex items-center gap-1 text-sm">
            {links.map((link) => {
              const active = link.href === '/' ? pathname === '/' || pathname.startsWith('/runs') : pathname.startsWith(link.href);
              return (
                <Link
                  key={link.href}
                  href={link.href}
                  aria-current={active ? 'page' : undefined}
                  className={`rounded-md px-2.5 py-1.5 ${active ? 'bg-subtle font-medium text-text' : 'text-muted hover:text-text'}`}
                >
                  {link.label}
                </Link>
              );
            })}
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <span className="text-muted" data-testid="signed-in-as">
              <Link href="/account/password" title="Change your password" className="hover:text-text hover:underline">
                {current.label}
              </Link>{' '}
              · <span className="text-text">{current.role}</span>
            </span>
            <ThemeToggle />
            <button
              type="button"
              onClick={() => logout.mutate(undefined, { onSuccess: () => window.location.assign('/login') })}
              className="rounded-md px-2 py-1 text-muted hover:bg-subtle hover:text-text"
            >
              Sign out
            </button>
          </div>
        </div>
        {logout.isError ? (
          <p role="alert" className="mx-auto max-w-[1440px] px-5 pb-2 text-sm text-bad">
            Sign-out failed: {errorMessage(logout.error)}
          </p>
        ) : null}
      </header>
      <main id="main" className="mx-auto max-w-[1440px] px-5 py-5">
        <PauseBanner />
        {children}
      </main>
    </div>
  );
}

function KilnMark() {
  return (
    <svg aria-hidden viewBox="0 0 20 20" className="size-5 text-accent">
      <path d="M3 17V8.5L10 3l7 5.5V17Z" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" />
      <path d="M8 17v-3.5a2 2 0 0 1 4 0V17" fill="currentColor" />
    </svg>
  );
}
