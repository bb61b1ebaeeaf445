import Link from 'next/link';

/** An address that leads nowhere: said plainly, with the ways on. */
export function NotFoundPanel({ signedIn }: { signedIn: boolean }) {
  return (
    <div className="mx-auto mt-16 max-w-md rounded-lg border border-border bg-panel p-6 text-sm">
      <p className="text-xs font-medium uppercase tracking-wide text-muted">404</p>
      <h1 className="mt-1 text-lg font-semibold">Page not found</h1>
      <p className="mt-2 text-muted">Nothing lives at this address. It may have been mistyped, or a link pointed somewhere that has moved.</p>
      <p className="mt-4 flex flex-wrap gap-4">
        {signedIn ? (
          <>
            <Link href="/" className="text-accent hover:underline">
              Overview
            </Link>
            <Link href="/history" className="text-accent hover:underline">
              History
            </Link>
          </>
        ) : (
          <Link href="/login" className="text-accent hover:underline">
            Sign in
          </Link>
        )}
      </p>
    </div>
  );
}
