/** The Rekor v2 (rekor-tiles) write API of the double: status codes and protojson shapes. */
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64, utf8 } from '../../../../src/internal/bytes.js';
import { leafHash, verifyCheckpoint, verifyInclusion } from '../../../../src/sigstore/tlog/merkle.js';
import { rekorKeysFromPublicKeys } from '../../../../src/sigstore/tlog/rekor-keys.js';
import {
  type CreateRekorOptions,
  createRekor,
  type Rekor,
} from '../../../../src/testing/sigstore/rekor/index.js';
import { spkiDer } from '../../../helpers/keys.js';
import {
  callService,
  hashedRekordV2,
  jsonOf,
  sha256,
  signedArtifact,
  signedHashedRekordV1,
} from '../../../helpers/sigstore-doubles.js';

const signer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

const call = (rekor: Rekor, method: string, path: string, body?: unknown) =>
  callService(rekor.handler, method, path, { body });

/** A v2 request for `text` (default unique) signed by `key`, naming the test signer's key. */
function request(text?: string, key = signer.privateKey) {
  const { artifact, signature } = signedArtifact(key, text);
  return hashedRekordV2({ digest: sha256(artifact), signature, publicKeyDer: spkiDer(signer.publicKey) });
}

function rekorWith(options: CreateRekorOptions = {}) {
  return createRekor({ hostname: 'rekor.test', ...options });
}

describe('POST /api/v2/log/entries', () => {
  it('answers 201 with a TransparencyLogEntry: no SET, integratedTime 0, a proof with its checkpoint', async () => {
    const rekor = rekorWith();
    await call(rekor, 'POST', '/api/v2/log/entries', request());
    const answer = await call(rekor, 'POST', '/api/v2/log/entries', request());
    expect([answer.status, answer.headers?.['content-type']]).toEqual([201, 'application/json']);
    const entry = jsonOf(answer);
    expect(Object.keys(entry)).toEqual([
      'logIndex',
      'logId',
      'kindVersion',
      'integratedTime',
      'inclusionPromise',
      'inclusionProof',
      'canonicalizedBody',
    ]);
    expect(entry).toMatchObject({
      logIndex: '1',
      logId: { keyId: toBase64(rekor.v2.logId) },
      kindVersion: { kind: 'hashedrekord', version: '0.0.2' },
      integratedTime: '0',
      inclusionPromise: null,
    });
    const proof = entry.inclusionProof;
    expect(Object.keys(proof)).toEqual(['logIndex', 'rootHash', 'treeSize', 'hashes', 'checkpoint']);
    expect([proof.logIndex, proof.treeSize]).toEqual(['1', '2']);
    const root = fromBase64(proof.rootHash) as Uint8Array;
    const body = fromBase64(entry.canonicalizedBody) as Uint8Array;
    expect(
      verifyInclusion(
        leafHash(body),
        1n,
        2n,
        proof.hashes.map((h: string) => fromBase64(h) as Uint8Array),
        root,
      ),
    ).toBe(true);

    // The checkpoint: Tessera's body, signed as the origin with the C2SP Ed25519 note key ID as hint.
    const raw = rekor.v2.publicKeyDer.subarray(-32);
    const keyId = createHash('sha256').update('rekor.test\n').update(Uint8Array.of(1)).update(raw).digest();
    expect(Buffer.from(rekor.v2.logId).equals(keyId)).toBe(true);
    expect(rekor.v2.checkpointKeyId).toEqual(rekor.v2.logId);
    const text = `rekor.test\n2\n${proof.rootHash}\n`;
    const match = /^\u2014 rekor\.test (\S+)\n$/.exec(proof.checkpoint.envelope.slice(text.length + 1));
    expect(proof.checkpoint.envelope.startsWith(`${text}\n`)).toBe(true);
    const signature = Buffer.from(match?.[1] ?? '', 'base64');
    expect(signature.subarray(0, 4).equals(keyId.subarray(0, 4))).toBe(true);
    expect(verify(null, utf8(text), createPublicKey(rekor.v2.publicKeyPem), signature.subarray(4))).toBe(
      true,
    );
    expect(rekor.v2.tlog('http://rekor.test').checkpointKeyId).toEqual({ keyId: toBase64(keyId) });
  });

  it('with an ECDSA checkpoint key: log ID and key hint are the SHA-256 of its DER', async () => {
    const rekor = rekorWith({ v2: { keyAlgorithm: 'ecdsa-p256', origin: 'log2025.test' } });
    const entry = jsonOf(await call(rekor, 'POST', '/api/v2/log/entries', request()));
    expect(entry.logId.keyId).toBe(toBase64(sha256(rekor.v2.publicKeyDer)));
    const keys = rekorKeysFromPublicKeys([rekor.v2.publicKeyPem]);
    const root = fromBase64(entry.inclusionProof.rootHash) as Uint8Array;
    expect(entry.inclusionProof.checkpoint.envelope.startsWith('log2025.test\n1\n')).toBe(true);
    expect(verifyCheckpoint(entry.inclusionProof.checkpoint.envelope, 1n, root, keys)).toEqual({
      ok: true,
      message: 'ok',
    });
  });

  it('answers a duplicate 409 (AlreadyExists) with x-log-index, and logs nothing', async () => {
    const rekor = rekorWith();
    const proposed = request();
    await call(rekor, 'POST', '/api/v2/log/entries', request());
    await call(rekor, 'POST', '/api/v2/log/entries', proposed);
    const again = await call(rekor, 'POST', '/api/v2/log/entries', proposed);
    expect([again.status, again.headers?.['x-log-index'], jsonOf(again)]).toEqual([
      409,
      '1',
      {
        code: 6,
        message: 'an equivalent entry already exists in the transparency log with index 1',
        details: [],
      },
    ]);
    expect(rekor.entries()).toHaveLength(2);
  });

  it('refuses as rekor-tiles does: gRPC InvalidArgument as 400', async () => {
    const rekor = rekorWith();
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const bad = await call(rekor, 'POST', '/api/v2/log/entries', request('x', other.privateKey));
    expect([bad.status, jsonOf(bad)]).toEqual([
      400,
      { code: 3, message: 'invalid hashedrekord request', details: [] },
    ]);
    const unknown = await call(rekor, 'POST', '/api/v2/log/entries', { hashedRekordRequestV003: {} });
    expect([unknown.status, jsonOf(unknown).code]).toEqual([400, 3]);
    expect(jsonOf(unknown).message).toMatch(/unknown field "hashedRekordRequestV003"/);
    const noDsse = rekorWith({ v2: { acceptDsse: false } });
    const dsse = await call(noDsse, 'POST', '/api/v2/log/entries', { dsseRequestV002: {} });
    expect(jsonOf(dsse)).toEqual({ code: 3, message: 'invalid type, must be hashedrekord', details: [] });
    expect(noDsse.v2.acceptsDsse).toBe(false);
    expect(rekor.entries()).toHaveLength(0);
  });
});

describe('the rest of the v2 surface', () => {
  it('answers the read RPCs 501 and a wrong method 405, as the rekor-tiles server behind grpc-gateway', async () => {
    const rekor = rekorWith();
    const checkpoint = await call(rekor, 'GET', '/api/v2/checkpoint');
    expect([checkpoint.status, jsonOf(checkpoint)]).toEqual([
      501,
      { code: 12, message: 'method GetCheckpoint not implemented', details: [] },
    ]);
    expect(jsonOf(await call(rekor, 'GET', '/api/v2/tile/0/000')).message).toBe(
      'method GetTile not implemented',
    );
    expect(jsonOf(await call(rekor, 'GET', '/api/v2/tile/entries/000')).message).toBe(
      'method GetEntryBundle not implemented',
    );
    expect((await call(rekor, 'GET', '/api/v2/log/entries')).status).toBe(405);
  });

  it('keeps v1 and v2 apart: two trees, two keys, one list of entries', async () => {
    const rekor = rekorWith();
    await call(rekor, 'POST', '/api/v2/log/entries', request());
    const v1 = await call(rekor, 'POST', '/api/v1/log/entries', signedHashedRekordV1(signer, 'a'));
    expect(Object.values(jsonOf(v1)).map((v) => (v as { logIndex: number }).logIndex)).toEqual([0]);
    expect(
      rekor.entries().map((e) => [e.api, e.index, e.kind, e.apiVersion, e.integratedTime === 0]),
    ).toEqual([
      ['v1', 0, 'hashedrekord', '0.0.1', false],
      ['v2', 0, 'hashedrekord', '0.0.2', true],
    ]);
    expect(rekor.v1.logIdHex).not.toBe(rekor.v2.logIdHex);
    expect(rekor.v1.keyDetails).toBe('PKIX_ECDSA_P256_SHA_256');
    expect(rekor.v2.keyDetails).toBe('PKIX_ED25519');
  });
});
