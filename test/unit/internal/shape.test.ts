/**
 * The three ways a schema reads a member that may be missing: `optional` (null refused),
 * `optionalOrNull` (null is absent, as Go and the Kubernetes API server read it) and `nullable`
 * (null kept as a value).
 */
import { describe, expect, it } from 'vitest';
import { PayloadFormatError } from '../../../src/errors/payload.js';
import {
  nullable,
  object,
  optional,
  optionalOrNull,
  readShape,
  ShapeError,
  string,
} from '../../../src/internal/shape.js';

describe('optionalOrNull', () => {
  const shape = object({ name: string, tag: optionalOrNull(string) });

  it('reads a missing member and a null one alike: the checked object lacks it', () => {
    expect(shape.check({ name: 'a' }, '')).toEqual({ name: 'a' });
    const fromNull = shape.check({ name: 'a', tag: null }, '');
    expect(fromNull).toEqual({ name: 'a' });
    expect(Object.hasOwn(fromNull, 'tag')).toBe(false);
  });

  it('checks a present member with the inner shape, naming its path', () => {
    expect(shape.check({ name: 'a', tag: 'v1' }, '')).toEqual({ name: 'a', tag: 'v1' });
    expect(() => shape.check({ name: 'a', tag: 5 }, '')).toThrow(ShapeError);
    expect(() => shape.check({ name: 'a', tag: 5 }, '')).toThrow('/tag must be a string');
  });

  it('says that null is allowed, and is marked optional', () => {
    const member = optionalOrNull(string);
    expect(member.expected).toBe('a string or null');
    expect(member.optional).toBe(true);
  });

  it('differs from optional (null refused) and nullable (null kept)', () => {
    const refusing = object({ tag: optional(string) });
    const keeping = object({ tag: nullable(string) });
    expect(() => refusing.check({ tag: null }, '')).toThrow('/tag must be a string');
    expect(keeping.check({ tag: null }, '')).toEqual({ tag: null });
  });

  it('turns into the caller’s error through readShape', () => {
    const read = () => readShape({ name: 'a', tag: [] }, shape, 'Doc', (m) => new PayloadFormatError(m));
    expect(read).toThrow(PayloadFormatError);
    expect(read).toThrow('Doc: /tag must be a string');
  });
});
