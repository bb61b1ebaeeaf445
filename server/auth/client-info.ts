import 'server-only';

export type ClientInfo = { ip: string | null; userAgent: string | null };

/**
 * The client's address: the first x-forwarded-for entry, else x-real-ip (Request objects carry no
 * socket). Measured with `next start` (Next.js 16.4.5): when a request has no x-forwarded-for,
 * Next sets it to the socket's peer (`::ffff:127.0.0.1`); when the client sends one, Next passes
 * it on unchanged, neither replaced nor appended to. So without a proxy in front that overwrites
 * the header, a client chooses its own address: the per-address sign-in limit is then advisory,
 * and only the per-account limit holds.
 */
export function clientAddress(request: Request): string | null {
  const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  const address = forwarded || request.headers.get('x-real-ip')?.trim();
  // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; keep the familiar form.
  return address ? address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '').slice(0, 100) : null;
}

/** Where a request came from, for sessions and the audit log. */
export function clientInfo(request: Request): ClientInfo {
  const userAgent = request.headers.get('user-agent');
  return { ip: clientAddress(request), userAgent: userAgent ? userAgent.slice(0, 400) : null };
}
