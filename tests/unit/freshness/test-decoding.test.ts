import { describe, expect, test } from 'vitest';
import { parseColumns, parseDecodedLine, parsePgTimestamp } from '@/server/freshness/test-decoding';

describe('test_decoding output', () => {
  test('an update gives its table and the new row, quotes and spaces kept', () => {
    const line = parseDecodedLine(
      `table public.products: UPDATE: id[integer]:5 category_id[integer]:12 name[text]:'It''s a "mug"' price[numeric]:12.50 status[product_status]:'inactive' attributes[jsonb]:'{"a": 1}' created_at[timestamp with time zone]:'2026-12-02 10:00:00+00'`,
    );
    expect(line).toEqual({
      kind: 'change',
      schema: 'public',
      table: 'products',
      op: 'update',
      row: { id: '5', category_id: '12', name: `It's a "mug"`, price: '12.50', status: 'inactive', attributes: '{"a": 1}', created_at: '2026-12-02 10:00:00+00' },
    });
  });

  test('a delete with the default replica identity carries the key only; with FULL every column', () => {
    expect(parseDecodedLine(`table public.shop_sessions: DELETE: id[uuid]:'0f0e'`)).toMatchObject({ op: 'delete', row: { id: '0f0e' } });
    expect(parseDecodedLine(`table public.shop_sessions: DELETE: id[uuid]:'0f0e' user_id[integer]:7 cart[jsonb]:null`)).toMatchObject({ row: { id: '0f0e', user_id: '7', cart: null } });
    expect(parseDecodedLine(`table public.t: DELETE: (no-tuple-data)`)).toMatchObject({ op: 'delete', row: {} });
  });

  test('an update that changed its key reads the new tuple, and unchanged TOAST values are left out', () => {
    const line = parseDecodedLine(`table public.products: UPDATE: old-key: id[integer]:5 new-tuple: id[integer]:6 description[text]:unchanged-toast-datum stock[integer]:3`);
    expect(line).toMatchObject({ op: 'update', row: { id: '6', stock: '3' } });
    expect(line.kind === 'change' && 'description' in line.row).toBe(false);
  });

  test('quoted identifiers and array types are read whole', () => {
    expect(parseDecodedLine(`table "My Schema"."Odd.Table": INSERT: "a b"[text]:'x' tags[text[]]:'{a,b}' n[integer]:null`)).toEqual({
      kind: 'change',
      schema: 'My Schema',
      table: 'Odd.Table',
      op: 'insert',
      row: { 'a b': 'x', tags: '{a,b}', n: null },
    });
  });

  test('BEGIN and COMMIT with its timestamp', () => {
    expect(parseDecodedLine('BEGIN 1234')).toEqual({ kind: 'begin' });
    expect(parseDecodedLine('COMMIT 1234 (at 2026-12-02 10:00:00.123456+00)')).toEqual({ kind: 'commit', committedAt: new Date('2026-12-02T10:00:00.123Z') });
    expect(parseDecodedLine('COMMIT 1234')).toEqual({ kind: 'commit', committedAt: null });
  });

  test('timestamps in any offset', () => {
    expect(parsePgTimestamp('2026-12-02 11:30:00+01:30')).toEqual(new Date('2026-12-02T10:00:00Z'));
    expect(parsePgTimestamp('2026-12-02 05:00:00.5-05')).toEqual(new Date('2026-12-02T10:00:00.500Z'));
    expect(parsePgTimestamp('yesterday')).toBeNull();
  });

  test('a value without its type is refused with the column named', () => {
    expect(() => parseColumns('id:5')).toThrow(/expected \[type\] after column id at 2/);
  });
});
