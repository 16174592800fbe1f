/**
 * JSON exactly as Go's `encoding/json.Marshal` writes it — the encoder behind every document cosign
 * signs. Differences from `JSON.stringify` that matter for signatures:
 *
 * - map keys sorted by their UTF-8 bytes (JS sorts UTF-16 code units: non-BMP keys differ);
 * - HTML-safe escapes `\u003c \u003e \u0026` and `\u2028 \u2029`;
 * - C0 controls as `\b \f \n \r \t` or `\u00xx` (lowercase hex); invalid UTF-16 as U+FFFD;
 * - struct fields in declaration order: write those with {@link goStruct}, which keeps the order
 *   given (plain objects are Go maps and get sorted).
 *
 * Numbers use ECMAScript formatting, which equals Go's float64 formatting for finite values.
 * Not a parser, and not protojson (which cosign's bundles use; we never re-encode those).
 */
import { PayloadFormatError } from '../errors/payload.js';

const STRUCT = Symbol('go-struct');

/** A Go struct value: fields are written in the order given, `undefined` ones omitted (omitempty). */
export interface GoStruct {
  readonly [STRUCT]: ReadonlyArray<readonly [string, unknown]>;
}

/** Marks fields to be written in this order, like a Go struct; `undefined` values are omitted. */
export function goStruct(fields: ReadonlyArray<readonly [string, unknown]>): GoStruct {
  return { [STRUCT]: fields };
}

function isGoStruct(value: unknown): value is GoStruct {
  return typeof value === 'object' && value !== null && STRUCT in value;
}

const HEX = '0123456789abcdef';

function escapeString(text: string, escapeHtml: boolean): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (
      c >= 0x20 &&
      c !== 0x22 &&
      c !== 0x5c &&
      c < 0x7f &&
      !(escapeHtml && (c === 0x3c || c === 0x3e || c === 0x26))
    ) {
      out += text[i];
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += '\\\\';
        continue;
      case 0x08:
        out += '\\b';
        continue;
      case 0x0c:
        out += '\\f';
        continue;
      case 0x0a:
        out += '\\n';
        continue;
      case 0x0d:
        out += '\\r';
        continue;
      case 0x09:
        out += '\\t';
        continue;
    }
    if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += `\\u${HEX[c >> 12]}${HEX[(c >> 8) & 15]}${HEX[(c >> 4) & 15]}${HEX[c & 15]}`;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text.slice(i, i + 2);
        i++;
      } else {
        out += '\ufffd';
      }
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\ufffd';
      continue;
    }
    out += text[i];
  }
  return `${out}"`;
}

const utf8 = new TextEncoder();

const SURROGATE = /[\ud800-\udfff]/;

/** Compares strings by their UTF-8 bytes, as Go sorts map keys. */
export function compareUtf8(a: string, b: string): number {
  // UTF-16 code-unit order equals UTF-8 byte order unless a surrogate pair is involved.
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

function encode(value: unknown, escapeHtml: boolean, depth: number): string {
  if (depth > 1000) throw new PayloadFormatError('Value is nested too deeply to encode as JSON');
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return escapeString(value, escapeHtml);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value))
        throw new PayloadFormatError(`Cannot encode ${value} as JSON (Go refuses non-finite numbers too)`);
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      throw new PayloadFormatError(`Cannot encode a ${typeof value} as JSON`);
  }
  if (isGoStruct(value)) {
    const parts = value[STRUCT]
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${escapeString(k, escapeHtml)}:${encode(v, escapeHtml, depth + 1)}`);
    return `{${parts.join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => encode(v, escapeHtml, depth + 1)).join(',')}]`;
  if (value instanceof Uint8Array)
    throw new PayloadFormatError('Encode bytes as base64 strings before JSON encoding');
  const keys = Object.keys(value as object).sort(compareUtf8);
  const record = value as Record<string, unknown>;
  return `{${keys.map((k) => `${escapeString(k, escapeHtml)}:${encode(record[k], escapeHtml, depth + 1)}`).join(',')}}`;
}

/**
 * Encodes a value as Go's `json.Marshal` would (compact, no trailing newline). Plain objects are Go
 * maps (keys sorted by UTF-8); use {@link goStruct} for struct field order. `escapeHtml: false`
 * matches an `Encoder` with `SetEscapeHTML(false)`.
 */
export function encodeGoJson(value: unknown, options: { escapeHtml?: boolean } = {}): string {
  return encode(value, options.escapeHtml ?? true, 0);
}
