import { describe, expect, it } from 'vitest';
import { decodeFirstPemBlock, decodePemBlocks, encodePem } from '../../../src/keys/pem.js';

const body = 'AQIDBAUGBwgJCgsMDQ4PEA==';
const bytes = Uint8Array.from({ length: 16 }, (_, i) => i + 1);

describe('decodeFirstPemBlock (Go encoding/pem rules)', () => {
  it('reads a plain block', () => {
    expect(decodeFirstPemBlock(`-----BEGIN X-----\n${body}\n-----END X-----\n`)).toEqual({
      type: 'X',
      headers: {},
      bytes,
    });
  });

  it('skips text before the block and tolerates CRLF, trailing blanks and whitespace inside the body', () => {
    const text = `garbage line\r\n-----BEGIN X-----  \r\nAQIDBAUG BwgJ\tCgsM\r\nDQ4PEA==\r\n-----END X-----\r\n`;
    expect(decodeFirstPemBlock(text)?.bytes).toEqual(bytes);
  });

  it('accepts an END line without trailing newline', () => {
    expect(decodeFirstPemBlock(`-----BEGIN X-----\n${body}\n-----END X-----`)?.bytes).toEqual(bytes);
  });

  it('collects headers', () => {
    const block = decodeFirstPemBlock(
      `-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES\n\n${body}\n-----END X-----\n`,
    );
    expect(block?.headers).toEqual({ 'Proc-Type': '4,ENCRYPTED', 'DEK-Info': 'AES' });
    expect(block?.bytes).toEqual(bytes);
  });

  it('passes over a malformed block and returns the next good one, as Go does', () => {
    const text = `-----BEGIN A-----\n!!notbase64!!\n-----END A-----\n-----BEGIN B-----\n${body}\n-----END B-----\n`;
    expect(decodeFirstPemBlock(text)?.type).toBe('B');
  });

  it('returns only the first of two good blocks', () => {
    const text = `${encodePem('FIRST', bytes)}${encodePem('SECOND', bytes)}`;
    expect(decodeFirstPemBlock(text)?.type).toBe('FIRST');
  });

  it.each([
    ['no block at all', 'hello'],
    ['a missing END line', `-----BEGIN X-----\n${body}\n`],
    ['a mismatched END type', `-----BEGIN X-----\n${body}\n-----END Y-----\n`],
    ['text after the END marker', `-----BEGIN X-----\n${body}\n-----END X----- trailing\n`],
    ['missing base64 padding', `-----BEGIN X-----\nAQIDBAUGBwgJCgsMDQ4PEA\n-----END X-----\n`],
    ['a BEGIN line without closing dashes', `-----BEGIN X\n${body}\n-----END X-----\n`],
  ])('returns undefined for %s', (_name, text) => {
    expect(decodeFirstPemBlock(text)).toBeUndefined();
  });

  it('reads bytes as well as strings', () => {
    expect(decodeFirstPemBlock(new TextEncoder().encode(encodePem('X', bytes)))?.bytes).toEqual(bytes);
  });
});

describe('encodePem', () => {
  it('writes 64-character lines and a trailing newline, like pem.EncodeToMemory', () => {
    const pem = encodePem('PUBLIC KEY', new Uint8Array(100).fill(7));
    const lines = pem.split('\n');
    expect(lines[0]).toBe('-----BEGIN PUBLIC KEY-----');
    expect(lines[1]).toHaveLength(64);
    expect(lines[2]).toHaveLength(64);
    expect(lines[3]).toHaveLength(136 - 128);
    expect(lines[4]).toBe('-----END PUBLIC KEY-----');
    expect(pem.endsWith('-----\n')).toBe(true);
  });

  it('round-trips through the decoder', () => {
    for (const n of [0, 1, 2, 3, 47, 48, 49, 200]) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 37) & 255);
      expect(decodeFirstPemBlock(encodePem('T', data))?.bytes).toEqual(data);
    }
  });
});

describe('decodePemBlocks (a loop over Go pem.Decode)', () => {
  it('reads every good block in order, passing over malformed ones and the text between', () => {
    const bad = `-----BEGIN BAD-----\n${body}\n-----END OTHER-----\n`;
    const text = `intro\n${encodePem('A', bytes)}between\n${bad}${encodePem('B', bytes.subarray(0, 3))}-----BEGIN C-----\n`;
    expect(decodePemBlocks(text).map((b) => [b.type, b.bytes.length])).toEqual([
      ['A', 16],
      ['B', 3],
    ]);
    expect(decodePemBlocks(new TextEncoder().encode(encodePem('A', bytes).repeat(3)))).toHaveLength(3);
  });

  it('finds nothing in text without a block, and the first block as decodeFirstPemBlock does', () => {
    expect(decodePemBlocks('no pem here')).toEqual([]);
    const text = `x\n${encodePem('A', bytes)}${encodePem('B', bytes)}`;
    expect(decodePemBlocks(text)[0]).toEqual(decodeFirstPemBlock(text));
  });
});
