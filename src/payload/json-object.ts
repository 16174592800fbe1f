/**
 * Reading untrusted JSON text the way the Go programs that write and verify it do, as far as
 * `JSON.parse` alone cannot tell: the value, plus the facts about the text that Go's
 * `encoding/json` and protobuf's `protojson` decide on and `JSON.parse` hides — members repeated
 * with the same name (the last one silently wins in JavaScript), number literals JavaScript cannot
 * hold as written (`1.0`, `1e2`, 20-digit integers), numbers too large for a float64, escaped lone
 * surrogates, and the nesting depth. A leading byte-order mark is refused (both Go decoders refuse
 * it; `TextDecoder` would drop it silently).
 *
 * Deliberately not a second JSON parser: `JSON.parse` checks the syntax and builds the value; a
 * linear scan over the already-valid text then collects the facts. Interpreting them (refuse a
 * repeated member, require an integer literal) is the schema's job: see `go-decode.ts` and
 * `protojson.ts`.
 */
import type { OcisignError } from '../errors/base.js';
import { PayloadFormatError } from '../errors/payload.js';
import { fromUtf8 } from '../internal/bytes.js';

/** What the text said that the parsed value no longer shows. Paths are JSON pointers. */
export interface JsonFacts {
  /** Pointers of members whose name appeared earlier in the same object (`/a/b` for a repeated `b`). */
  readonly repeated: ReadonlySet<string>;
  /** Number literals with a fraction, an exponent or more than 15 digits, as written, by pointer. */
  readonly literals: ReadonlyMap<string, string>;
  /** Pointers of numbers a float64 cannot hold (JavaScript reads them as ±Infinity). */
  readonly overflows: readonly string[];
  /** Whether some string or name holds an escaped lone surrogate (`"\ud800"`). */
  readonly loneSurrogates: boolean;
  /** The deepest nesting of objects and arrays (0 for a bare scalar). */
  readonly depth: number;
  /**
   * Which of the lists above stopped at {@link FACT_LIMIT} entries (a hostile document full of
   * repeated names or odd numbers): a schema that needs an incomplete list refuses instead of guessing.
   */
  readonly truncated: { readonly repeated: boolean; readonly literals: boolean; readonly overflows: boolean };
}

/** At most this many entries per list of facts, so that collecting them stays cheap on any input. */
export const FACT_LIMIT = 1000;

/** What a schema says it expected where a fact it needs was cut off at {@link FACT_LIMIT}. */
export const TOO_MANY_FACTS =
  'checkable (the document repeats names or writes odd numbers too often to check them all)';

/** The range of an int64, which both Go's and protobuf's decoders hold integer literals to. */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** A parsed JSON document and the facts about its text. */
export interface JsonDocument {
  readonly value: unknown;
  readonly facts: JsonFacts;
}

/** Facts of a value that was never text (an object handed in by a caller). */
export const NO_FACTS: JsonFacts = {
  repeated: new Set(),
  literals: new Map(),
  overflows: [],
  loneSurrogates: false,
  depth: 0,
  truncated: { repeated: false, literals: false, overflows: false },
};

/** A lone surrogate (UTF-16 that no UTF-8 can encode). */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const fatalDecoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Escapes a member name for a JSON pointer, as `shape.ts` builds its paths. */
export function pointerKey(key: string): string {
  // Most names hold neither character: skip the two replacements (and their copies) for them.
  if (key.indexOf('~') === -1) return key.indexOf('/') === -1 ? key : key.replaceAll('/', '~1');
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

interface Frame {
  readonly array: boolean;
  key: string;
  index: number;
  expectKey: boolean;
  /** The object's first member name; {@link Frame.names} is made only when a second one comes. */
  first: string | undefined;
  names: Set<string> | undefined;
}

function pointer(stack: readonly Frame[]): string {
  let out = '';
  for (const frame of stack) out += `/${frame.array ? String(frame.index) : pointerKey(frame.key)}`;
  return out;
}

/** Whether `name` was seen before in the object of `frame` (and remembers it). */
function seenBefore(frame: Frame, name: string): boolean {
  if (frame.first === undefined) {
    frame.first = name;
    return false;
  }
  if (frame.names === undefined) frame.names = new Set([frame.first]);
  if (frame.names.has(name)) return true;
  frame.names.add(name);
  return false;
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/**
 * Collects the {@link JsonFacts} of text that `JSON.parse` has already accepted. One pass, no
 * regular expressions: strings are skipped with `indexOf` unless they hold a backslash, and only
 * member names, escaped strings and odd number literals are ever copied out of the text.
 */
function scan(text: string): JsonFacts {
  const repeated = new Set<string>();
  const literals = new Map<string, string>();
  const overflows: string[] = [];
  const stack: Frame[] = [];
  let loneSurrogates = false;
  let depth = 0;
  const truncated = { repeated: false, literals: false, overflows: false };
  const room = (list: keyof typeof truncated, size: number): boolean => {
    if (size < FACT_LIMIT) return true;
    truncated[list] = true;
    return false;
  };
  let backslash = text.indexOf('\\');
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === 0x7b || c === 0x5b) {
      const array = c === 0x5b;
      stack.push({ array, key: '', index: 0, expectKey: !array, first: undefined, names: undefined });
      if (stack.length > depth) depth = stack.length;
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      i++;
    } else if (c === 0x2c) {
      if (top?.array) top.index++;
      else if (top !== undefined) top.expectKey = true;
      i++;
    } else if (c === 0x3a) {
      if (top !== undefined) top.expectKey = false;
      i++;
    } else if (c === 0x22) {
      let j = text.indexOf('"', i + 1);
      const escaped = backslash !== -1 && backslash < j;
      if (escaped) {
        j = i + 1;
        while (text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
        backslash = text.indexOf('\\', j + 1);
      }
      const isName = top !== undefined && !top.array && top.expectKey;
      if (escaped || isName) {
        const decoded = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (escaped && !loneSurrogates && LONE_SURROGATE.test(decoded)) loneSurrogates = true;
        if (isName) {
          top.key = decoded;
          if (seenBefore(top, decoded) && room('repeated', repeated.size)) repeated.add(pointer(stack));
        }
      }
      i = j + 1;
    } else if (c === 0x74 || c === 0x6e) i += 4;
    else if (c === 0x66) i += 5;
    else if (c === 0x2d || (c >= DIGIT_0 && c <= DIGIT_9)) {
      // The grammar JSON.parse already checked: -?digits(.digits)?([eE][+-]?digits)?
      const start = i;
      if (c === 0x2d) i++;
      const intStart = i;
      while (i < text.length && text.charCodeAt(i) >= DIGIT_0 && text.charCodeAt(i) <= DIGIT_9) i++;
      let digits = i - intStart;
      let odd = false;
      if (text.charCodeAt(i) === 0x2e) {
        odd = true;
        i++;
        while (i < text.length && text.charCodeAt(i) >= DIGIT_0 && text.charCodeAt(i) <= DIGIT_9) i++;
      }
      const e = text.charCodeAt(i);
      if (e === 0x65 || e === 0x45) {
        odd = true;
        i++;
        const sign = text.charCodeAt(i);
        if (sign === 0x2b || sign === 0x2d) i++;
        while (i < text.length && text.charCodeAt(i) >= DIGIT_0 && text.charCodeAt(i) <= DIGIT_9) i++;
      }
      if (!odd && digits <= 15) continue;
      // Odd literals are rare: only they are copied out and converted.
      const raw = text.slice(start, i);
      digits = raw.length - (c === 0x2d ? 1 : 0);
      if ((odd || digits > 15) && room('literals', literals.size)) literals.set(pointer(stack), raw);
      if (!Number.isFinite(Number(raw)) && room('overflows', overflows.length))
        overflows.push(pointer(stack));
    } else i++;
  }
  return { repeated, literals, overflows, loneSurrogates, depth, truncated };
}

/**
 * Parses untrusted JSON (bytes as UTF-8, or text) and collects the {@link JsonFacts} of its text.
 * `utf8: 'fatal'` refuses invalid UTF-8 (and text with lone surrogates), as protojson does;
 * the default replaces it with U+FFFD, as Go's `encoding/json` does. Throws `makeError(…)`.
 */
export function readJsonDocument(
  input: Uint8Array | string,
  what: string,
  makeError: (message: string) => OcisignError = (message) => new PayloadFormatError(message),
  options: { readonly utf8?: 'replace' | 'fatal' } = {},
): JsonDocument {
  let text: string;
  if (typeof input === 'string') {
    text = input;
    if (options.utf8 === 'fatal' && LONE_SURROGATE.test(text))
      throw makeError(`${what} is not valid UTF-8 text (it holds a lone surrogate)`);
  } else {
    if (!(input instanceof Uint8Array)) throw makeError(`${what} must be bytes or a string`);
    if (input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf)
      throw makeError(`${what} starts with a byte-order mark, which Go's JSON decoders refuse`);
    try {
      text = options.utf8 === 'fatal' ? fatalDecoder.decode(input) : fromUtf8(input);
    } catch {
      throw makeError(`${what} is not valid UTF-8`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw makeError(`${what} is not JSON`);
  }
  return { value, facts: scan(text) };
}

/** Reads untrusted bytes as one JSON object, or throws the caller's typed error naming the document. */
export function parseJsonObject(
  input: Uint8Array | string,
  what: string,
  makeError: (message: string) => OcisignError = (message) => new PayloadFormatError(message),
): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof input === 'string' ? input : fromUtf8(input));
  } catch {
    throw makeError(`${what} is not JSON`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw makeError(`${what} is not a JSON object`);
  return doc as Record<string, unknown>;
}
