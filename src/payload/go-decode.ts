/**
 * Go's `encoding/json.Unmarshal` as schemas, for the documents cosign reads with it: the
 * simple-signing payload, the DSSE envelope of a `.att` layer, the Rekor bundle annotation of a
 * classic signature. A schema says what Go type each member decodes into, and decoding follows Go
 * (≥ 1.21) exactly where it decides whether a document is accepted:
 *
 * - a struct field matches a member name exactly or case-folded as Go folds it (ASCII case, plus
 *   `ſ`→s, `ı`/`İ`→i, `K` (Kelvin)→k); unknown members are ignored; members are applied in order,
 *   so with `"type"` and `"TYPE"` the later one wins, and a repeated struct merges;
 * - `null` leaves a struct, string or number as it was, and makes a map, slice or `interface{}` nil;
 * - any other type mismatch (`{"critical":7}`, `{"image":"x"}`, `1.5` or `1e3` for an int64, a
 *   number a float64 cannot hold in an `interface{}`) refuses the document, as Go's
 *   `UnmarshalTypeError` makes cosign refuse it; nesting deeper than 10000 is refused too;
 * - escaped lone surrogates become U+FFFD.
 *
 * One deliberate difference, never more permissive than Go: a member repeated with the *same* name
 * where a struct field is decoded is refused (Go merges the two; `JSON.parse` keeps only the last,
 * so the first could hide a type error). Repeated names elsewhere keep the last, as Go does.
 * Not an encoder (see `go-json.ts`) and not protojson (see `protojson.ts`).
 */
import type { OcisignError } from '../errors/base.js';
import { fromBase64 } from '../internal/bytes.js';
import { fail, isJsonObject, readShape } from '../internal/shape.js';
import {
  INT64_MAX,
  INT64_MIN,
  type JsonFacts,
  LONE_SURROGATE,
  NO_FACTS,
  pointerKey,
  readJsonDocument,
  TOO_MANY_FACTS,
} from './json-object.js';

/** How one Go type decodes a JSON value. */
export interface GoType<T> {
  /** What the value must be, in words. */
  readonly expected: string;
  /** Go's zero value of the type. */
  zero(): T;
  /** Decodes `value` into `into` (the field's current value), as `Unmarshal` does. */
  decode(value: unknown, into: T, path: string, facts: JsonFacts): T;
}

/** The value type a {@link GoType} decodes to. */
export type GoValue<G> = G extends GoType<infer T> ? T : never;

const LONE_SURROGATES = /* @__PURE__ */ new RegExp(LONE_SURROGATE.source, 'g');

/** The string as Go holds it: lone surrogates replaced by U+FFFD. */
function wellFormed(text: string): string {
  return LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATES, '\ufffd') : text;
}

function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** `target[key] = value` as an own data member, even for `__proto__` (which `=` would not create). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') defineOwn(target, key, value);
  else target[key] = value;
}

/** A copy of a JSON value with every string and name made well-formed (iterative: depth ≤ 10000). */
function wellFormedDeep(value: unknown): unknown {
  const copy = (v: unknown): unknown =>
    typeof v === 'string'
      ? wellFormed(v)
      : typeof v === 'object' && v !== null
        ? Array.isArray(v)
          ? []
          : {}
        : v;
  const root = copy(value);
  const work: Array<[unknown, unknown]> = [[value, root]];
  for (let next = work.pop(); next !== undefined; next = work.pop()) {
    const [from, to] = next;
    if (typeof from !== 'object' || from === null) continue;
    if (Array.isArray(from)) {
      for (const element of from) {
        const child = copy(element);
        (to as unknown[]).push(child);
        work.push([element, child]);
      }
    } else {
      for (const [key, element] of Object.entries(from)) {
        const child = copy(element);
        defineOwn(to as Record<string, unknown>, wellFormed(key), child);
        work.push([element, child]);
      }
    }
  }
  return root;
}

/** Go's `string`. */
export const goString: GoType<string> = {
  expected: 'a string',
  zero: () => '',
  decode: (value, into, path) =>
    value === null ? into : typeof value === 'string' ? wellFormed(value) : fail(path, 'a string'),
};

/** Go's `int64` (as a JavaScript number: what the SET's canonical JSON holds, as Go's float64 canonicalizer does). */
export const goInt64: GoType<number> = {
  expected: 'an integer',
  zero: () => 0,
  decode(value, into, path, facts) {
    if (value === null) return into;
    if (typeof value !== 'number') fail(path, 'an integer');
    const literal = facts.literals.get(path);
    if (literal === undefined && facts.truncated.literals) fail(path, TOO_MANY_FACTS);
    if (literal === undefined) return Number.isSafeInteger(value) ? value + 0 : fail(path, 'an integer');
    if (!/^-?(0|[1-9]\d*)$/.test(literal))
      fail(path, `an integer written without a fraction or exponent (Go refuses ${literal} for an int64)`);
    const big = BigInt(literal);
    if (big < INT64_MIN || big > INT64_MAX) fail(path, 'an integer that fits an int64');
    return Number(literal);
  },
};

/** Go's `[]byte`: standard base64 (line breaks ignored, as `base64.StdEncoding` ignores them). */
export const goBytes: GoType<Uint8Array | null> = {
  expected: 'a base64 string',
  zero: () => null,
  decode(value, _into, path) {
    if (value === null) return null;
    if (typeof value !== 'string') fail(path, 'a base64 string');
    return fromBase64(value.replace(/[\r\n]/g, '')) ?? fail(path, 'standard base64');
  },
};

function checkFloats(path: string, facts: JsonFacts): void {
  if (facts.truncated.overflows) fail(path, TOO_MANY_FACTS);
  for (const at of facts.overflows)
    if (at === path || at.startsWith(`${path}/`)) fail(at, 'a number a float64 can hold');
}

/** Go's `interface{}`: any JSON value (objects as maps, numbers as float64). */
export const goAny: GoType<unknown> = {
  expected: 'any JSON value',
  zero: () => null,
  decode(value, _into, path, facts) {
    checkFloats(path, facts);
    return facts.loneSurrogates ? wellFormedDeep(value) : value;
  },
};

/** Go's `map[string]T`: `null` is a nil map; a second object adds to the first, as Go reuses the map. */
export function goMap<T>(item: GoType<T>): GoType<Record<string, T> | null> {
  const expected = `an object, each value ${item.expected}, or null`;
  return {
    expected,
    zero: () => null,
    decode(value, into, path, facts) {
      if (value === null) return null;
      if (!isJsonObject(value)) fail(path, expected);
      const out: Record<string, T> = {};
      for (const [key, v] of Object.entries(into ?? {})) setOwn(out, key, v);
      for (const key of Object.keys(value))
        setOwn(
          out,
          wellFormed(key),
          item.decode(value[key], item.zero(), `${path}/${pointerKey(key)}`, facts),
        );
      return out;
    },
  };
}

/** Go's `[]T`: `null` is a nil (empty) slice; elements decode into the ones already there, as Go's do. */
export function goSlice<T>(item: GoType<T>): GoType<T[]> {
  const expected = `an array, each entry ${item.expected}, or null`;
  return {
    expected,
    zero: () => [],
    decode(value, into, path, facts) {
      if (value === null) return [];
      if (!Array.isArray(value)) fail(path, expected);
      return value.map((v, i) => item.decode(v, into[i] ?? item.zero(), `${path}/${i}`, facts));
    },
  };
}

const NON_ASCII_FOLDS: ReadonlyMap<string, string> = /* @__PURE__ */ new Map([
  ['\u0130', 'I'],
  ['\u0131', 'I'],
  ['\u017f', 'S'],
  ['\u212a', 'K'],
]);

/** Go 1.21's `foldName`, as far as it can make a name equal an ASCII field name. */
function goFold(name: string): string {
  let out = '';
  for (const ch of name) out += ch.charCodeAt(0) < 0x80 ? ch.toUpperCase() : (NON_ASCII_FOLDS.get(ch) ?? ch);
  return out;
}

/**
 * A Go struct whose fields are named by their JSON tags (`{"docker-reference": goString}`).
 * Decoded values hold every field (the zero value when the document has none).
 */
export function goStructOf<F extends Record<string, GoType<unknown>>>(
  fields: F,
  expected = 'an object',
): GoType<{ [K in keyof F]: GoValue<F[K]> }> {
  type Out = { [K in keyof F]: GoValue<F[K]> };
  const folded = new Map(Object.keys(fields).map((name) => [goFold(name), name]));
  const members = Object.entries(fields);
  return {
    expected,
    zero: () => {
      const out: Record<string, unknown> = {};
      for (const [k, t] of members) setOwn(out, k, t.zero());
      return out as Out;
    },
    decode(value, into, path, facts) {
      if (value === null) return into;
      if (!isJsonObject(value)) fail(path, expected);
      const out = { ...into } as Record<string, unknown>;
      for (const key of Object.keys(value)) {
        const name = Object.hasOwn(fields, key) ? key : folded.get(goFold(key));
        if (name === undefined) continue;
        const at = `${path}/${pointerKey(key)}`;
        if (facts.truncated.repeated) fail(at, TOO_MANY_FACTS);
        if (facts.repeated.size > 0 && facts.repeated.has(at))
          fail(at, 'given once (Go would merge the repeated member; ocisign refuses it)');
        out[name] = (fields[name] as GoType<unknown>).decode(value[key], out[name], at, facts);
      }
      return out as Out;
    },
  };
}

/**
 * Decodes untrusted JSON (bytes, text, or an already-parsed value) into `type` as Go's
 * `json.Unmarshal` would, or throws `makeError("<what>: /path must be …")`.
 */
export function readGoJson<T>(
  input: Uint8Array | string | { readonly parsed: unknown },
  type: GoType<T>,
  what: string,
  makeError: (message: string, cause?: unknown) => OcisignError,
): T {
  const { value, facts } =
    typeof input === 'object' && !(input instanceof Uint8Array)
      ? { value: input.parsed, facts: NO_FACTS }
      : readJsonDocument(input, what, makeError);
  if (facts.depth > 10_000) throw makeError(`${what} nests deeper than Go's limit of 10000 levels`);
  return readShape(
    value,
    { expected: type.expected, check: (v, path) => type.decode(v, type.zero(), path, facts) },
    what,
    makeError,
  );
}
