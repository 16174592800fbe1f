/**
 * The simple-signing payload, the `.att` DSSE envelope and the Rekor bundle annotation are read as
 * cosign reads them — Go's `encoding/json` into its structs: type mismatches refused, `null` as
 * empty, names case-folded as Go folds them, members applied in order.
 */
import { describe, expect, it } from 'vitest';
import { ClaimMismatchError, PayloadFormatError } from '../../../src/errors/index.js';
import {
  checkSimpleSigningClaims,
  encodeSimpleSigningPayload,
  parseDsseEnvelope,
  parseRekorBundleAnnotation,
  parseSimpleSigningPayload,
} from '../../../src/payload/index.js';

const digest = `sha256:${'a'.repeat(64)}`;
const bytes = (text: string) => new TextEncoder().encode(text);
const parse = (text: string) => parseSimpleSigningPayload(bytes(text));

describe('simple-signing payloads: Go type rules', () => {
  it.each([
    ['{"critical":7}'],
    ['{"critical":[]}'],
    ['{"critical":"x"}'],
    ['{"critical":true}'],
    ['{"critical":{"image":"x"}}'],
    ['{"critical":{"image":[]}}'],
    ['{"critical":{"identity":[1]}}'],
    ['{"critical":{"identity":{"docker-reference":5}}}'],
    ['{"critical":{"image":{"docker-manifest-digest":{}}}}'],
    ['{"critical":{"type":false}}'],
    ['{"optional":[]}'],
    ['{"optional":"x"}'],
    ['{"optional":7}'],
    ['{"optional":{"a":1e400}}'],
    ['"x"'],
    ['5'],
    ['[]'],
    ['true'],
  ])('refuses %s with PayloadFormatError, as Go refuses it', (text) => {
    expect(() => parse(text)).toThrow(PayloadFormatError);
  });

  it('names the member that has the wrong type', () => {
    expect(() => parse('{"critical":{"image":"x"}}')).toThrow(/\/critical\/image must be an object/);
  });

  it('reads null as Go does: an empty payload, whose digest claim then fails', () => {
    const payload = parse('null');
    expect(payload).toEqual({ dockerReference: '', manifestDigest: '', type: '', annotations: null });
    expect(() => checkSimpleSigningClaims(payload, { manifestDigest: digest })).toThrow(ClaimMismatchError);
    expect(parse('{"critical":null,"optional":null}').manifestDigest).toBe('');
    expect(parse('{"critical":{"image":null,"identity":null,"type":null}}').type).toBe('');
  });

  it('ignores unknown members, whatever their type (Go skips them)', () => {
    const text = `{"critical":{"image":{"docker-manifest-digest":"${digest}"},"x":[1e400]},"extra":{"a":[null]}}`;
    expect(parse(text).manifestDigest).toBe(digest);
  });

  it('folds names as Go 1.21 does, including ı, İ, ſ and the Kelvin sign', () => {
    expect(parse(`{"CRITICAL":{"Image":{"Docker-Manifest-Digest":"${digest}"}}}`).manifestDigest).toBe(
      digest,
    );
    expect(
      parse(`{"cr\u0131t\u0130cal":{"image":{"docker-manifest-digest":"${digest}"}}}`).manifestDigest,
    ).toBe(digest);
    expect(parse('{"critical":{"identity":{"doc\u212aer-reference":"r"}}}').dockerReference).toBe('r');
    expect(parse(`{"critical":{"image":{"docker-manife\u017ft-digest":"${digest}"}}}`).manifestDigest).toBe(
      digest,
    );
    expect(parse('{"critical":{"typé":"x"}}').type).toBe('');
  });

  it('applies members in order: the later spelling wins, null keeps the value, structs and maps merge', () => {
    expect(parse('{"critical":{"type":"a","TYPE":"b"}}').type).toBe('b');
    expect(parse('{"critical":{"TYPE":"b","type":"a"}}').type).toBe('a');
    expect(parse('{"critical":{"type":"a","TYPE":null}}').type).toBe('a');
    const merged = parse(
      `{"critical":{"image":{"docker-manifest-digest":"${digest}"}},"CRITICAL":{"type":"t"}}`,
    );
    expect(merged).toMatchObject({ manifestDigest: digest, type: 't' });
    expect(parse('{"optional":{"a":1},"OPTIONAL":{"b":2}}').annotations).toEqual({ a: 1, b: 2 });
    expect(parse('{"optional":{"a":1},"Optional":null}').annotations).toBeNull();
  });

  it('refuses a struct member repeated with the same name (Go would merge it with the first)', () => {
    expect(() => parse(`{"critical":7,"critical":{"image":{"docker-manifest-digest":"${digest}"}}}`)).toThrow(
      /critical must be given once/,
    );
    expect(() => parse('{"critical":{"type":"a","type":"b"}}')).toThrow(PayloadFormatError);
    // Within a map and in unknown members the last one wins, as in Go.
    expect(parse('{"optional":{"a":1,"a":2},"x":1,"x":2}').annotations).toEqual({ a: 2 });
  });

  it('reads escaped lone surrogates as U+FFFD, and refuses a byte-order mark and deep nesting', () => {
    expect(parse('{"critical":{"type":"\\ud800"}}').type).toBe('\ufffd');
    expect(parse('{"optional":{"\\udc00":["\\ud800"]}}').annotations).toEqual({ '\ufffd': ['\ufffd'] });
    const payload = encodeSimpleSigningPayload({ dockerReference: 'r', manifestDigest: digest });
    expect(() => parseSimpleSigningPayload(new Uint8Array([0xef, 0xbb, 0xbf, ...payload]))).toThrow(
      /byte-order mark/,
    );
    // Go counts every open object and array: two objects and 9999 arrays are one too many.
    expect(() => parse(`{"optional":{"a":${'['.repeat(9_999)}${']'.repeat(9_999)}}}`)).toThrow(/10000/);
    expect(parse(`{"optional":{"a":${'['.repeat(9_998)}${']'.repeat(9_998)}}}`).annotations).toBeTruthy();
  });

  it('keeps a member named __proto__ as data', () => {
    const annotations = parse('{"optional":{"__proto__":{"x":1}}}').annotations as Record<string, unknown>;
    expect(Object.hasOwn(annotations, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(annotations)).toBe(Object.prototype);
  });
});

describe('DSSE envelopes of .att layers: Go type rules', () => {
  const envelope = (extra: string) => bytes(`{"payloadType":"t","payload":"e30=",${extra}}`);

  it.each([
    ['"signatures":"x"'],
    ['"signatures":[5]'],
    ['"signatures":[{"sig":5}]'],
    ['"signatures":[{"keyid":[]}]'],
    ['"signatures":{}'],
    ['"payloadType":7,"signatures":[]'],
  ])('refuses %s', (extra) => {
    expect(() => parseDsseEnvelope(envelope(extra))).toThrow(PayloadFormatError);
  });

  it('reads null as empty and folds names', () => {
    expect(parseDsseEnvelope(envelope('"signatures":null')).signatures).toEqual([]);
    expect(parseDsseEnvelope(envelope('"signatures":[null]')).signatures).toEqual([{ sig: '' }]);
    const folded = parseDsseEnvelope(
      bytes('{"PAYLOADTYPE":"t","Payload":"e30=","Signatures":[{"SIG":"AAAA"}]}'),
    );
    expect(folded).toMatchObject({ payloadType: 't', signatures: [{ sig: 'AAAA' }] });
    expect(new TextDecoder().decode(folded.payload)).toBe('{}');
  });

  it('refuses bare strings, numbers and arrays', () => {
    for (const text of ['"x"', '5', '[]'])
      expect(() => parseDsseEnvelope(bytes(text))).toThrow(PayloadFormatError);
  });
});

describe('the Rekor bundle annotation: Go type rules', () => {
  const payload = '{"body":"e30=","integratedTime":1,"logIndex":2,"logID":"ab"}';

  it('reads a well-formed annotation', () => {
    const b = parseRekorBundleAnnotation(`{"SignedEntryTimestamp":"AAAA","Payload":${payload}}`);
    expect(b.payload).toEqual({ body: 'e30=', integratedTime: 1, logIndex: 2, logID: 'ab' });
    expect(b.signedEntryTimestamp).toEqual(new Uint8Array([0, 0, 0]));
  });

  it('reads null and missing members as Go zero values', () => {
    expect(parseRekorBundleAnnotation('null')).toEqual({
      signedEntryTimestamp: null,
      payload: { body: null, integratedTime: 0, logIndex: 0, logID: '' },
    });
    expect(
      parseRekorBundleAnnotation('{"signedentrytimestamp":"AA\\nAA"}').signedEntryTimestamp,
    ).toHaveLength(3);
  });

  it.each([
    ['{"Payload":{"logID":5}}'],
    ['{"Payload":{"logIndex":1.5}}'],
    ['{"Payload":{"logIndex":1.0}}'],
    ['{"Payload":{"logIndex":1e3}}'],
    ['{"Payload":{"logIndex":"1"}}'],
    ['{"Payload":{"integratedTime":99999999999999999999}}'],
    ['{"Payload":"x"}'],
    ['{"SignedEntryTimestamp":5}'],
    ['{"SignedEntryTimestamp":"not base64!"}'],
    ['[]'],
    ['"x"'],
    ['{'],
  ])('refuses %s', (text) => {
    expect(() => parseRekorBundleAnnotation(text)).toThrow(PayloadFormatError);
  });

  it('accepts big int64 values Go accepts', () => {
    expect(parseRekorBundleAnnotation('{"Payload":{"logIndex":9223372036854775807}}').payload.logIndex).toBe(
      Number(9223372036854775807n),
    );
  });
});

describe('hostile sizes', () => {
  it('collects bounded facts: thousands of floats and repeated names cost little and refuse nothing they need not', () => {
    const floats = Array.from({ length: 5000 }, (_, i) => `"k${i}":${i}.5`).join(',');
    const started = performance.now();
    expect(Object.keys(parse(`{"optional":{${floats}}}`).annotations ?? {})).toHaveLength(5000);
    // With more odd literals than are recorded, an int64 read from a number is refused, not guessed.
    expect(() =>
      parseRekorBundleAnnotation(
        `{"x":[${Array.from({ length: 2000 }, () => '1.5').join(',')}],"Payload":{"logIndex":1}}`,
      ),
    ).toThrow(PayloadFormatError);
    const repeated = Array.from({ length: 2000 }, (_, i) => `"a${i}":1,"a${i}":2`).join(',');
    expect(parse(`{"x":{${repeated}}}`).manifestDigest).toBe('');
    expect(() => parse(`{"x":{${repeated}},"critical":{}}`)).toThrow(/too often to check/);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
