/**
 * Base64 and hex: Node's `Buffer` does the work where it exists, and the answers must be exactly
 * those of the pure loops that run everywhere else — standard padded base64 only (Buffer alone
 * would also read URL-safe, unpadded or whitespace-broken text), stray bits under the padding
 * ignored as Go ignores them, and plain `Uint8Array`s that own their bytes.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromBase64, toBase64, toHex } from '../../../src/internal/bytes.js';

/** Runs `fn` as it would run where there is no `Buffer` (the pure loops). */
function withoutBuffer<T>(fn: () => T): T {
  vi.stubGlobal('Buffer', undefined);
  try {
    return fn();
  } finally {
    vi.unstubAllGlobals();
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('base64', () => {
  it('encodes and decodes as the pure loops do, on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = toBase64(bytes);
        expect(text).toBe(withoutBuffer(() => toBase64(bytes)));
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(fromBase64(text)).toEqual(withoutBuffer(() => fromBase64(text)));
        expect(fromBase64(text)).toEqual(new Uint8Array(bytes));
      }),
    );
  });

  it('gives the same answer as the pure loops on any text, valid or not', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n';
    const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 24 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(fromBase64(t)).toEqual(withoutBuffer(() => fromBase64(t)));
      }),
    );
  });

  it('reads only standard padded base64, ignoring stray bits under the padding', () => {
    expect(fromBase64('QQ==')).toEqual(new Uint8Array([0x41]));
    expect(fromBase64('QR==')).toEqual(new Uint8Array([0x41])); // stray bits: Go's StdEncoding reads it
    expect(fromBase64('QUI=')).toEqual(new Uint8Array([0x41, 0x42]));
    expect(fromBase64('')).toEqual(new Uint8Array());
    for (const bad of [
      'QQ',
      'QQ=',
      'Q===',
      '====',
      'QQ==QQ==',
      '_-8=',
      'QU I=',
      'QUI=\n',
      'QU+/'.slice(0, 3),
    ])
      expect(fromBase64(bad)).toBeUndefined();
  });

  it('returns plain Uint8Arrays that own their bytes', () => {
    const decoded = fromBase64(toBase64(new Uint8Array([1, 2, 3, 4, 5]))) as Uint8Array;
    expect(Object.getPrototypeOf(decoded)).toBe(Uint8Array.prototype);
    expect(decoded.byteOffset).toBe(0);
    expect(decoded.buffer.byteLength).toBe(5);
  });

  it('encodes a view of a larger buffer by its own bytes only', () => {
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9, 9]);
    expect(toBase64(backing.subarray(2, 5))).toBe('AQID');
  });
});

describe('hex', () => {
  it('is two lowercase digits per byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
      }),
    );
  });
});
