import { describe, expect, it } from 'vitest';
import { passwordChangePath, safeNextPath } from '@/lib/ui/sign-in-path';
import { AppError, quote } from '@/server/errors';
import { MAX_JSON_DEPTH, parseRequestJson } from '@/server/http/safe-json';

const refusal = (text: string) => {
  try {
    parseRequestJson(text);
  } catch (error) {
    if (error instanceof AppError) return { status: error.status, field: error.field, message: error.message };
    throw error;
  }
  throw new Error(`accepted: ${text.slice(0, 50)}`);
};

describe('parseRequestJson', () => {
  it('reads what JSON.parse reads, the same way', () => {
    for (const text of ['{"a":1,"b":[true,false,null,"x\\u00e9\\n",-1.5e3,{}],"c":{"d":[]}}', '[]', '"text"', ' 42 ', '{"constructor":{"prototype":1}}']) {
      expect(parseRequestJson(text)).toEqual(JSON.parse(text));
    }
  });

  it('refuses what is not JSON as JSON.parse would', () => {
    for (const text of ['{', '{"a":1,}', "{'a':1}", '[1 2]', '{"a":01}', 'NaN', '{"a":1}x', '"\u0001"', '{"a" 1}', 'tru']) {
      expect(refusal(text), text).toMatchObject({ status: 400, field: undefined, message: 'The body is not valid JSON' });
      expect(() => JSON.parse(text), text).toThrow();
    }
  });

  it('refuses nesting deeper than the bound, naming where it went too deep', () => {
    expect(parseRequestJson(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).toBeDefined();
    const deep = refusal(`{"a":{"b":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}}`);
    // Two objects and eighteen arrays deep: the nineteenth array is the twenty-first level.
    expect(deep).toMatchObject({ status: 400, field: `a.b${'.0'.repeat(MAX_JSON_DEPTH - 2)}` });
    // A hundred thousand levels cost no stack and no time.
    const started = performance.now();
    expect(refusal('['.repeat(100_000)).status).toBe(400);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('refuses a key given twice, a __proto__ key and a NUL character, naming the field', () => {
    expect(refusal('{"a":1,"a":2}')).toMatchObject({ status: 400, field: 'a' });
    expect(refusal('{"x":[{"a":1},{"a":2,"a":3}]}')).toMatchObject({ field: 'x.1.a' });
    expect(refusal('{"__proto__":{"admin":true}}')).toMatchObject({ field: '__proto__' });
    expect(refusal('{"a":"b\\u0000c"}')).toMatchObject({ field: 'a' });
    expect(refusal('{"a\\u0000":1}')).toMatchObject({ field: 'a\u0000' });
    expect(refusal('["\\u0000"]')).toMatchObject({ field: '0' });
    // The escape of a key counts: "\u005f_proto__" is __proto__ too.
    expect(refusal('{"\\u005f_proto__":{}}')).toMatchObject({ field: '__proto__' });
  });
});

describe('quote', () => {
  it('shows at most 100 characters of a value and never a structure whole', () => {
    expect(quote('short')).toBe('"short"');
    expect(quote('x'.repeat(1000))).toBe(`"${'x'.repeat(100)}…"`);
    expect(quote({ deep: { deeper: 1 } })).toBe('an object');
    expect(quote([1, 2, 3])).toBe('an array of 3');
    expect(quote(-1.5)).toBe('-1.5');
  });
});

describe('safeNextPath', () => {
  it('keeps a path of this site, query and fragment included, as the browser would read it', () => {
    expect(safeNextPath('/history?range=7d#top')).toBe('/history?range=7d#top');
    expect(safeNextPath('/runs/../settings')).toBe('/settings');
  });

  it('refuses every way a browser would read as another site', () => {
    const tricks = ['/\t/evil.example', '/\n/evil.example', '/\r/evil.example', '/\\evil.example', '//evil.example', '/.//evil.example', '/..//evil.example', 'https://evil.example', 'https:evil.example', 'javascript:alert(1)', ' /x', 'evil.example', '/%2F%2Fevil.example/../..//x'];
    for (const trick of tricks) {
      const path = safeNextPath(trick);
      expect(new URL(path, 'http://kiln.test').origin, JSON.stringify(trick)).toBe('http://kiln.test');
      expect(path.startsWith('//') || path.startsWith('/\\'), JSON.stringify(trick)).toBe(false);
    }
    expect(safeNextPath('/login?next=/x')).toBe('/');
    expect(safeNextPath(`/${'a'.repeat(3000)}`)).toBe('/');
  });

  it('leads an operator with a generated password to the password page, and back afterwards', () => {
    expect(passwordChangePath('/settings')).toBe('/account/password?next=%2Fsettings');
    expect(passwordChangePath('//evil.example')).toBe('/account/password');
  });
});
