/** cosign's `-a` flags: CSV records split on the first `=`, only typed errors, own keys only. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAnnotationFlags } from '../../../src/cli/annotation-flags.js';
import { InvalidArgumentError } from '../../../src/errors/index.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, typedOrResult } from '../../helpers/fuzz.js';

describe('parseAnnotationFlags', () => {
  it('splits CSV records and on the first "="', () => {
    expect(parseAnnotationFlags(['a=1,b=2', 'c=x=y', '"d=p,q"'])).toEqual({
      a: '1',
      b: '2',
      c: 'x=y',
      d: 'p,q',
    });
    expect(parseAnnotationFlags(['"q=say ""hi"""', 'a=1', 'a=2'])).toEqual({ q: 'say "hi"', a: '2' });
    expect(() => parseAnnotationFlags(['novalue'])).toThrow(/unable to parse annotation/);
    expect(() => parseAnnotationFlags(['"a=1'])).toThrow(InvalidArgumentError);
    expect(() => parseAnnotationFlags(['"a=1"x'])).toThrow(/after a quoted field/);
  });

  it('keeps a key named like an Object.prototype member as an annotation of its own', () => {
    const parsed = parseAnnotationFlags(['__proto__=x,constructor=y']);
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
    expect(Object.keys(parsed)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it(
    'only fails with OcisignError',
    () => {
      fc.assert(
        fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }), (flags) => {
          typedOrResult(() => parseAnnotationFlags(flags));
        }),
        { numRuns: FUZZ_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
