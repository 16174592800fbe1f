/**
 * Small, typed schemas for JSON documents that arrive from the network or a user: one `Shape` per
 * document type, checked where the document enters, so that a malformed field is a typed error by
 * construction instead of a TypeError three calls later.
 *
 * Deliberately tiny (no coercion, no defaults, no transforms beyond `refine`): a shape says what a
 * value must look like and returns it typed. Only own properties are read, so a member named
 * `toString` or `__proto__` is data, never the prototype's. The caller turns a {@link ShapeError}
 * into its own layer's error with {@link readShape}.
 */
import type { OcisignError } from '../errors/base.js';

/** Where a value broke its shape (a JSON-pointer-like path) and what was expected there. */
export class ShapeError extends Error {
  readonly path: string;
  readonly expected: string;
  constructor(path: string, expected: string) {
    super(`${path === '' ? 'the document' : path} must be ${expected}`);
    this.path = path;
    this.expected = expected;
    this.name = 'ShapeError';
  }
}

/** A check that returns the value typed, or throws a {@link ShapeError} naming the path. */
export interface Shape<T> {
  /** What the value must be, in words ("a string", "an array of strings"). */
  readonly expected: string;
  check(value: unknown, path: string): T;
}

/** The type a shape checks for. */
export type Infer<S> = S extends Shape<infer T> ? T : never;

function shape<T>(expected: string, check: (value: unknown, path: string) => T): Shape<T> {
  return { expected, check };
}

/**
 * Throws the {@link ShapeError} "`path` must be `expected`": the one way a schema — here, or a
 * decoder built on these shapes (`payload/go-decode.ts`, `payload/protojson.ts`) — refuses a value.
 */
export function fail(path: string, expected: string): never {
  throw new ShapeError(path, expected);
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** An own property of a JSON object, never one inherited from its prototype. */
export function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** Any value at all (its shape is checked later, or not needed). */
export const unknownValue: Shape<unknown> = shape('any value', (value) => value);

/** A string. */
export const string: Shape<string> = shape('a string', (value, path) =>
  typeof value === 'string' ? value : fail(path, 'a string'),
);

/** A non-empty string. */
export const nonEmptyString: Shape<string> = shape('a non-empty string', (value, path) =>
  typeof value === 'string' && value !== '' ? value : fail(path, 'a non-empty string'),
);

/** A boolean. */
export const boolean: Shape<boolean> = shape('a boolean', (value, path) =>
  typeof value === 'boolean' ? value : fail(path, 'a boolean'),
);

/** A finite number. */
export const number: Shape<number> = shape('a number', (value, path) =>
  typeof value === 'number' && Number.isFinite(value) ? value : fail(path, 'a number'),
);

/** A non-negative safe integer (sizes, counts, indexes). */
export const count: Shape<number> = shape('a non-negative integer', (value, path) =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
    ? value
    : fail(path, 'a non-negative integer'),
);

/** One of the given literal values. */
export function literal<const T extends string | number | boolean>(...values: T[]): Shape<T> {
  const expected = values.map((v) => JSON.stringify(v)).join(' or ');
  return shape(expected, (value, path) =>
    (values as unknown[]).includes(value) ? (value as T) : fail(path, expected),
  );
}

/** An array whose every element has `item`'s shape; `max` bounds its length. */
export function array<T>(item: Shape<T>, options: { max?: number } = {}): Shape<T[]> {
  const expected = `an array, each entry ${item.expected}`;
  return shape(expected, (value, path) => {
    if (!Array.isArray(value)) fail(path, expected);
    if (options.max !== undefined && value.length > options.max)
      fail(path, `${expected} with at most ${options.max} entries`);
    return value.map((element, i) => item.check(element, `${path}/${i}`));
  });
}

/** A JSON object used as a map: any keys, every value of `item`'s shape. */
export function record<T>(item: Shape<T>): Shape<Record<string, T>> {
  const expected = `an object, each value ${item.expected}`;
  return shape(expected, (value, path) => {
    if (!isJsonObject(value)) fail(path, expected);
    const out: Record<string, T> = Object.create(null);
    for (const key of Object.keys(value)) out[key] = item.check(value[key], `${path}/${escapeKey(key)}`);
    return out;
  });
}

/** A member that may be absent (or `undefined`). `null` is not absent: see {@link optionalOrNull}. */
export interface OptionalShape<T> extends Shape<T | undefined> {
  readonly optional: true;
}

/** Marks an object member as optional. */
export function optional<T>(inner: Shape<T>): OptionalShape<T> {
  return {
    optional: true,
    expected: inner.expected,
    check: (value, path) => (value === undefined ? undefined : inner.check(value, path)),
  };
}

/**
 * An optional member for which `null` also means absent: both read as `undefined`, so the checked
 * object simply lacks the member. Go's `encoding/json` reads `null` as the zero value (registries,
 * token services, Docker configs and image configs written in Go say `null` for "none"), and the
 * Kubernetes API server prunes nulls from custom resources. Use {@link optional} where `null` must
 * be refused, {@link nullable} where it must be kept.
 */
export function optionalOrNull<T>(inner: Shape<T>): OptionalShape<T> {
  return {
    optional: true,
    expected: `${inner.expected} or null`,
    check: (value, path) => (value === undefined || value === null ? undefined : inner.check(value, path)),
  };
}

/** `null` or `inner`'s shape (JSON documents written by Go often hold `null` for empty). */
export function nullable<T>(inner: Shape<T>): Shape<T | null> {
  return shape(`${inner.expected} or null`, (value, path) =>
    value === null ? null : inner.check(value, path),
  );
}

type Fields = Record<string, Shape<unknown>>;
type OptionalKeys<F extends Fields> = {
  [K in keyof F]: F[K] extends OptionalShape<unknown> ? K : never;
}[keyof F];
type RequiredKeys<F extends Fields> = Exclude<keyof F, OptionalKeys<F>>;
/** The typed object an {@link object} shape returns. */
export type ObjectOf<F extends Fields> = { [K in RequiredKeys<F>]: Infer<F[K]> } & {
  [K in OptionalKeys<F>]?: Infer<F[K]>;
};

/**
 * A JSON object with the given members (others are allowed and ignored, as Go's `encoding/json`
 * ignores unknown fields). Returns a new object holding only the declared members.
 */
export function object<F extends Fields>(fields: F, expected = 'an object'): Shape<ObjectOf<F>> {
  // Each member's path suffix is built once, not on every check.
  const members = Object.entries(fields).map(([key, field]) => ({ key, field, at: `/${escapeKey(key)}` }));
  return shape(expected, (value, path) => {
    if (!isJsonObject(value)) fail(path, expected);
    const out: Record<string, unknown> = {};
    for (const { key, field, at } of members) {
      const checked = field.check(own(value, key), path + at);
      if (checked !== undefined) out[key] = checked;
    }
    return out as ObjectOf<F>;
  });
}

/** The first of `shapes` that accepts the value. */
export function oneOf<T extends unknown[]>(...shapes: { [K in keyof T]: Shape<T[K]> }): Shape<T[number]> {
  const expected = shapes.map((s) => s.expected).join(' or ');
  return shape(expected, (value, path) => {
    for (const s of shapes) {
      try {
        return s.check(value, path);
      } catch (error) {
        if (!(error instanceof ShapeError)) throw error;
      }
    }
    return fail(path, expected);
  });
}

/** `inner`, then a further check: `test` returns an error phrase ("a sha256 digest") or nothing. */
export function refine<T>(inner: Shape<T>, test: (value: T) => string | undefined): Shape<T> {
  return shape(inner.expected, (value, path) => {
    const checked = inner.check(value, path);
    const problem = test(checked);
    return problem === undefined ? checked : fail(path, problem);
  });
}

/**
 * Checks `value` against `s` and returns it typed, or throws the caller's error:
 * `makeError("<what>: /path must be …")`, with the {@link ShapeError} as its cause.
 */
export function readShape<T>(
  value: unknown,
  s: Shape<T>,
  what: string,
  makeError: (message: string, cause: ShapeError) => OcisignError,
): T {
  try {
    return s.check(value, '');
  } catch (error) {
    if (error instanceof ShapeError) throw makeError(`${what}: ${error.message}`, error);
    throw error;
  }
}

function escapeKey(key: string): string {
  // Most names hold neither character: skip the two replacements (and their copies) for them.
  if (key.indexOf('~') === -1) return key.indexOf('/') === -1 ? key : key.replaceAll('/', '~1');
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
