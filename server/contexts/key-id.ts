import 'server-only';

/** A cache key that does not have the shape its strategy's key family promises. */
export class MalformedKeyError extends Error {
  constructor(
    readonly key: string,
    expected: string,
  ) {
    super(`Malformed cache key "${key}": expected ${expected}`);
    this.name = this.constructor.name;
  }
}

const POSITIVE_INT = /^[1-9][0-9]{0,9}$/;
const MAX_INT = 2_147_483_647;

/**
 * The id at the end of a key such as `Product:id:12`. Strict on purpose: `Product:id:012` or
 * `Product:id:12 ` would be a different cache entry than the one the shop reads, so they throw.
 */
export function parseKeyId(key: string, prefix: string): number {
  const digits = key.startsWith(prefix) ? key.slice(prefix.length) : '';
  const id = POSITIVE_INT.test(digits) ? Number(digits) : NaN;
  if (!(id <= MAX_INT)) throw new MalformedKeyError(key, `${prefix}{id} with a positive integer id`);
  return id;
}
