import 'server-only';
import { BlockList, isIP } from 'node:net';

/**
 * The request header that carries the connection's peer address from Kiln's HTTP server
 * (server/cli/http-server.mjs) to the handlers, which see a Request and no socket. That server
 * overwrites it on every request, so a client cannot choose it.
 */
export const PEER_HEADER = 'x-kiln-peer';

export type TrustedProxy = { address: string; prefix: number; family: 'ipv4' | 'ipv6' };

export type EdgeSettings = {
  /** Peers whose X-Forwarded-For, -Host and -Proto are believed (KILN_TRUSTED_PROXIES). */
  trustedProxies: readonly TrustedProxy[];
  /** The origin operators' browsers use (KILN_PUBLIC_URL), e.g. https://kiln.example.com. */
  publicOrigin?: string;
};

/** Where a request came from and which origin it addressed, as far as Kiln can trust it. */
export type Edge = {
  /** The client's address: the peer, or, behind trusted proxies, the right-most untrusted X-Forwarded-For entry. */
  ip: string | null;
  /** The scheme and host the client used, and the origin a same-origin request must name. */
  proto: 'http' | 'https';
  host: string;
  origin: string;
  /** Whether the peer is a trusted proxy (its forwarded headers were read). */
  viaProxy: boolean;
};

type Marker = { __kilnPeerHeader?: boolean };

/**
 * Says that this process serves through Kiln's own HTTP server, which sets PEER_HEADER from the
 * socket. Without it (the app under plain `next start`) that header could come from the client,
 * so it is ignored and the address is unknown. Tests, which build requests as that server would,
 * call it too.
 */
export function trustPeerHeader(): void {
  (globalThis as Marker).__kilnPeerHeader = true;
}

const resolved = new WeakMap<Request, Edge>();
const blockLists = new WeakMap<readonly TrustedProxy[], BlockList>();

/**
 * The request's edge: resolved once (the first caller passes the settings; route handlers get
 * them through authorize() or, on public routes, call this first) and remembered for the request.
 */
export function resolveEdge(request: Request, settings: EdgeSettings): Edge {
  let edge = resolved.get(request);
  if (!edge) resolved.set(request, (edge = computeEdge(request, settings)));
  return edge;
}

/** The edge resolved earlier for this request. Throws when nothing resolved it: a handler bug. */
export function edgeOf(request: Request): Edge {
  const edge = resolved.get(request);
  if (!edge) throw new Error('The request edge was not resolved: call authorize() or resolveEdge() first');
  return edge;
}

function computeEdge(request: Request, settings: EdgeSettings): Edge {
  const headers = request.headers;
  const peer = (globalThis as Marker).__kilnPeerHeader ? normalizeAddress(headers.get(PEER_HEADER)) : null;
  const trusted = trustChecker(settings.trustedProxies);
  const viaProxy = peer !== null && trusted(peer);

  let ip = peer;
  let proto: 'http' | 'https' = 'http';
  let host = hostHeader(headers.get('host')) ?? 'localhost';
  if (viaProxy) {
    // Walk the chain from the right: each trusted proxy appended the address it received from;
    // the first address that is not one of ours is the client. Anything left of it is the
    // client's own text and is never read.
    const chain = (headers.get('x-forwarded-for') ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
    for (let i = chain.length - 1; i >= 0; i--) {
      const address = normalizeAddress(chain[i]!);
      if (address === null) break; // garbage where an address should be: keep the last hop we trust
      ip = address;
      if (!trusted(address)) break;
    }
    const forwardedProto = lastEntry(headers.get('x-forwarded-proto'))?.toLowerCase();
    if (forwardedProto === 'https' || forwardedProto === 'http') proto = forwardedProto;
    host = hostHeader(lastEntry(headers.get('x-forwarded-host'))) ?? host;
  }
  const origin = settings.publicOrigin ?? `${proto}://${host}`;
  return { ip, proto: settings.publicOrigin ? (settings.publicOrigin.startsWith('https:') ? 'https' : 'http') : proto, host, origin, viaProxy };
}

function trustChecker(proxies: readonly TrustedProxy[]): (address: string) => boolean {
  if (proxies.length === 0) return () => false;
  let list = blockLists.get(proxies);
  if (!list) {
    list = new BlockList();
    for (const proxy of proxies) list.addSubnet(proxy.address, proxy.prefix, proxy.family);
    blockLists.set(proxies, list);
  }
  const checked = list;
  return (address) => checked.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * An address as written in a header or reported by a socket, in its plain form (`::ffff:1.2.3.4`
 * is 1.2.3.4, `[::1]:80` is ::1, `1.2.3.4:80` is 1.2.3.4), or null when it is not an address.
 */
export function normalizeAddress(value: string | null | undefined): string | null {
  if (!value) return null;
  let text = value.trim();
  if (text.length > 64) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  text = text.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '').toLowerCase();
  return isIP(text) ? text : null;
}

function lastEntry(value: string | null): string | undefined {
  const entries = value?.split(',').map((v) => v.trim()).filter(Boolean);
  return entries?.[entries.length - 1];
}

/** A Host value that is a host name or address with an optional port; anything else is ignored. */
function hostHeader(value: string | null | undefined): string | null {
  const text = value?.trim().toLowerCase();
  if (!text || text.length > 255) return null;
  return /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(text) ? text : null;
}
