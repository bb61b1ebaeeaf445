import 'server-only';

/**
 * Parsing of the `test_decoding` output plugin's text (Postgres contrib, installed with the
 * server): `BEGIN 1234`, `table public.products: UPDATE: id[integer]:5 name[text]:'It''s' ...`,
 * `COMMIT 1234 (at 2026-12-02 10:00:00.123456+00)` (with include-xids and include-timestamp).
 */

export type DecodedLine =
  | { kind: 'begin' }
  | { kind: 'commit'; committedAt: Date | null }
  | { kind: 'change'; schema: string; table: string; op: 'insert' | 'update' | 'delete'; row: Record<string, string | null> }
  | { kind: 'other' };

const OPS = { INSERT: 'insert', UPDATE: 'update', DELETE: 'delete' } as const;

export function parseDecodedLine(data: string): DecodedLine {
  if (data.startsWith('BEGIN')) return { kind: 'begin' };
  if (data.startsWith('COMMIT')) {
    const at = /\(at (.+)\)\s*$/.exec(data);
    return { kind: 'commit', committedAt: at ? parsePgTimestamp(at[1]!) : null };
  }
  if (!data.startsWith('table ')) return { kind: 'other' };
  let i = 6;
  const [schemaPart, afterSchema] = readIdentifier(data, i);
  let schema = 'public';
  let table = schemaPart;
  i = afterSchema;
  if (data[i] === '.') {
    schema = schemaPart;
    const [tablePart, afterTable] = readIdentifier(data, i + 1);
    table = tablePart;
    i = afterTable;
  }
  // ": UPDATE: "
  const opEnd = data.indexOf(':', i + 2);
  const opName = data.slice(i + 2, opEnd) as keyof typeof OPS;
  const op = OPS[opName];
  if (!op) return { kind: 'other' };
  let rest = data.slice(opEnd + 2);
  // An update that changed its key, or any change of a REPLICA IDENTITY FULL table, prints the old
  // key first: the new tuple is what follows `new-tuple:`.
  if (rest.startsWith('old-key: ')) {
    const at = rest.indexOf(' new-tuple: ');
    rest = at === -1 ? rest.slice(9) : rest.slice(at + 12);
  }
  if (rest.startsWith('(no-tuple-data)')) return { kind: 'change', schema, table, op, row: {} };
  return { kind: 'change', schema, table, op, row: parseColumns(rest) };
}

/** `id[integer]:5 name[text]:'a b' gone[text]:null big[text]:unchanged-toast-datum` */
export function parseColumns(text: string): Record<string, string | null> {
  const row: Record<string, string | null> = {};
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ') i++;
    if (i >= text.length) break;
    const [name, afterName] = readIdentifier(text, i);
    if (text[afterName] !== '[') throw new Error(`test_decoding: expected [type] after column ${name} at ${afterName}: ${text.slice(0, 200)}`);
    const typeEnd = text.indexOf(']:', afterName + 1);
    if (typeEnd === -1) throw new Error(`test_decoding: unterminated type of column ${name}`);
    i = typeEnd + 2;
    if (text[i] === "'") {
      let value = '';
      i++;
      for (;;) {
        const quote = text.indexOf("'", i);
        if (quote === -1) throw new Error(`test_decoding: unterminated value of column ${name}`);
        value += text.slice(i, quote);
        if (text[quote + 1] === "'") {
          value += "'";
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      row[name] = value;
    } else {
      const end = text.indexOf(' ', i);
      const raw = text.slice(i, end === -1 ? text.length : end);
      i = end === -1 ? text.length : end;
      if (raw === 'unchanged-toast-datum') continue; // not carried: the rule must not rely on it
      row[name] = raw === 'null' ? null : raw;
    }
  }
  return row;
}

/** An identifier as quote_identifier prints it: bare, or in double quotes with "" for a quote. */
function readIdentifier(text: string, start: number): [string, number] {
  if (text[start] !== '"') {
    let end = start;
    while (end < text.length && !'.[: '.includes(text[end]!)) end++;
    return [text.slice(start, end), end];
  }
  let value = '';
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote === -1) return [value + text.slice(i), text.length];
    value += text.slice(i, quote);
    if (text[quote + 1] === '"') {
      value += '"';
      i = quote + 2;
    } else return [value, quote + 1];
  }
}

/** `2026-12-02 10:00:00.123456+00` (DateStyle ISO, any offset) as a Date, to the millisecond. */
export function parsePgTimestamp(text: string): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?([+-]\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const fraction = (m[3] ?? '.0').slice(1, 4).padEnd(3, '0');
  const date = new Date(`${m[1]}T${m[2]}.${fraction}${m[4]}:${m[5] ?? '00'}`);
  return Number.isNaN(date.getTime()) ? null : date;
}
