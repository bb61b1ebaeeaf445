import 'server-only';
import { parseKeyId } from '../key-id';

/** The shop's key for one product (the contract: `Product:id:{id}`). */
const PREFIX = 'Product:id:';

export function productKey(id: number): string {
  return `${PREFIX}${id}`;
}

/** The product id of a `Product:id:{id}` key; throws MalformedKeyError for anything else. */
export function parseProductKey(key: string): number {
  return parseKeyId(key, PREFIX);
}
