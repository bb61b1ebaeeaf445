import 'server-only';
import { z } from 'zod';
import { AppError, QUOTE_LIMIT, quote } from '../errors';
import { assertNoNul, parseRequestJson } from './safe-json';

/** Request bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads and validates a JSON body: 415 for another content type, 413 for an oversized body, 400
 * for malformed JSON, and 400 naming the first bad field (unknown fields included: schemas should
 * be z.strictObject) for anything the schema refuses.
 */
export async function parseJsonBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S>> {
  checkJsonContentType(request);
  return parseJsonText(await readBody(request), schema);
}

/**
 * For endpoints whose body is optional (the seed's `POST /admin/warmup/{target}` is called with
 * none): no body means `{}`; a body must be JSON like any other.
 */
export async function parseOptionalJsonBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S>> {
  const text = await readBody(request);
  if (text.trim() === '') return parseWith(schema, {});
  checkJsonContentType(request);
  return parseJsonText(text, schema);
}

function checkJsonContentType(request: Request): void {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json(\s*;|$)/i.test(type)) {
    throw new AppError('unsupported_media_type', `Send the body as application/json (got ${type ? quote(type) : 'no content type'})`);
  }
}

async function readBody(request: Request): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  return readLimited(request, MAX_BODY_BYTES);
}

function parseJsonText<S extends z.ZodType>(text: string, schema: S): z.infer<S> {
  if (text.trim() === '') throw new AppError('invalid_request', 'The body is empty: send a JSON object');
  // Depth, duplicate keys, __proto__ and NUL characters are refused while parsing (safe-json.ts).
  return parseWith(schema, parseRequestJson(text));
}

/** Validates query parameters (all strings) against a schema; coercion is the schema's job. */
export function parseQuery<S extends z.ZodType>(request: Request, schema: S): z.infer<S> {
  const params = new URL(request.url).searchParams;
  const data: Record<string, string | string[]> = Object.create(null);
  for (const key of new Set(params.keys())) {
    if (key === '__proto__') throw new AppError('invalid_request', '__proto__: not a parameter', { field: '__proto__' });
    const all = params.getAll(key);
    data[key] = all.length > 1 ? all : all[0]!;
  }
  return parseWith(schema, { ...data });
}

/**
 * Validates data from a request (a parsed body, query or path parameters) against a schema: 400
 * naming the field for a NUL character anywhere in it, or for the first problem the schema finds.
 */
export function parseWith<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  assertNoNul(data);
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw fromZodError(result.error);
}

/** The first problem of a zod error, as an AppError naming its field (and quoting no more than a bounded bit of any value). */
export function fromZodError(error: z.ZodError): AppError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const field = bounded([...issue.path, key].join('.'));
    return new AppError('invalid_request', `Unknown field ${quote(field)}`, { field });
  }
  const field = issue.path.length ? bounded(issue.path.join('.')) : undefined;
  const message = bounded(issue.message, 200);
  return new AppError('invalid_request', field ? `${field}: ${message}` : message, { field });
}

function bounded(text: string, limit = QUOTE_LIMIT): string {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

function tooLarge(): AppError {
  return new AppError('payload_too_large', `The body is larger than ${MAX_BODY_BYTES / 1024} KB`);
}

async function readLimited(request: Request, limit: number): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}
