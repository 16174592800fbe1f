/**
 * What the double logs verifies: Rekor v1 entries (SET and inclusion proof with checkpoint) and
 * Rekor v2 entries (inclusion proof with checkpoint, no SET) with ocisign's verifier
 * (src/sigstore/tlog/tlog-entry.ts, keys from a trusted root naming the double's logs) and with @sigstore/verify
 * (a bundle carrying the entry, against the same trusted root); and the evidence faults make both
 * refuse.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity, Verifier } from '@sigstore/verify';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, fromHex, toBase64, utf8 } from '../../../../src/internal/bytes.js';
import { importPublicKey } from '../../../../src/keys/import.js';
import type { TlogEntry } from '../../../../src/payload/bundle.js';
import { preAuthEncoding } from '../../../../src/payload/dsse.js';
import { loggedVerifiers } from '../../../../src/sigstore/tlog/rekor-body.js';
import { type RekorKeys, rekorKeysFromTrustedRoot } from '../../../../src/sigstore/tlog/rekor-keys.js';
import {
  attestationEntryMatches,
  entryMatches,
  verifySet,
  verifyTlogEntry,
} from '../../../../src/sigstore/tlog/tlog-entry.js';
import {
  createRekor,
  type EvidenceTampering,
  type Rekor,
} from '../../../../src/testing/sigstore/rekor/index.js';
import { spkiDer, spkiPem } from '../../../helpers/keys.js';
import {
  callService,
  hashedRekordV1,
  hashedRekordV2,
  jsonOf,
  sha256,
  signedArtifact,
  trustedRootOf,
  trustMaterialWithKey,
  type V1LogEntryValue as V1Value,
} from '../../../helpers/sigstore-doubles.js';

/** Where the trusted root says the double is; its host is the checkpoints' signer name. */
const BASE_URL = 'http://127.0.0.1:8080';

let rekor: Rekor;
let ourKeys: RekorKeys;
let sigstoreVerifier: (bundle: object, artifact: Uint8Array, timestamps: number) => void;
const signer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const signerPem = spkiPem(signer.publicKey);
const signerHint = toBase64(sha256(spkiDer(signer.publicKey)));

beforeAll(() => {
  rekor = createRekor();
  const root = trustedRootOf({ tlogs: [rekor.v1.tlog(BASE_URL), rekor.v2.tlog(BASE_URL)] });
  ourKeys = rekorKeysFromTrustedRoot(root);
  const material = trustMaterialWithKey(root, signerHint, createPublicKey(signerPem));
  sigstoreVerifier = (bundle, artifact, timestamps) => {
    const entity = toSignedEntity(bundleFromJSON(bundle), Buffer.from(artifact));
    new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 0, timestampThreshold: timestamps }).verify(
      entity,
    );
  };
});

const call = (method: string, path: string, body: unknown) =>
  callService(rekor.handler, method, path, { body });

/** A Rekor v2 `TransparencyLogEntry` as protojson writes it, unpopulated members included. */
type V2Value = Omit<TlogEntry, 'inclusionPromise'> & { readonly inclusionPromise: null };

/** A v1 `LogEntry` value as a bundle's tlog entry (what sigstore-js's RekorWitness makes of it). */
function v1TlogEntry(value: V1Value): TlogEntry {
  const body = JSON.parse(Buffer.from(value.body, 'base64').toString('utf8'));
  const proof = value.verification.inclusionProof;
  return {
    logIndex: String(value.logIndex),
    logId: { keyId: toBase64(fromHex(value.logID) as Uint8Array) },
    kindVersion: { kind: body.kind, version: body.apiVersion },
    integratedTime: String(value.integratedTime),
    inclusionPromise: { signedEntryTimestamp: value.verification.signedEntryTimestamp },
    inclusionProof: {
      logIndex: String(proof.logIndex),
      rootHash: toBase64(fromHex(proof.rootHash) as Uint8Array),
      treeSize: String(proof.treeSize),
      hashes: proof.hashes.map((h) => toBase64(fromHex(h) as Uint8Array)),
      checkpoint: { envelope: proof.checkpoint },
    },
    canonicalizedBody: value.body,
  };
}

/** A v2 `TransparencyLogEntry` without the null members protojson emits. */
function v2TlogEntry(value: V2Value): TlogEntry {
  const { inclusionPromise: _, ...entry } = value;
  return entry;
}

function messageBundle(entry: TlogEntry, artifact: Uint8Array, signature: Uint8Array): object {
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: signerHint }, tlogEntries: [entry] },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: toBase64(sha256(artifact)) },
      signature: toBase64(signature),
    },
  };
}

function signedEnvelope(key: KeyObject) {
  const payloadType = 'application/vnd.in-toto+json';
  const payload = utf8(`{"_type":"https://in-toto.io/Statement/v1","n":${Math.random()}}`);
  const sig = sign('sha256', preAuthEncoding(payloadType, payload), key);
  return { payloadType, payload, sig };
}

async function logHashedRekordV1(tamper?: EvidenceTampering) {
  const { artifact, signature } = signedArtifact(signer.privateKey);
  if (tamper !== undefined) rekor.faults.inject(tamper, { times: 1 });
  const answer = await call(
    'POST',
    '/api/v1/log/entries',
    hashedRekordV1({ digest: sha256(artifact), signature, publicKeyPem: signerPem }),
  );
  expect(answer.status).toBe(201);
  const [value] = Object.values(jsonOf(answer)) as V1Value[];
  return { artifact, signature, value: value as V1Value };
}

async function logHashedRekordV2(tamper?: EvidenceTampering) {
  const { artifact, signature } = signedArtifact(signer.privateKey);
  if (tamper !== undefined) rekor.faults.inject(tamper, { times: 1 });
  const answer = await call(
    'POST',
    '/api/v2/log/entries',
    hashedRekordV2({ digest: sha256(artifact), signature, publicKeyDer: spkiDer(signer.publicKey) }),
  );
  expect(answer.status).toBe(201);
  return { artifact, signature, value: jsonOf(answer) as V2Value };
}

const key = () => importPublicKey(signerPem);

describe('Rekor v1 entries', () => {
  it('verify with ocisign: the SET as cosign checks a bundle annotation, and the bundle tlog entry', async () => {
    for (let i = 0; i < 3; i++) await logHashedRekordV1();
    const { artifact, signature, value } = await logHashedRekordV1();
    const set = fromBase64(value.verification.signedEntryTimestamp) as Uint8Array;
    expect(
      verifySet(
        {
          body: value.body,
          integratedTime: value.integratedTime,
          logIndex: value.logIndex,
          logID: value.logID,
        },
        set,
        ourKeys,
      ),
    ).toEqual({ ok: true, message: 'ok' });
    const expected = { signature: toBase64(signature), key: key(), payload: artifact };
    const check = verifyTlogEntry(v1TlogEntry(value), ourKeys, (body) => entryMatches(body, expected));
    expect(check).toEqual({ ok: true, message: 'ok' });
  });

  it('verify with @sigstore/verify (SET, inclusion proof and checkpoint), the SET giving the signing time', async () => {
    const { artifact, signature, value } = await logHashedRekordV1();
    expect(() =>
      sigstoreVerifier(messageBundle(v1TlogEntry(value), artifact, signature), artifact, 1),
    ).not.toThrow();
  });

  it('dsse entries verify with both, as the attestation they log', async () => {
    const { payloadType, payload, sig } = signedEnvelope(signer.privateKey);
    const envelope = JSON.stringify({
      payload: toBase64(payload),
      payloadType,
      signatures: [{ sig: toBase64(sig) }],
    });
    const answer = await call('POST', '/api/v1/log/entries', {
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: { proposedContent: { envelope, verifiers: [toBase64(utf8(signerPem))] } },
    });
    const [value] = Object.values(jsonOf(answer)) as V1Value[];
    const entry = v1TlogEntry(value as V1Value);
    const signerDer = key().toDer();
    const ours = verifyTlogEntry(entry, ourKeys, (body) =>
      attestationEntryMatches(body, utf8(envelope), (der) => Buffer.from(der).equals(signerDer)),
    );
    expect(ours).toEqual({ ok: true, message: 'ok' });
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: signerHint }, tlogEntries: [entry] },
      dsseEnvelope: {
        payload: toBase64(payload),
        payloadType,
        signatures: [{ sig: toBase64(sig), keyid: '' }],
      },
    };
    expect(() => sigstoreVerifier(bundle, payload, 1)).not.toThrow();
  });

  it('with a wrong SET, a proof that misses its root or a stranger’s checkpoint: both refuse', async () => {
    const messages: Record<EvidenceTampering, RegExp> = {
      wrongSet: /signed entry timestamp does not verify/,
      wrongProof: /inclusion proof does not lead to the root hash/,
      wrongCheckpoint: /checkpoint signature does not verify/,
    };
    for (const tamper of ['wrongSet', 'wrongProof', 'wrongCheckpoint'] as const) {
      const { artifact, signature, value } = await logHashedRekordV1(tamper);
      const expected = { signature: toBase64(signature), key: key(), payload: artifact };
      const ours = verifyTlogEntry(v1TlogEntry(value), ourKeys, (body) => entryMatches(body, expected));
      expect(ours.ok, tamper).toBe(false);
      expect(ours.message).toMatch(messages[tamper]);
      expect(
        () => sigstoreVerifier(messageBundle(v1TlogEntry(value), artifact, signature), artifact, 1),
        tamper,
      ).toThrow();
    }
  });
});

describe('Rekor v2 entries', () => {
  const aboutSigner = (der: Uint8Array) => (body: Parameters<typeof loggedVerifiers>[0]) => {
    const read = loggedVerifiers(body);
    return read.ok && read.verifiers.length === 1 && Buffer.from(read.verifiers[0] as Uint8Array).equals(der)
      ? { ok: true, message: 'ok' }
      : { ok: false, message: 'another verifier' };
  };

  it('verify with ocisign: inclusion proof and checkpoint, no SET, integratedTime 0', async () => {
    for (let i = 0; i < 4; i++) await logHashedRekordV2();
    const { value } = await logHashedRekordV2();
    expect(value.integratedTime).toBe('0');
    expect(value.inclusionPromise).toBeNull();
    expect(value.logId.keyId).toBe(toBase64(rekor.v2.logId));
    const check = verifyTlogEntry(v2TlogEntry(value), ourKeys, aboutSigner(spkiDer(signer.publicKey)));
    expect(check).toEqual({ ok: true, message: 'ok' });
  });

  it('verify with @sigstore/verify (no timestamp: the proof proves inclusion, not time)', async () => {
    const { artifact, signature, value } = await logHashedRekordV2();
    expect(() =>
      sigstoreVerifier(messageBundle(v2TlogEntry(value), artifact, signature), artifact, 0),
    ).not.toThrow();
    // With a timestamp required, there is none: Rekor v2 gives no signing time.
    expect(() =>
      sigstoreVerifier(messageBundle(v2TlogEntry(value), artifact, signature), artifact, 1),
    ).toThrow();
  });

  it('dsse 0.0.2 entries verify with @sigstore/verify', async () => {
    const { payloadType, payload, sig } = signedEnvelope(signer.privateKey);
    const answer = await call('POST', '/api/v2/log/entries', {
      dsseRequestV002: {
        envelope: {
          payload: toBase64(payload),
          payloadType,
          signatures: [{ sig: toBase64(sig), keyid: '' }],
        },
        verifiers: [
          {
            publicKey: { rawBytes: toBase64(spkiDer(signer.publicKey)) },
            keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          },
        ],
      },
    });
    expect(answer.status).toBe(201);
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: signerHint }, tlogEntries: [v2TlogEntry(jsonOf(answer))] },
      dsseEnvelope: {
        payload: toBase64(payload),
        payloadType,
        signatures: [{ sig: toBase64(sig), keyid: '' }],
      },
    };
    expect(() => sigstoreVerifier(bundle, payload, 0)).not.toThrow();
  });

  it('with a proof that misses its root or a stranger’s checkpoint: both refuse', async () => {
    for (const tamper of ['wrongProof', 'wrongCheckpoint'] as const) {
      const { artifact, signature, value } = await logHashedRekordV2(tamper);
      const ours = verifyTlogEntry(v2TlogEntry(value), ourKeys, aboutSigner(spkiDer(signer.publicKey)));
      expect(ours.ok, tamper).toBe(false);
      expect(
        () => sigstoreVerifier(messageBundle(v2TlogEntry(value), artifact, signature), artifact, 0),
        tamper,
      ).toThrow();
    }
    // A wrong SET is a Rekor v1 fault: v2 has no SET to get wrong.
    const { value } = await logHashedRekordV2('wrongSet');
    expect(verifyTlogEntry(v2TlogEntry(value), ourKeys, aboutSigner(spkiDer(signer.publicKey))).ok).toBe(
      true,
    );
  });
});
