import { describe, expect, it } from 'vitest';
import { MalformedKeyError, parseKeyId } from '@/server/contexts/key-id';

describe('parseKeyId', () => {
  it('reads the positive integer id after the prefix', () => {
    expect(parseKeyId('Product:id:12', 'Product:id:')).toBe(12);
    expect(parseKeyId('User:session:2147483647', 'User:session:')).toBe(2_147_483_647);
  });

  it.each(['Product:id:', 'Product:id:0', 'Product:id:012', 'Product:id:-1', 'Product:id:1.5', 'Product:id:1e3', 'Product:id: 1',
    'Product:id:1 ', 'product:id:1', 'Category:id:1', 'Product:id:2147483648', 'Product:id:99999999999'])(
    'refuses %j, naming it',
    (key) => {
      expect(() => parseKeyId(key, 'Product:id:')).toThrow(MalformedKeyError);
      expect(() => parseKeyId(key, 'Product:id:')).toThrow(`"${key}"`);
    },
  );
});
