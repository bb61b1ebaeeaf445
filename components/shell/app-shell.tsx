'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { type ReactNode, useState } from 'react';
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

  const [menuOpen, setMenuOpen] = useState(false);
  const signOut = () => logout.mutate(undefined, { onSuccess: () => window.location.assign('/login') });

  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-panel focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header className="sticky top-0 z-20 border-b border-border bg-panel/95 backdrop-blur">
        <div className="mx-auto flex h-12 max-w-[1440px] items-center gap-6 px-3 sm:px-5">
          <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
            <KilnMark />
            Kiln
          </Link>
          <nav aria-label="Main" className="hidden items-center gap-1 text-sm lg:flex">
            <NavLinks links={links} pathname={pathname} />
          </nav>
          <div className="ml-auto hidden items-center gap-3 text-sm lg:flex">
            <SignedInAs label={current.label} role={current.role} />
            <ThemeToggle />
            <button type="button" onClick={signOut} className="rounded-md px-2 py-1 text-muted hover:bg-subtle hover:text-text">
              Sign out
            </button>
          </div>
          {/* Below 1024 px the links and the account fold into one menu: nothing runs off the screen. */}
          <div className="ml-auto flex items-center gap-1 lg:hidden">
            <ThemeToggle />
            <button
              type="button"
              aria-expanded={menuOpen}
              aria-controls="phone-menu"
              onClick={() => setMenuOpen((open) => !open)}
              className="inline-flex h-8 items-center gap-1.5 rounded-md border border-border px-2.5 text-sm hover:bg-subtle focus-visible:outline-2 focus-visible:outline-accent"
            >
              <MenuIcon open={menuOpen} />
              Menu
            </button>
          </div>
        </div>
        {menuOpen ? (
          <div id="phone-menu" className="border-t border-border px-3 pb-3 pt-2 text-sm lg:hidden">
            {/* A link followed from the menu closes it (the click bubbles up from the link). */}
            <nav aria-label="Main" className="grid grid-cols-2 gap-1" onClick={() => setMenuOpen(false)}>
              <NavLinks links={links} pathname={pathname} />
            </nav>
            <div className="mt-2 flex items-center justify-between gap-3 border-t border-border pt-2">
              <SignedInAs label={current.label} role={current.role} />
              <button type="button" onClick={signOut} className="rounded-md border border-border px-2.5 py-1 hover:bg-subtle">
                Sign out
              </button>
            </div>
          </div>
        ) : null}
        {logout.isError ? (
          <p role="alert" className="mx-auto max-w-[1440px] px-5 pb-2 text-sm text-bad">
            Sign-out failed: {errorMessage(logout.error)}
          </p>
        ) : null}
      </header>
      <main id="main" className="mx-auto max-w-[1440px] px-3 py-5 sm:px-5">
        <PauseBanner />
        {children}
      </main>
    </div>
  );
}

/** The section a path belongs to: a run's page is part of History (that is where runs are listed). */
export function isActiveLink(href: string, pathname: string): boolean {
  if (href === '/') return pathname === '/';
  if (href === '/history') return pathname.startsWith('/history') || pathname.startsWith('/runs');
  return pathname.startsWith(href);
}

function NavLinks({ links, pathname }: { links: { href: string; label: string }[]; pathname: string }) {
  return links.map((link) => {
    const active = isActiveLink(link.href, pathname);
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
  });
}

function SignedInAs({ label, role }: { label: string; role: string }) {
  return (
    <span className="min-w-0 truncate text-muted" data-testid="signed-in-as">
      <Link href="/account/password" title="Change your password" className="hover:text-text hover:underline">
        {label}
      </Link>{' '}
      · <span className="text-text">{role}</span>
    </span>
  );
}

function MenuIcon({ open }: { open: boolean }) {
  return (
    <svg aria-hidden viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round">
      {open ? <path d="M5 5l10 10M15 5 5 15" /> : <path d="M3.5 6h13M3.5 10h13M3.5 14h13" />}
    </svg>
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
