import 'server-only';

/**
 * The key of a cache key's freshness marker (the WAL position it was last re-warmed on change
 * from), given the key as stored (prefix included). It lives in the same Redis Cluster slot as the
 * key, so one script reads both: a key without a hash tag is hashed whole, so the marker carries
 * it whole as its tag (`kiln-fresh:{Product:id:1}`); a key with a tag lends it
 * (`{shop}:Product:id:1` gives `kiln-fresh:{shop}:{shop}:Product:id:1`). Markers never start with
 * a shop key family, so scans of a family do not see them. (A key holding a `}` but no tag would
 * land in another slot: the shop's key formats have no braces.)
 */
export function freshnessMarkerKey(fullKey: string): string {
  const tag = hashTag(fullKey);
  return tag === null ? `kiln-fresh:{${fullKey}}` : `kiln-fresh:{${tag}}:${fullKey}`;
}

/** Redis Cluster's hash tag: the text between the first `{` and the next `}`, when not empty. */
export function hashTag(key: string): string | null {
  const open = key.indexOf('{');
  if (open === -1) return null;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : null;
}
