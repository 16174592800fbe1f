/**
 * parseTrustedRoot on every real trusted root in ../shared/vectors/keyless (the shared ones and
 * each case's own, holdout included): what the model holds, that it is frozen and keeps its
 * document, that objects, text, bytes and proto member names read alike, and that each malformed
 * member is an InvalidArgumentError naming it.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors/index.js';
import { isTrustedRoot, parseTrustedRoot } from '../../../src/sigstore/index.js';
import { SHARED_DIR } from '../../helpers/vectors.js';

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
type Json = any;
const KEYLESS = join(SHARED_DIR, 'vectors', 'keyless');

/** Every trusted_root.json under the keyless vectors: the shared ones and each case's own. */
function trustedRootFiles(dir = KEYLESS): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return trustedRootFiles(path);
    const shared = relative(KEYLESS, dir) === 'trusted-roots' && entry.name.endsWith('.json');
    return shared || entry.name === 'trusted_root.json' ? [path] : [];
  });
}

const FILES = trustedRootFiles();
const read = (name: string): Json => JSON.parse(readFileSync(join(KEYLESS, name), 'utf8'));
const publicGood = read('trusted-roots/public-good-sigstore-tuf-4.0.2.json');
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());

/** The same document with every member under its proto (snake_case) name, as protojson also reads it. */
function snakeCase(value: Json): Json {
  if (Array.isArray(value)) return value.map(snakeCase);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeCase(v)]),
  );
}

describe('every trusted root in the keyless vectors', () => {
  it('finds the shared roots and the per-case ones', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(17);
    expect(FILES.some((f) => f.includes('holdout'))).toBe(true);
  });

  it.each(FILES.map((f) => [relative(KEYLESS, f), f]))('%s parses to what it lists', (_name, file) => {
    const text = readFileSync(file);
    const doc = JSON.parse(text.toString('utf8'));
    const root = parseTrustedRoot(text);
    expect(root.mediaType).toBe('application/vnd.dev.sigstore.trustedroot+json;version=0.1');
    for (const kind of ['certificateAuthorities', 'tlogs', 'ctlogs', 'timestampAuthorities'] as const)
      expect(root[kind].length, kind).toBe((doc[kind] ?? []).length);
    root.tlogs.forEach((log, i) => {
      const given = doc.tlogs[i];
      expect(log.baseUrl).toBe(given.baseUrl);
      expect(log.publicKey.rawBytes).toEqual(b64(given.publicKey.rawBytes));
      expect(log.logId?.keyId).toEqual(b64(given.logId.keyId));
      expect(log.publicKey.validFor?.start?.toISOString() ?? null).toBe(
        given.publicKey.validFor?.start === undefined
          ? null
          : new Date(given.publicKey.validFor.start).toISOString(),
      );
    });
    root.certificateAuthorities.forEach((ca, i) => {
      expect(ca.uri).toBe(doc.certificateAuthorities[i].uri);
      expect(ca.certChain.certificates.map((c) => c.rawBytes)).toEqual(
        doc.certificateAuthorities[i].certChain.certificates.map((c: Json) => b64(c.rawBytes)),
      );
    });
    expect(root.json).toEqual(doc);
    expect(parseTrustedRoot(doc)).toEqual(root);
    expect(parseTrustedRoot(text.toString('utf8'))).toEqual(root);
  });
});

describe('the public-good root (@sigstore/tuf 4.0.2)', () => {
  const root = parseTrustedRoot(publicGood);

  it('holds 2 CAs (the first ended 2022), 2 Rekor logs, 2 CT logs and 1 TSA', () => {
    expect(root.certificateAuthorities.map((ca) => [ca.uri, ca.certChain.certificates.length])).toEqual([
      ['https://fulcio.sigstore.dev', 1],
      ['https://fulcio.sigstore.dev', 2],
    ]);
    expect(root.certificateAuthorities[0]?.validFor).toEqual({
      start: new Date('2021-03-07T03:20:29.000Z'),
      end: new Date('2022-12-31T23:59:59.999Z'),
    });
    expect(root.tlogs.map((t) => t.baseUrl)).toEqual([
      'https://rekor.sigstore.dev',
      'https://log2025-1.rekor.sigstore.dev',
    ]);
    expect(root.tlogs[1]?.publicKey.keyDetails).toBe('PKIX_ED25519');
    expect(root.ctlogs.map((t) => t.hashAlgorithm)).toEqual(['SHA2_256', 'SHA2_256']);
    expect(root.timestampAuthorities[0]?.subject).toEqual({
      organization: 'sigstore.dev',
      commonName: 'sigstore-tsa-selfsigned',
    });
    // For the Rekor v1 log and the CT logs, the log ID is SHA-256 of the key's DER.
    for (const log of [root.tlogs[0], ...root.ctlogs])
      expect(log?.logId?.keyId).toEqual(sha256(log?.publicKey.rawBytes as Uint8Array));
  });

  it('is frozen, down to its document, and a later edit of the input changes nothing', () => {
    const input = structuredClone(publicGood);
    const parsed = parseTrustedRoot(input);
    expect(Object.isFrozen(parsed) && Object.isFrozen(parsed.tlogs) && Object.isFrozen(parsed.tlogs[0])).toBe(
      true,
    );
    expect(Object.isFrozen(parsed.json) && Object.isFrozen((parsed.json as Json).tlogs[0].publicKey)).toBe(
      true,
    );
    input.tlogs[0].baseUrl = 'https://evil.example';
    expect(parsed.tlogs[0]?.baseUrl).toBe('https://rekor.sigstore.dev');
    expect((parsed.json as Json).tlogs[0].baseUrl).toBe('https://rekor.sigstore.dev');
    expect(() => {
      (parsed as Json).tlogs.push(parsed.tlogs[0]);
    }).toThrow(TypeError);
  });

  it('is returned as it is when parsed again, and only its own values count as parsed', () => {
    expect(parseTrustedRoot(root)).toBe(root);
    expect(isTrustedRoot(root)).toBe(true);
    expect(isTrustedRoot({ ...root })).toBe(false);
    expect(isTrustedRoot(publicGood)).toBe(false);
  });

  it('reads proto member names, numeric enums and URL-safe base64 as protojson does', () => {
    const variant = snakeCase(publicGood);
    variant.tlogs[0].hash_algorithm = 1;
    variant.tlogs[0].public_key.key_details = 5;
    variant.tlogs[0].public_key.raw_bytes = publicGood.tlogs[0].publicKey.rawBytes
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '');
    const parsed = parseTrustedRoot(JSON.stringify(variant));
    const { json: _a, ...model } = parsed;
    const { json: _b, ...expected } = root;
    expect(model).toEqual(expected);
  });

  it('keeps nanoseconds to the millisecond, rounding windows inwards', () => {
    const doc = structuredClone(publicGood);
    doc.tlogs[0].publicKey.validFor = {
      start: '2021-01-12T11:53:27.0000001Z',
      end: '2030-01-01T00:00:00.9999999Z',
    };
    expect(parseTrustedRoot(doc).tlogs[0]?.publicKey.validFor).toEqual({
      start: new Date('2021-01-12T11:53:27.001Z'),
      end: new Date('2030-01-01T00:00:00.999Z'),
    });
  });
});

describe('malformed trusted roots: InvalidArgumentError naming the member', () => {
  const edited = (edit: (doc: Json) => void): Json => {
    const doc = structuredClone(publicGood);
    edit(doc);
    return doc;
  };
  const tsaCert = (d: Json) => d.timestampAuthorities[0].certChain.certificates[1];

  it('not an object, or not JSON', () => {
    expect(() => parseTrustedRoot(42)).toThrow(/trustedRoot: the document must be a TrustedRoot object/);
    expect(() => parseTrustedRoot('{"tlogs": [')).toThrow(InvalidArgumentError);
    expect(() => parseTrustedRoot('{"tlogs": [')).toThrow(/trustedRoot is not JSON/);
  });

  // biome-ignore format: one case a line
  it.each([
    ['tlogs not a list', (d: Json) => { d.tlogs = {}; }, /\/tlogs must be an array/],
    ['a log key without its bytes', (d: Json) => { delete d.ctlogs[1].publicKey.rawBytes; }, /trustedRoot\.ctlogs\[1\]\.publicKey\.rawBytes must be base64 DER/],
    ['a log with no publicKey', (d: Json) => { delete d.tlogs[0].publicKey; }, /trustedRoot\.tlogs\[0\]\.publicKey\.rawBytes/],
    ['bytes that are not base64', (d: Json) => { d.tlogs[0].logId.keyId = '%%%'; }, /\/tlogs\/0\/logId\/keyId must be base64/],
    ['an unknown key kind', (d: Json) => { d.tlogs[0].publicKey.keyDetails = 'PKIX_RSA_9999'; }, /keyDetails must be one of/],
    ['an unknown hash', (d: Json) => { d.ctlogs[0].hashAlgorithm = 'MD5'; }, /hashAlgorithm must be one of/],
    ['a time that is not RFC 3339', (d: Json) => { d.certificateAuthorities[0].validFor.end = '2022-12-31'; }, /\/certificateAuthorities\/0\/validFor\/end must be an RFC 3339 timestamp/],
    ['a CA without certificates', (d: Json) => { d.certificateAuthorities[1].certChain.certificates = []; }, /trustedRoot\.certificateAuthorities\[1\]\.certChain\.certificates must hold at least one/],
    ['a TSA without a chain', (d: Json) => { delete d.timestampAuthorities[0].certChain; }, /trustedRoot\.timestampAuthorities\[0\]\.certChain\.certificates/],
    ['a certificate that is no certificate', (d: Json) => { d.certificateAuthorities[1].certChain.certificates[0].rawBytes = 'AAAA'; }, /trustedRoot\.certificateAuthorities\[1\]\.certChain\.certificates\[0\]\.rawBytes is not a DER X\.509 certificate/],
    ['a truncated certificate', (d: Json) => { tsaCert(d).rawBytes = tsaCert(d).rawBytes.slice(0, 200); }, /timestampAuthorities\[0\]\.certChain\.certificates\[1\]\.rawBytes is not a DER X\.509 certificate/],
    ['a null inside a list', (d: Json) => { d.ctlogs[0] = null; }, /\/ctlogs\/0 must be a TransparencyLogInstance object/],
    ['a member under both its names', (d: Json) => { d.media_type = 'x'; }, /mediaType is already given under its other name/],
  ])('%s', (_, edit, message) => {
    const doc = edited(edit);
    expect(() => parseTrustedRoot(doc)).toThrow(InvalidArgumentError);
    expect(() => parseTrustedRoot(doc)).toThrow(message);
    expect(() => parseTrustedRoot(JSON.stringify(doc))).toThrow(InvalidArgumentError);
  });

  it('a member repeated in the text, a lone surrogate, or an object that is not JSON', () => {
    expect(() => parseTrustedRoot('{"tlogs": [], "tlogs": []}')).toThrow(/\/tlogs is repeated/);
    expect(() => parseTrustedRoot('{"mediaType": "\\ud800"}')).toThrow(InvalidArgumentError);
    const cyclic: Json = { tlogs: [] };
    cyclic.self = cyclic;
    expect(() => parseTrustedRoot(cyclic)).toThrow(/trustedRoot must be a JSON value/);
    expect(() => parseTrustedRoot({ tlogs: [], n: 1n })).toThrow(InvalidArgumentError);
  });

  it('members it does not know are ignored, as newer specs add fields', () => {
    const doc = edited((d) => {
      d.signingConfig = { x: 1 };
      d.tlogs[0].newField = [1, 2];
    });
    expect(parseTrustedRoot(doc).tlogs.length).toBe(2);
  });

  it('a log without validFor, or with an empty one, is kept as such (the verifier decides)', () => {
    const doc = edited((d) => {
      delete d.tlogs[0].publicKey.validFor;
      d.ctlogs[0].publicKey.validFor = {};
    });
    const root = parseTrustedRoot(doc);
    expect(root.tlogs[0]?.publicKey.validFor).toBeUndefined();
    expect(root.ctlogs[0]?.publicKey.validFor).toEqual({});
  });
});
