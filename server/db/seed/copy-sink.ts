import 'server-only';
import type { Writable } from 'node:stream';
import type { Database } from '../client';

/**
 * Bulk loading through COPY ... FROM STDIN in text format, on both drivers: a postgres.js stream
 * on Postgres, a blob per chunk on PGlite. COPY is what makes a million-product seed take minutes.
 */
export interface CopySink {
  /** Adds one row (already-encoded COPY text fields). */
  row(fields: string[]): Promise<void>;
  /** Flushes and finishes the table. */
  end(): Promise<void>;
}

const CHUNK_BYTES = 512 * 1024;
/** PGlite holds each COPY blob in WASM memory: keep them moderate. */
const PGLITE_ROWS_PER_COPY = 50_000;

export function copyValue(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v !== 'string') return String(v);
  return v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

export async function openCopySink(database: Database, table: string, columns: string[]): Promise<CopySink> {
  const target = `${table} (${columns.join(', ')})`;
  if (database.kind === 'postgres') return postgresSink(database, target);
  return pgliteSink(database, target);
}

async function postgresSink(database: Database, target: string): Promise<CopySink> {
  const stream: Writable = await database.sql!.unsafe(`COPY ${target} FROM STDIN`).writable();
  let failure: Error | undefined;
  stream.on('error', (error) => (failure = error));
  let buffer: string[] = [];
  let bytes = 0;
  const flush = async () => {
    if (failure) throw failure;
    if (buffer.length === 0) return;
    const chunk = buffer.join('');
    buffer = [];
    bytes = 0;
    if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
  };
  return {
    async row(fields) {
      const line = fields.join('\t') + '\n';
      buffer.push(line);
      bytes += line.length;
      if (bytes >= CHUNK_BYTES) await flush();
    },
    async end() {
      await flush();
      await new Promise<void>((resolve, reject) => {
        stream.once('finish', resolve);
        stream.once('error', reject);
        stream.end();
      });
      if (failure) throw failure;
    },
  };
}

async function pgliteSink(database: Database, target: string): Promise<CopySink> {
  const pglite = database.pglite!;
  let lines: string[] = [];
  const flush = async () => {
    if (lines.length === 0) return;
    const blob = new Blob([lines.join('')]);
    lines = [];
    await pglite.query(`COPY ${target} FROM '/dev/blob'`, [], { blob });
  };
  return {
    async row(fields) {
      lines.push(fields.join('\t') + '\n');
      if (lines.length >= PGLITE_ROWS_PER_COPY) await flush();
    },
    end: flush,
  };
}
