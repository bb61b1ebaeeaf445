import 'server-only';
import { AppError } from '../errors';

/** Objects and arrays nested deeper than this are refused: no request of Kiln's needs more than 4. */
export const MAX_JSON_DEPTH = 20;

type Path = (string | number)[];

/**
 * JSON.parse with the checks a request body needs, made while parsing so that nothing deep or
 * hostile is ever built: nesting deeper than MAX_JSON_DEPTH, a key given twice in one object
 * (JSON.parse would keep the last silently), a `__proto__` key (it would reach the prototype
 * through a spread or an assignment), and a NUL character in a string or key (Postgres text
 * refuses it). Each is a 400 naming the field. Anything that is not JSON is a 400 too.
 */
export function parseRequestJson(text: string): unknown {
  const parser = new Parser(text);
  parser.space();
  const value = parser.value([], 0);
  parser.space();
  if (parser.at < text.length) throw notJson();
  return value;
}

/** Throws a 400 naming the field when `value` has a NUL character in any string or key. */
export function assertNoNul(value: unknown, path: Path = [], depth = 0): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw nulError(path);
    return;
  }
  if (value === null || typeof value !== 'object' || depth > MAX_JSON_DEPTH) return;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) throw nulError([...path, key]);
    assertNoNul(item, [...path, Array.isArray(value) ? Number(key) : key], depth + 1);
  }
}

const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const SPACE = /[ \t\n\r]*/y;

class Parser {
  at = 0;
  constructor(private readonly text: string) {}

  space(): void {
    SPACE.lastIndex = this.at;
    SPACE.exec(this.text);
    this.at = SPACE.lastIndex;
  }

  value(path: Path, depth: number): unknown {
    const c = this.text[this.at];
    if (c === '{' || c === '[') {
      if (depth >= MAX_JSON_DEPTH) {
        throw new AppError('invalid_request', `${path.length ? `${fieldName(path)}: ` : ''}nested deeper than ${MAX_JSON_DEPTH} levels`, field(path));
      }
      return c === '{' ? this.object(path, depth + 1) : this.array(path, depth + 1);
    }
    if (c === '"') {
      const text = this.string();
      if (text.includes('\u0000')) throw nulError(path);
      return text;
    }
    for (const [word, literal] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return literal;
      }
    }
    NUMBER.lastIndex = this.at;
    const number = NUMBER.exec(this.text);
    if (!number) throw notJson();
    this.at = NUMBER.lastIndex;
    return Number(number[0]);
  }

  private object(path: Path, depth: number): Record<string, unknown> {
    this.at++; // {
    const result: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.space();
    if (this.text[this.at] === '}') {
      this.at++;
      return result;
    }
    for (;;) {
      this.space();
      if (this.text[this.at] !== '"') throw notJson();
      const key = this.string();
      const keyPath = [...path, key];
      if (key.includes('\u0000')) throw nulError(keyPath);
      if (key === '__proto__') throw new AppError('invalid_request', `${fieldName(keyPath)}: the key __proto__ is not allowed`, field(keyPath));
      if (seen.has(key)) throw new AppError('invalid_request', `${fieldName(keyPath)}: given more than once`, field(keyPath));
      seen.add(key);
      this.space();
      if (this.text[this.at] !== ':') throw notJson();
      this.at++;
      this.space();
      result[key] = this.value(keyPath, depth);
      this.space();
      const next = this.text[this.at++];
      if (next === '}') return result;
      if (next !== ',') throw notJson();
    }
  }

  private array(path: Path, depth: number): unknown[] {
    this.at++; // [
    const result: unknown[] = [];
    this.space();
    if (this.text[this.at] === ']') {
      this.at++;
      return result;
    }
    for (;;) {
      this.space();
      result.push(this.value([...path, result.length], depth));
      this.space();
      const next = this.text[this.at++];
      if (next === ']') return result;
      if (next !== ',') throw notJson();
    }
  }

  private string(): string {
    STRING.lastIndex = this.at;
    const match = STRING.exec(this.text);
    if (!match) throw notJson();
    this.at = STRING.lastIndex;
    return JSON.parse(match[0]) as string;
  }
}

/** A field path as messages and the `field` of the error shape write it: `scope.strategies.0`. */
function fieldName(path: Path): string {
  const text = path.join('.');
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

function field(path: Path): { field?: string } {
  return path.length ? { field: fieldName(path) } : {};
}

function nulError(path: Path): AppError {
  return new AppError('invalid_request', `${path.length ? `${fieldName(path)}: ` : ''}a NUL character (\\u0000) is not allowed`, field(path));
}

function notJson(): AppError {
  return new AppError('invalid_request', 'The body is not valid JSON');
}
