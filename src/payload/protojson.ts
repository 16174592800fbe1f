/**
 * Protobuf's JSON mapping (`protojson.Unmarshal`, what sigstore-go reads bundles with) as schemas:
 * one `pMessage` per protobuf message, decoding exactly as protojson decides whether a document is
 * accepted:
 *
 * - a member is named by its JSON name (`dsseEnvelope`) or its proto name (`dsse_envelope`), not
 *   both; an unknown member is refused (protojson's default), or ignored where a schema says so;
 * - `null` means "not set", for messages, scalars and lists alike; a `null` inside a list is refused;
 * - at most one member of a `oneof` is set;
 * - `string` is a JSON string of valid Unicode; `bytes` is base64, standard or URL-safe, padded or
 *   not; `int64` is a JSON number or a string holding one, either way an integer in range
 *   (`"1.5"` is not; `"1e2"` is 100), read as a decimal string; an enum is its name or its number;
 * - a member repeated with the same name anywhere in the document is refused.
 *
 * Only the parts of protojson sigstore's messages use: no maps of messages, no well-known types
 * beyond `Timestamp` and what a schema spells out, no `Any`.
 */
import type { OcisignError } from '../errors/base.js';
import { fromBase64 } from '../internal/bytes.js';
import { fail, isJsonObject, readShape } from '../internal/shape.js';
import {
  INT64_MAX,
  INT64_MIN,
  type JsonFacts,
  LONE_SURROGATE,
  pointerKey,
  readJsonDocument,
  TOO_MANY_FACTS,
} from './json-object.js';

/** How one protobuf type reads a (non-null) JSON value. */
export interface ProtoType<T> {
  readonly expected: string;
  read(value: unknown, path: string, facts: JsonFacts): T;
}

/** `string`: a JSON string of valid Unicode (protojson refuses invalid UTF-8 and lone surrogates). */
export const pString: ProtoType<string> = {
  expected: 'a string',
  read: (value, path) =>
    typeof value === 'string' && !LONE_SURROGATE.test(value) ? value : fail(path, 'a string'),
};

/** What sends a base64 member down the slow path of {@link pBytes}: line breaks, the URL-safe alphabet. */
const UNUSUAL_BASE64 = /[\r\n_-]/;

/** `bytes`: base64 as protojson reads it (standard or URL-safe alphabet, padding optional). */
export const pBytes: ProtoType<Uint8Array> = {
  expected: 'base64',
  read(value, path) {
    if (typeof value !== 'string') fail(path, 'a base64 string');
    // As Go's decoder: the padding rule is chosen on the raw length, then line breaks are skipped.
    const padded = value.length % 4 === 0;
    // The usual form (standard alphabet, padded, one line) needs none of the rewriting below.
    if (padded && !UNUSUAL_BASE64.test(value)) return fromBase64(value) ?? fail(path, 'base64');
    let text = value.replace(/[\r\n]/g, '');
    if (/[-_]/.test(text)) {
      if (/[+/]/.test(text)) fail(path, 'base64 in one alphabet');
      text = text.replaceAll('-', '+').replaceAll('_', '/');
    }
    if (!padded) {
      if (text.includes('=') || text.length % 4 === 1) fail(path, 'base64');
      if (text.length % 4 !== 0) text = text.padEnd(text.length + 4 - (text.length % 4), '=');
    }
    return fromBase64(text) ?? fail(path, 'base64');
  },
};

const JSON_NUMBER = /^(-)?(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** protojson's `normalizeToIntString`: the integer a JSON number literal denotes, or undefined. */
function integerOf(literal: string): bigint | undefined {
  const m = JSON_NUMBER.exec(literal);
  if (m === null) return undefined;
  const intp = m[2] === '0' ? '' : (m[2] as string);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 2 ** 31) return undefined;
  let digits: string;
  if (intp === '' && frac === '') digits = '0';
  else if (exp >= 0) {
    if (frac.length > exp || intp.length + exp > 20) return undefined;
    digits = intp + frac + '0'.repeat(exp - frac.length);
  } else {
    const point = intp.length + exp;
    if (frac.length > 0 || point < 0 || /[^0]/.test(intp.slice(point))) return undefined;
    digits = intp.slice(0, point);
  }
  if (digits === '') return undefined;
  const n = BigInt(digits);
  return m[1] === '-' ? -n : n;
}

/** `int64`: an integer as a JSON number or a string, read as its decimal string (`"1e2"` → `"100"`). */
export const pInt64: ProtoType<string> = {
  expected: 'an integer (a number or a string)',
  read(value, path, facts) {
    let literal: string | undefined;
    if (typeof value === 'number') {
      literal = facts.literals.get(path);
      if (literal === undefined && facts.truncated.literals) fail(path, TOO_MANY_FACTS);
      literal ??= String(value);
    } else if (typeof value === 'string') literal = value;
    const n = literal === undefined ? undefined : integerOf(literal);
    if (n === undefined || n < INT64_MIN || n > INT64_MAX)
      fail(path, 'a 64-bit integer (a number or a string of digits)');
    return n.toString();
  },
};

/** A `google.protobuf.Timestamp`: seconds since the Unix epoch and the nanoseconds after them. */
export interface ProtoTimestamp {
  readonly seconds: number;
  readonly nanos: number;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;
/** protojson's range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z. */
const TIMESTAMP_MIN_SECONDS = -62_135_596_800;
const TIMESTAMP_MAX_SECONDS = 253_402_300_799;

/**
 * `google.protobuf.Timestamp`: RFC 3339 text as protojson reads it (Go's `time.RFC3339Nano`: upper-case
 * `T`, `Z` or a `±hh:mm` offset, at most nine fractional digits, no leap second, years 0001–9999).
 */
export const pTimestamp: ProtoType<ProtoTimestamp> = {
  expected: 'an RFC 3339 timestamp',
  read(value, path) {
    const expected = 'an RFC 3339 timestamp such as "2021-01-12T11:53:27Z"';
    const m = typeof value === 'string' ? RFC3339.exec(value) : null;
    if (m === null) fail(path, expected);
    const n = (i: number) => Number(m[i] ?? 0);
    const [year, month, day, hour, minute, second] = [n(1), n(2), n(3), n(4), n(5), n(6)];
    const [offsetHours, offsetMinutes] = [n(9), n(10)];
    if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59)
      fail(path, expected);
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
      fail(path, expected);
    const offset = (m[8] === '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
    const seconds = date.getTime() / 1000 + hour * 3600 + minute * 60 + second - offset;
    if (seconds < TIMESTAMP_MIN_SECONDS || seconds > TIMESTAMP_MAX_SECONDS)
      fail(path, 'a timestamp between years 0001 and 9999');
    return { seconds, nanos: Number((m[7] ?? '').padEnd(9, '0')) };
  },
};

/** An enum: its name, or its number (names by number in `names`; unknown numbers are kept as digits). */
export function pEnum(names: readonly string[]): ProtoType<string> {
  const expected = `one of ${names.join(', ')} (or its number)`;
  return {
    expected,
    read(value, path, facts) {
      if (typeof value === 'string') return names.includes(value) ? value : fail(path, expected);
      if (typeof value !== 'number') fail(path, expected);
      if (facts.truncated.literals && !facts.literals.has(path)) fail(path, TOO_MANY_FACTS);
      const n = integerOf(facts.literals.get(path) ?? String(value));
      if (n === undefined || n < -(2n ** 31n) || n >= 2n ** 31n) fail(path, expected);
      return names[Number(n)] ?? n.toString();
    },
  };
}

/** `repeated T`: an array without nulls; `max` bounds its length (sigstore-go's limits). */
export function pList<T>(item: ProtoType<T>, options: { max?: number } = {}): ProtoType<T[]> {
  const expected = `an array, each entry ${item.expected}`;
  return {
    expected,
    read(value, path, facts) {
      if (!Array.isArray(value)) fail(path, expected);
      if (options.max !== undefined && value.length > options.max)
        fail(path, `${expected}, at most ${options.max} of them`);
      return value.map((v, i) =>
        v === null ? fail(`${path}/${i}`, item.expected) : item.read(v, `${path}/${i}`, facts),
      );
    },
  };
}

/** `map<string, T>`: an object whose values are `T` (a `null` value is refused). */
export function pMap<T>(item: ProtoType<T>): ProtoType<Record<string, T>> {
  const expected = `an object, each value ${item.expected}`;
  return {
    expected,
    read(value, path, facts) {
      if (!isJsonObject(value)) fail(path, expected);
      const out: Record<string, T> = Object.create(null);
      for (const key of Object.keys(value)) {
        const at = `${path}/${pointerKey(key)}`;
        out[key] = value[key] === null ? fail(at, item.expected) : item.read(value[key], at, facts);
      }
      return out;
    },
  };
}

/** `google.protobuf.Struct`: a JSON object of any values (numbers must fit a float64). */
export const pStruct: ProtoType<Record<string, unknown>> = {
  expected: 'an object',
  read(value, path, facts) {
    if (!isJsonObject(value)) fail(path, 'an object');
    if (facts.truncated.overflows) fail(path, TOO_MANY_FACTS);
    for (const at of facts.overflows) if (at.startsWith(`${path}/`)) fail(at, 'a number a float64 can hold');
    return value;
  },
};

/** One field of a message: its type, its proto name when not derived from the JSON name, its oneof. */
export interface ProtoField<T> {
  readonly type: ProtoType<T>;
  readonly proto?: string;
  readonly oneof?: string;
}

/** A field of `type` (`proto`: the proto name when it is not the JSON name in snake case). */
export function pField<T>(
  type: ProtoType<T>,
  options: { proto?: string; oneof?: string } = {},
): ProtoField<T> {
  return { type, ...options };
}

type Fields = Record<string, ProtoField<unknown>>;
/** What a message reads to: each field its value, or absent when the document did not set it. */
export type MessageOf<F extends Fields> = {
  [K in keyof F]?: F[K] extends ProtoField<infer T> ? T : never;
};

function snakeCase(jsonName: string): string {
  return jsonName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A message named `name`. `unknownFields: 'ignore'` is protojson's `DiscardUnknown`. */
export function pMessage<F extends Fields>(
  name: string,
  fields: F,
  options: { unknownFields?: 'refuse' | 'ignore' } = {},
): ProtoType<MessageOf<F>> {
  const byName = new Map<string, string>();
  const members = new Map<string, string[]>();
  for (const [json, field] of Object.entries(fields)) {
    byName.set(json, json);
    byName.set(field.proto ?? snakeCase(json), json);
    if (field.oneof !== undefined) members.set(field.oneof, [...(members.get(field.oneof) ?? []), json]);
  }
  const expected = `a ${name} object`;
  return {
    expected,
    read(value, path, facts) {
      if (!isJsonObject(value)) fail(path, expected);
      const out: Record<string, unknown> = {};
      // Made only for messages that need them: most have no oneof, and few members.
      const seen: string[] = [];
      let oneofs: Map<string, string> | undefined;
      for (const key of Object.keys(value)) {
        const at = `${path}/${pointerKey(key)}`;
        const json = byName.get(key);
        if (json === undefined) {
          if (options.unknownFields === 'ignore') continue;
          fail(at, `absent: ${name} has no such field (protojson refuses unknown fields)`);
        }
        if (seen.includes(json)) fail(at, `absent: ${name}.${json} is already given under its other name`);
        seen.push(json);
        const v = value[key];
        if (v === null) continue;
        const field = fields[json] as ProtoField<unknown>;
        if (field.oneof !== undefined) {
          oneofs ??= new Map<string, string>();
          const other = oneofs.get(field.oneof);
          if (other !== undefined)
            fail(
              at,
              `absent: ${name} takes exactly one of ${members.get(field.oneof)?.join(' and ')}, and ${other} is given`,
            );
          oneofs.set(field.oneof, json);
        }
        out[json] = field.type.read(v, at, facts);
      }
      return out as MessageOf<F>;
    },
  };
}

/**
 * Reads untrusted protojson bytes or text as `type`, or throws `makeError("<what>: /path must be …")`:
 * valid UTF-8, no byte-order mark, no member name repeated anywhere, then the schema.
 */
export function readProtoJson<T>(
  input: Uint8Array | string,
  type: ProtoType<T>,
  what: string,
  makeError: (message: string, cause?: unknown) => OcisignError,
): T {
  const { value, facts } = readJsonDocument(input, what, makeError, { utf8: 'fatal' });
  const [repeated] = facts.repeated;
  if (repeated !== undefined)
    throw makeError(`${what}: ${repeated} is repeated (protojson refuses duplicate fields)`);
  if (facts.loneSurrogates)
    throw makeError(`${what} holds an escaped lone surrogate, which protojson refuses`);
  return readShape(
    value,
    { expected: type.expected, check: (v, path) => type.read(v, path, facts) },
    what,
    makeError,
  );
}
