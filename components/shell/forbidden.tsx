import Link from 'next/link';

/** What a signed-in operator sees on a page their role does not open. */
export function Forbidden({ what, role }: { what: string; role: string }) {
  return (
    <div className="mx-auto mt-16 max-w-md rounded-lg border border-border bg-panel p-6 text-sm">
      <h1 className="text-lg font-semibold">Not for your role</h1>
      <p className="mt-2 text-muted">
        {what} are managed by operators with the {role} role. Ask one if you need a change.
      </p>
      <Link href="/" className="mt-4 inline-block text-accent hover:underline">
        Back to the overview
      </Link>
    </div>
  );
}
