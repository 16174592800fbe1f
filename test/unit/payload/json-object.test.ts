/**
 * The facts `readJsonDocument` collects about JSON text (repeated names, odd number literals,
 * overflows, escaped lone surrogates, depth) are the same as the plain one-character-at-a-time scan
 * gives — the oracle below, the scan ocisign used before strings were skipped with `indexOf` and
 * numbers read without regular expressions — on generated documents and on the hard cases
 * (escaped quotes and backslashes, names repeated at depth, long and exponent literals).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PayloadFormatError } from '../../../src/errors/index.js';
import {
  FACT_LIMIT,
  type JsonFacts,
  LONE_SURROGATE,
  pointerKey,
  readJsonDocument,
} from '../../../src/payload/json-object.js';
import { FUZZ_RUNS } from '../../helpers/fuzz.js';

/** The reference scan: every character visited, every string sliced and decoded. */
function oracle(text: string): JsonFacts {
  const repeated = new Set<string>();
  const literals = new Map<string, string>();
  const overflows: string[] = [];
  type Frame = {
    array: boolean;
    key: string;
    index: number;
    expectKey: boolean;
    names: Set<string> | undefined;
  };
  const stack: Frame[] = [];
  let loneSurrogates = false;
  let depth = 0;
  const truncated = { repeated: false, literals: false, overflows: false };
  const room = (list: keyof typeof truncated, size: number) => {
    if (size < FACT_LIMIT) return true;
    truncated[list] = true;
    return false;
  };
  const pointer = () => stack.map((f) => `/${f.array ? String(f.index) : pointerKey(f.key)}`).join('');
  const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  for (let i = 0; i < text.length; ) {
    const c = text[i] as string;
    const top = stack[stack.length - 1];
    if (c === '{' || c === '[') {
      stack.push({
        array: c === '[',
        key: '',
        index: 0,
        expectKey: c === '{',
        names: c === '{' ? new Set() : undefined,
      });
      depth = Math.max(depth, stack.length);
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i++;
    } else if (c === ',') {
      if (top?.array) top.index++;
      else if (top) top.expectKey = true;
      i++;
    } else if (c === ':') {
      if (top) top.expectKey = false;
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let escaped = false;
      while (text[j] !== '"') {
        if (text[j] === '\\') {
          escaped = true;
          j += 2;
        } else j++;
      }
      const raw = text.slice(i, j + 1);
      const decoded = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
      if (escaped && LONE_SURROGATE.test(decoded)) loneSurrogates = true;
      if (top && !top.array && top.expectKey) {
        top.key = decoded;
        if (top.names?.has(decoded) && room('repeated', repeated.size)) repeated.add(pointer());
        top.names?.add(decoded);
      }
      i = j + 1;
    } else if (c === 't' || c === 'n') i += 4;
    else if (c === 'f') i += 5;
    else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const raw = NUMBER.exec(text)?.[0] ?? c;
      if ((/[.eE]/.test(raw) || raw.replace('-', '').length > 15) && room('literals', literals.size))
        literals.set(pointer(), raw);
      if (!Number.isFinite(Number(raw)) && room('overflows', overflows.length)) overflows.push(pointer());
      i += raw.length;
    } else i++;
  }
  return { repeated, literals, overflows, loneSurrogates, depth, truncated };
}

const facts = (text: string) => readJsonDocument(text, 'test document').facts;

/** JSON text with the features the scan looks at: repeated names, escapes, odd numbers, whitespace. */
const hostileJson: fc.Arbitrary<string> = fc
  .tuple(
    fc.json({ maxDepth: 4 }),
    fc.constantFrom('as-is', 'repeat', 'spaces', 'escapes'),
    fc.constantFrom(
      '1.0',
      '1e2',
      '-0.5E-3',
      '12345678901234567890',
      '1e400',
      '-1e400',
      '"\\ud800"',
      '"a\\"b"',
      '"\\\\"',
    ),
  )
  .map(([text, edit, odd]) => {
    if (edit === 'repeat') return text.replace(/^\{("(?:[^"\\]|\\.)*":)/, `{$1${odd},$1`);
    if (edit === 'spaces') return text.replaceAll(',', ' ,\n\t').replaceAll(':', ' : ');
    if (edit === 'escapes') return `{"k\\u0041":${text},"k\\u0041":${odd},"a/b~c":[${odd},${text}]}`;
    return `[${text},${odd}]`;
  })
  .filter((text) => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  });

describe('readJsonDocument facts', () => {
  it.each([
    ['{"a":1,"a":2}'],
    ['{"a":{"b":1,"b":[1.0,1e2]},"c":"x\\"y","c":0}'],
    ['{"\\"":1,"\\"":2,"\\\\":3,"\\\\":4}'],
    ['{"x":"\\ud800","y":"\\ud83d\\ude00"}'],
    ['[12345678901234567890,-123456789012345,1234567890123456,1e400,-0,0.0]'],
    ['{"a/b":{"c~d":[{"e":1,"e":2}]}}'],
    ['  { "a" : [ true , false , null , "s" ] , "a" : { } }  '],
    ['"just a string"'],
    ['-12.5e-7'],
    [`{${Array.from({ length: 40 }, (_, i) => `"k${i % 7}":${i}.5`).join(',')}}`],
  ])('match the reference scan on %s', (text) => {
    expect(facts(text)).toEqual(oracle(text));
  });

  it('match the reference scan on generated documents', () => {
    fc.assert(
      fc.property(hostileJson, (text) => {
        expect(facts(text)).toEqual(oracle(text));
      }),
      { numRuns: Math.min(FUZZ_RUNS, 5000) },
    );
  });

  it('still refuses what is not JSON, before any scan', () => {
    expect(() => readJsonDocument('{"a":', 'test document')).toThrow(PayloadFormatError);
  });
});
