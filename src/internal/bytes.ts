/**
 * Byte helpers shared by every layer: base64, hex, UTF-8, comparison.
 *
 * Written without `Buffer` so that the pure layers (keys, payload) also run where Node's globals do not
 * exist. Not exported from the package; each layer re-exports what its users need.
 */

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_LOOKUP = /* @__PURE__ */ (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < BASE64_ALPHABET.length; i++) table[BASE64_ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/**
 * Node's `Buffer` where it exists, for base64 in native code (several times faster than the
 * loops below, which are what runs everywhere else).
 */
function nodeBuffer(): typeof Buffer | undefined {
  return (globalThis as { Buffer?: typeof Buffer }).Buffer;
}

/** Standard base64 with padding, as Go's `base64.StdEncoding` writes it. */
export function toBase64(bytes: Uint8Array): string {
  const native = nodeBuffer();
  if (native !== undefined)
    return native.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const n = (a << 16) | (b << 8) | c;
    out += BASE64_ALPHABET.charAt((n >> 18) & 63) + BASE64_ALPHABET.charAt((n >> 12) & 63);
    out += i + 1 < bytes.length ? BASE64_ALPHABET.charAt((n >> 6) & 63) : '=';
    out += i + 2 < bytes.length ? BASE64_ALPHABET.charAt(n & 63) : '=';
  }
  return out;
}

function base64Value(code: number): number {
  return code < 128 ? (BASE64_LOOKUP[code] ?? -1) : -1;
}

/**
 * Standard base64 with padding and no whitespace, as Go's `base64.StdEncoding.DecodeString` accepts it.
 * Returns `undefined` for anything else so callers can raise their own typed error.
 */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const native = nodeBuffer();
  if (native !== undefined) {
    // Buffer reads more than standard padded base64: its answer stands only when it re-encodes
    // to exactly the input. Anything else (invalid, or stray bits under the padding) takes the loop.
    const decoded = native.from(text, 'base64');
    if (decoded.toString('base64') === text) return new Uint8Array(decoded);
  }
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const dataChars = i + 4 === text.length ? 4 - padding : 4;
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const v = j < dataChars ? base64Value(text.charCodeAt(i + j)) : 0;
      if (v < 0) return undefined;
      n = (n << 6) | v;
    }
    // Like Go's non-strict StdEncoding, stray bits under the padding are ignored.
    out[o++] = (n >> 16) & 0xff;
    if (o < out.length) out[o++] = (n >> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

const HEX_PAIRS = /* @__PURE__ */ Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_PAIRS[bytes[i] as number];
  return out;
}

export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const encoder = /* @__PURE__ */ new TextEncoder();
const decoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: false });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8; invalid sequences become U+FFFD, as Go's string conversion does when printing. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Accepts a string (as UTF-8) or bytes, and returns a view over bytes without copying when it can. */
export function asBytes(input: string | Uint8Array): Uint8Array {
  return typeof input === 'string' ? utf8(input) : input;
}

/** Big-endian unsigned bytes to a bigint. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`);
}

/** A bigint to exactly `length` big-endian bytes (throws RangeError when it does not fit). */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16).padStart(length * 2, '0');
  if (hex.length > length * 2) throw new RangeError('integer does not fit');
  return fromHex(hex) as Uint8Array;
}
