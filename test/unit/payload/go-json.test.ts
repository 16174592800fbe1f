import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PayloadFormatError } from '../../../src/errors/index.js';
import { compareUtf8, encodeGoJson, goStruct } from '../../../src/payload/index.js';

describe('encodeGoJson (Go encoding/json)', () => {
  it('escapes HTML characters and line separators like Go', () => {
    expect(encodeGoJson('<a href="x">&</a>\u2028\u2029')).toBe(
      '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e\\u2028\\u2029"',
    );
    expect(encodeGoJson('<&>', { escapeHtml: false })).toBe('"<&>"');
  });

  it('writes control characters as Go ≥ 1.22 does', () => {
    expect(encodeGoJson('\b\f\n\r\t\u0000\u001f\u007f')).toBe('"\\b\\f\\n\\r\\t\\u0000\\u001f\u007f"');
  });

  it('replaces lone surrogates with U+FFFD and keeps pairs', () => {
    expect(encodeGoJson('a\ud800b\udc00c😀')).toBe('"a\ufffdb\ufffdc😀"');
  });

  it('sorts map keys by UTF-8 bytes, not UTF-16 units', () => {
    // U+FF5E (EF BD 9E in UTF-8) sorts before U+1F600 (F0 9F 98 80) in UTF-8, after it in UTF-16.
    const map = { '😀': 1, '～': 2, a: 3, B: 4 };
    expect(encodeGoJson(map)).toBe('{"B":4,"a":3,"～":2,"😀":1}');
    expect(Object.keys(map).sort()).toEqual(['B', 'a', '😀', '～']);
    expect(compareUtf8('～', '😀')).toBeLessThan(0);
  });

  it('keeps struct order and omits undefined fields', () => {
    expect(
      encodeGoJson(
        goStruct([
          ['z', 1],
          ['a', undefined],
          ['m', { y: 1, x: 2 }],
        ]),
      ),
    ).toBe('{"z":1,"m":{"x":2,"y":1}}');
  });

  it('formats numbers as Go float64 does', () => {
    expect(encodeGoJson([8.314, 1e21, 1e-7, 100, 0.1, 1458239713, -0])).toBe(
      '[8.314,1e+21,1e-7,100,0.1,1458239713,-0]',
    );
  });

  it('refuses values Go cannot encode', () => {
    expect(() => encodeGoJson(Number.NaN)).toThrow(PayloadFormatError);
    expect(() => encodeGoJson(() => 1)).toThrow(PayloadFormatError);
  });

  it('agrees with JSON.parse on every value it writes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const normalize = (v: unknown) => JSON.parse(JSON.stringify(v));
        expect(normalize(JSON.parse(encodeGoJson(value)))).toEqual(normalize(value));
      }),
      { numRuns: 500 },
    );
  });
});
