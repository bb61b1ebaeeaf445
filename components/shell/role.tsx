'use client';

import type { ReactNode } from 'react';
import { type Role, roleAtLeast } from '@/lib/api/auth';
import { useMeQuery } from '../api/auth';

/** Whether the signed-in operator's role is at least `minimum`; false until known. */
export function useHasRole(minimum: Role): boolean {
  const me = useMeQuery();
  return me.data ? roleAtLeast(me.data.role, minimum) : false;
}

/**
 * Renders its children only for a role that may use them. Every control that changes something
 * also carries `data-mutates` (the viewer e2e test counts them: none for a viewer, some for an
 * operator, so the check can fail). Viewers do not get disabled buttons:
 * they get none, so the page shows what is, not what they may not do.
 */
export function Can({ role, children, fallback = null }: { role: Role; children: ReactNode; fallback?: ReactNode }) {
  return useHasRole(role) ? <>{children}</> : <>{fallback}</>;
}
