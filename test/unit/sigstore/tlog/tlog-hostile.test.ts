/**
 * Hostile transparency-log evidence: a tlog entry whose inclusion proof or promise is malformed,
 * entry bodies of the wrong shape, and classic `.sig` layers whose `dev.sigstore.cosign/bundle`
 * annotation is hostile. Each is a failed check (`tlog-invalid`), never a TypeError.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exportPublicKeyPem, generateKeyPair } from '../../../../src/keys/index.js';
import type { TlogEntry } from '../../../../src/payload/index.js';
import { SignatureAnnotation } from '../../../../src/payload/index.js';
import { rekorKeysFromPublicKeys } from '../../../../src/sigstore/tlog/rekor-keys.js';
import { verifyBundleEntry } from '../../../../src/sigstore/tlog/tlog-entry.js';
import { classicTlog } from '../../../../src/verify/tlog-evidence.js';
import type { TrustMaterial } from '../../../../src/verify/trust.js';

const { publicKey } = await generateKeyPair();
const rekor = await generateKeyPair();
const rekorKeys = rekorKeysFromPublicKeys([rekor.publicKey]);
const b64 = (text: string) => Buffer.from(text).toString('base64');
const payload = new Uint8Array([1, 2, 3]);
// A body that matches the signature, key and payload, so that the checks get as far as the evidence.
const body = b64(
  JSON.stringify({
    kind: 'dsse',
    apiVersion: '0.0.1',
    spec: {
      signatures: [{ signature: 'AAAA', verifier: b64(exportPublicKeyPem(publicKey)) }],
      payloadHash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') },
    },
  }),
);
const proofOnly: TlogEntry = {
  logIndex: '1',
  logId: { keyId: 'AAAA' },
  kindVersion: { kind: 'dsse', version: '0.0.1' },
  integratedTime: '1',
  inclusionProof: {
    logIndex: '0',
    rootHash: 'AAAA',
    treeSize: '1',
    hashes: [],
    checkpoint: { envelope: 'x' },
  },
  canonicalizedBody: body,
};
// The promise names the trusted Rekor key's log ID, so that the SET itself is checked.
const rekorLogId = createHash('sha256').update(rekor.publicKey.toDer()).digest('base64');
const { inclusionProof: _, ...promiseOnly } = {
  ...proofOnly,
  logId: { keyId: rekorLogId },
  inclusionPromise: { signedEntryTimestamp: 'AAAA' },
};
const entry = proofOnly;
const expected = { signature: 'AAAA', key: publicKey, payload };
// biome-ignore lint/suspicious/noExplicitAny: hostile entries break the declared type on purpose
const check = (e: any) => verifyBundleEntry(e as TlogEntry, expected, rekorKeys);

describe('verifyBundleEntry on hostile entries', () => {
  const proof = proofOnly.inclusionProof as NonNullable<TlogEntry['inclusionProof']>;

  it('reaches the evidence: the body matches, the proof and the SET are simply wrong', () => {
    expect(check(proofOnly).message).toMatch(/inclusion proof does not lead/);
    expect(check(promiseOnly).message).toMatch(/signed entry timestamp does not verify/);
  });

  it.each([
    ['logIndex "1.5"', { ...promiseOnly, logIndex: '1.5' }],
    ['no logIndex', { ...promiseOnly, logIndex: undefined }],
    ['integratedTime "x"', { ...promiseOnly, integratedTime: 'x' }],
    ['a proof without treeSize', { ...entry, inclusionProof: { ...proof, treeSize: undefined } }],
    ['a proof without logIndex', { ...entry, inclusionProof: { ...proof, logIndex: undefined } }],
    ['a proof with treeSize "1.5"', { ...entry, inclusionProof: { ...proof, treeSize: '1.5' } }],
    ['a proof with hashes [null]', { ...entry, inclusionProof: { ...proof, hashes: [null] } }],
    ['a proof with hashes "x"', { ...entry, inclusionProof: { ...proof, hashes: 'x' } }],
    ['a proof without checkpoint', { ...entry, inclusionProof: { ...proof, checkpoint: undefined } }],
    ['a promise without signedEntryTimestamp', { ...promiseOnly, inclusionPromise: {} }],
    [
      'a promise with a numeric signedEntryTimestamp',
      { ...promiseOnly, inclusionPromise: { signedEntryTimestamp: 5 } },
    ],
    ['no logId', { ...promiseOnly, logId: undefined }],
    ['a numeric keyId', { ...promiseOnly, logId: { keyId: 5 } }],
    ['no kindVersion', { ...entry, kindVersion: undefined }],
    ['a body that is JSON null', { ...entry, canonicalizedBody: b64('null') }],
    ['a body that is a number', { ...entry, canonicalizedBody: b64('5') }],
    ['a body whose spec is a string', { ...entry, canonicalizedBody: b64('{"kind":"dsse","spec":"x"}') }],
    [
      'a body whose signatures are a string',
      { ...entry, canonicalizedBody: b64('{"kind":"dsse","apiVersion":"0.0.1","spec":{"signatures":"x"}}') },
    ],
    [
      'a hashedrekord body of the wrong shape',
      {
        ...entry,
        kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
        canonicalizedBody: b64('{"kind":"hashedrekord","apiVersion":"0.0.1","spec":{"signature":[]}}'),
      },
    ],
    ['a body that is not base64', { ...entry, canonicalizedBody: '%%' }],
    [
      'a kindVersion that is not the body’s',
      { ...entry, kindVersion: { kind: 'hashedrekord', version: '0.0.1' } },
    ],
  ])('%s is a failed check, not a throw', (_name, hostile) => {
    const result = check(hostile);
    expect(result.ok).toBe(false);
    expect(result.message).toEqual(expect.any(String));
  });
});

describe('classic .sig layers with a hostile Rekor bundle annotation', () => {
  const ctx: TrustMaterial = {
    keys: [publicKey],
    rekorKeys,
    ignoreTlog: false,
    digestAlgorithm: undefined,
    keyless: undefined,
  };
  const layer = (bundle: string) => ({
    mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
    digest: `sha256:${'b'.repeat(64)}`,
    size: 1,
    annotations: { [SignatureAnnotation.signature]: 'AAAA', [SignatureAnnotation.bundle]: bundle },
  });
  const run = (bundle: string) =>
    classicTlog(ctx, layer(bundle), { signature: 'AAAA', key: publicKey, payload: new Uint8Array() });

  it.each([
    ['null'],
    ['{}'],
    ['{"SignedEntryTimestamp":"AAAA"}'],
    ['{"SignedEntryTimestamp":"AAAA","Payload":null}'],
    ['{"SignedEntryTimestamp":"AAAA","Payload":{"body":"e30=","integratedTime":1,"logIndex":1,"logID":5}}'],
    ['{"SignedEntryTimestamp":"AAAA","Payload":{"body":5,"integratedTime":1,"logIndex":1,"logID":"ab"}}'],
    [
      '{"SignedEntryTimestamp":"AAAA","Payload":{"body":"e30=","integratedTime":"1","logIndex":1,"logID":"ab"}}',
    ],
    [
      '{"SignedEntryTimestamp":"AAAA","Payload":{"body":"e30=","integratedTime":1,"logIndex":1.5,"logID":"ab"}}',
    ],
    ['{"SignedEntryTimestamp":7,"Payload":{"body":"e30=","integratedTime":1,"logIndex":1,"logID":"ab"}}'],
    ['{"Payload":{"body":"e30=","integratedTime":1,"logIndex":1,"logID":"ab"}}'],
    ['[]'],
    ['"x"'],
    ['{'],
  ])('%s is tlog-invalid', (annotation) => {
    expect(run(annotation)).toEqual(expect.objectContaining({ reason: 'tlog-invalid' }));
  });

  it('an empty annotation is no bundle, as cosign reads it', () => {
    expect(run('')).toEqual(expect.objectContaining({ reason: 'tlog-missing' }));
  });
});
