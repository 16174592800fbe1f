/**
 * `parseBundle` reads bundles as sigstore-go does — protojson into protobuf-specs' `Bundle`, then
 * sigstore-go's checks — so a member of the wrong JSON type, an unknown member, a repeated member,
 * or a tlog entry sigstore-go cannot use is a BundleFormatError, and the numbers and bytes it keeps
 * come out canonical.
 */
import { describe, expect, it } from 'vitest';
import { BundleFormatError } from '../../../src/errors/index.js';
import { parseBundle } from '../../../src/payload/index.js';

const V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const V01 = 'application/vnd.dev.sigstore.bundle+json;version=0.1';
const envelope = {
  payload: 'e30=',
  payloadType: 'application/vnd.in-toto+json',
  signatures: [{ sig: 'AAAA' }],
};
const proof = {
  logIndex: '1',
  rootHash: 'AAAA',
  treeSize: '2',
  hashes: ['AAAA'],
  checkpoint: { envelope: 'origin\n2\nAAAA\n\n— x AAAA\n' },
};
const entry = {
  logIndex: '7',
  logId: { keyId: 'a2V5' },
  kindVersion: { kind: 'dsse', version: '0.0.1' },
  integratedTime: '1700000000',
  inclusionPromise: { signedEntryTimestamp: 'AAAA' },
  inclusionProof: proof,
  canonicalizedBody: 'e30=',
};
const bundle = (over: Record<string, unknown> = {}, material: Record<string, unknown> = {}) => ({
  mediaType: V03,
  verificationMaterial: { publicKey: { hint: 'h' }, tlogEntries: [entry], ...material },
  dsseEnvelope: envelope,
  ...over,
});
const withEntry = (e: Record<string, unknown>) => bundle({}, { tlogEntries: [{ ...entry, ...e }] });
const withProof = (p: Record<string, unknown>) => withEntry({ inclusionProof: { ...proof, ...p } });
const parse = (doc: unknown) => parseBundle(typeof doc === 'string' ? doc : JSON.stringify(doc));

describe('parseBundle: protojson type rules', () => {
  it('refuses a dsseEnvelope given as a JSON string (sigstore-go refuses it)', () => {
    expect(() => parse(bundle({ dsseEnvelope: JSON.stringify(envelope) }))).toThrow(BundleFormatError);
    expect(() => parse(bundle({ dsseEnvelope: JSON.stringify(envelope) }))).toThrow(
      /\/dsseEnvelope must be a Envelope object/,
    );
  });

  it.each([
    ['verificationMaterial as a string', bundle({ verificationMaterial: '{}' })],
    ['verificationMaterial as an array', bundle({ verificationMaterial: [] })],
    ['publicKey as a string', bundle({}, { publicKey: 'h' })],
    ['a numeric hint', bundle({}, { publicKey: { hint: 5 } })],
    ['tlogEntries as an object', bundle({}, { tlogEntries: {} })],
    ['a null tlog entry', bundle({}, { tlogEntries: [null] })],
    ['a string tlog entry', bundle({}, { tlogEntries: ['x'] })],
    ['logIndex 1.5', withEntry({ logIndex: 1.5 })],
    ['logIndex "1.5"', withEntry({ logIndex: '1.5' })],
    ['logIndex " 1"', withEntry({ logIndex: ' 1' })],
    ['logIndex true', withEntry({ logIndex: true })],
    ['logIndex beyond int64', withEntry({ logIndex: '9223372036854775808' })],
    ['a negative logIndex', withEntry({ logIndex: '-1' })],
    ['logId as a string', withEntry({ logId: 'a2V5' })],
    ['a keyId that is not base64', withEntry({ logId: { keyId: 'k' } })],
    ['no logId', withEntry({ logId: undefined })],
    ['no keyId', withEntry({ logId: {} })],
    ['no kindVersion', withEntry({ kindVersion: undefined })],
    ['a numeric kind', withEntry({ kindVersion: { kind: 1 } })],
    ['no canonicalizedBody', withEntry({ canonicalizedBody: undefined })],
    ['a numeric canonicalizedBody', withEntry({ canonicalizedBody: 5 })],
    ['a numeric signedEntryTimestamp', withEntry({ inclusionPromise: { signedEntryTimestamp: 5 } })],
    ['an inclusion promise as a string', withEntry({ inclusionPromise: 'AAAA' })],
    ['hashes: [null]', withProof({ hashes: [null] })],
    ['hashes: "x"', withProof({ hashes: 'AAAA' })],
    ['hashes: [5]', withProof({ hashes: [5] })],
    ['treeSize "1.5"', withProof({ treeSize: '1.5' })],
    ['a numeric rootHash', withProof({ rootHash: 5 })],
    ['a checkpoint as a string', withProof({ checkpoint: 'c' })],
    ['no checkpoint', withProof({ checkpoint: undefined })],
    ['an empty checkpoint', withProof({ checkpoint: { envelope: '' } })],
    ['signatures: [null]', bundle({ dsseEnvelope: { ...envelope, signatures: [null] } })],
    ['a numeric sig', bundle({ dsseEnvelope: { ...envelope, signatures: [{ sig: 5 }] } })],
    ['a payload that is not base64', bundle({ dsseEnvelope: { ...envelope, payload: '%%%' } })],
    ['no payload', bundle({ dsseEnvelope: { payloadType: 't', signatures: [] } })],
    ['an unknown member', bundle({ extra: 1 })],
    ['an unknown member deep inside', withProof({ extra: 1 })],
    ['a field under both of its names', bundle({ dsse_envelope: envelope })],
    ['two members of the content oneof', bundle({ messageSignature: { signature: 'AAAA' } })],
    ['two members of the material oneof', bundle({}, { certificate: { rawBytes: 'AAAA' } })],
    [
      'an unknown hash algorithm',
      bundle({ dsseEnvelope: undefined, messageSignature: { messageDigest: { algorithm: 'MD5' } } }),
    ],
    ['a numeric mediaType', bundle({ mediaType: 3 })],
    ['more than 32 tlog entries', bundle({}, { tlogEntries: Array.from({ length: 33 }, () => entry) })],
    ['a bare string', '"x"'],
    ['null', 'null'],
    ['an array', '[]'],
  ])('refuses %s', (_name, doc) => {
    expect(() => parse(doc)).toThrow(BundleFormatError);
  });

  it('refuses a member repeated in the text, invalid UTF-8, a byte-order mark and lone surrogates', () => {
    const text = JSON.stringify(bundle());
    expect(() => parse(`${text.slice(0, -1)},"mediaType":"${V03}"}`)).toThrow(/repeated/);
    const bytes = new TextEncoder().encode(text);
    expect(() => parseBundle(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]))).toThrow(/byte-order mark/);
    const hint = bytes.indexOf(0x68, text.indexOf('"hint":"') + 7); // the h of "h"
    const invalid = Uint8Array.from(bytes);
    invalid[hint] = 0xff;
    expect(() => parseBundle(invalid)).toThrow(/UTF-8/);
    expect(() => parse(text.replace('"hint":"h"', '"hint":"\\ud800"'))).toThrow(BundleFormatError);
  });

  it('reads null as absent, proto names, and numbers and bytes in every form protojson takes', () => {
    const parsed = parse({
      media_type: V03,
      verification_material: {
        public_key: { hint: 'h' },
        x509CertificateChain: null,
        tlog_entries: [
          {
            ...entry,
            integratedTime: undefined,
            logIndex: 7,
            integrated_time: '17e8',
            logId: { key_id: 'a2V5' },
            canonicalizedBody: 'e30',
            inclusionProof: { ...proof, logIndex: 1.0, treeSize: '2', rootHash: '-_8' },
          },
        ],
      },
      messageSignature: null,
      dsseEnvelope: { ...envelope, payload: 'e30' },
    });
    const e = parsed.tlogEntries[0];
    expect(e).toMatchObject({ logIndex: '7', integratedTime: '1700000000', canonicalizedBody: 'e30=' });
    expect(e?.inclusionProof).toMatchObject({ logIndex: '1', treeSize: '2', rootHash: '+/8=' });
    expect(new TextDecoder().decode(parsed.dsseEnvelope?.payload)).toBe('{}');
    expect(parsed.publicKeyHint).toBe('h');
  });

  it('applies sigstore-go defaults: a missing logIndex is 0, an empty promise is no promise', () => {
    expect(parse(withEntry({ logIndex: undefined })).tlogEntries[0]?.logIndex).toBe('0');
    const noPromise = parse(withEntry({ inclusionPromise: {} })).tlogEntries[0];
    expect(noPromise?.inclusionPromise).toBeUndefined();
    expect(() =>
      parse({
        ...bundle(),
        mediaType: V01,
        verificationMaterial: { publicKey: {}, tlogEntries: [{ ...entry, inclusionPromise: {} }] },
      }),
    ).toThrow(/inclusion promise/);
    expect(
      parse(withProof({ logIndex: undefined, treeSize: undefined })).tlogEntries[0]?.inclusionProof,
    ).toMatchObject({
      logIndex: '0',
      treeSize: '0',
    });
  });

  it('reads the media type as sigstore-go does (semver, v0.1 to below v0.4)', () => {
    const at = (mediaType: string) => parse(bundle({ mediaType }));
    expect(at('application/vnd.dev.sigstore.bundle.v0.3.0+json').version).toBe('0.3');
    expect(at('application/vnd.dev.sigstore.bundle.v0.3.7+json').version).toBe('0.3');
    expect(at('application/vnd.dev.sigstore.bundle.v0.2+json').version).toBe('0.2');
    expect(at('application/vnd.dev.sigstore.bundle.v0.1.0+json').version).toBe('0.1');
    for (const bad of ['v0.4', 'v0.0.9', 'v0.3-rc', 'v0.1.0-rc.1', 'v1', 'v0.03', 'x'])
      expect(() => at(`application/vnd.dev.sigstore.bundle.${bad}+json`)).toThrow(/Unsupported/);
  });
});
