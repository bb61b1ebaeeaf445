'use client';

import { PageHeader } from '../ui/panel';
import { OperatorsPanel } from './operators-panel';
import { TokensPanel } from './tokens-panel';

/** Admins only: who may sign in, and the tokens scripts use. */
export function AdminPage() {
  return (
    <>
      <PageHeader title="Admin" description="Operators and API tokens. Every change here is in the audit log." />
      <div className="space-y-4">
        <OperatorsPanel />
        <TokensPanel />
      </div>
    </>
  );
}
