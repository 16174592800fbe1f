/**
 * `uploadToRekor` against the Rekor double over HTTP on loopback: hashedrekord and dsse entries on
 * the v1 and v2 APIs come back verified (and verify again with ocisign's verifier), a repeated v1
 * upload returns the entry already logged instead of logging it twice, and every fault — 503,
 * hang, garbage, a wrong SET, proof or checkpoint, an untrusted key — is a typed error.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { AbortedError, OperationTimeoutError } from '../../../src/errors/base.js';
import {
  RekorRejectedError,
  RekorResponseError,
  RekorUnavailableError,
} from '../../../src/errors/sigstore.js';
import { importPublicKey } from '../../../src/keys/import.js';
import { encodeDsseEnvelope, preAuthEncoding } from '../../../src/payload/dsse.js';
import { parseRekorBundleAnnotation } from '../../../src/payload/signature-layer.js';
import { type RekorProposal, uploadToRekor } from '../../../src/sigstore/rekor-client.js';
import { rekorKeysFromTrustedRoot } from '../../../src/sigstore/tlog/rekor-keys.js';
import { verifySet } from '../../../src/sigstore/tlog/tlog-entry.js';
import { createRekor } from '../../../src/testing/sigstore/rekor/index.js';
import { serveOnLoopback } from '../../../src/testing/sigstore/service.js';
import { trustedRootOf } from '../../helpers/sigstore-doubles.js';

const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicKey = importPublicKey(keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());

function hashedrekord(): RekorProposal {
  const artifact = Buffer.from(`payload ${Math.random()}`);
  return {
    kind: 'hashedrekord',
    artifact,
    signature: sign('sha256', artifact, keys.privateKey),
    verifier: { publicKey },
  };
}

function dsse(): RekorProposal {
  const payload = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', n: Math.random() }));
  const payloadType = 'application/vnd.in-toto+json';
  const sig = sign('sha256', preAuthEncoding(payloadType, payload), keys.privateKey).toString('base64');
  return {
    kind: 'dsse',
    envelope: encodeDsseEnvelope({ payloadType, payload, signatures: [{ sig }] }),
    verifier: { publicKey },
  };
}

describe('uploadToRekor against the Rekor double', async () => {
  const rekor = createRekor();
  const service = await serveOnLoopback([rekor.handler]);
  const trustedRoot = trustedRootOf({ tlogs: [rekor.v1.tlog(service.url), rekor.v2.tlog(service.url)] });
  const options = { rekorUrl: service.url, trustedRoot, timeoutMs: 5000 };
  afterAll(async () => {
    rekor.faults.clear();
    await service.close();
  });

  for (const [name, make] of [
    ['hashedrekord', hashedrekord],
    ['dsse', dsse],
  ] as const) {
    it(`logs a ${name} entry on v1 with a SET and a proof, and the classic bundle verifies`, async () => {
      const before = rekor.entries().length;
      const got = await uploadToRekor(make(), options);
      expect(rekor.entries().length).toBe(before + 1);
      expect(got.alreadyLogged).toBe(false);
      expect(got.tlogEntry.kindVersion).toEqual({ kind: name, version: '0.0.1' });
      expect(got.tlogEntry.inclusionPromise).toBeDefined();
      expect(got.tlogEntry.inclusionProof?.checkpoint.envelope).toContain(rekor.v1.hostname);
      const bundle = got.rekorBundle;
      if (bundle === undefined) throw new Error('a v1 entry must carry the classic bundle');
      const parsed = parseRekorBundleAnnotation(JSON.stringify(bundle));
      expect(parsed.payload.logID).toBe(rekor.v1.logIdHex);
      const set = verifySet(
        { ...bundle.Payload },
        bundle.SignedEntryTimestamp,
        rekorKeysFromTrustedRoot(trustedRoot),
      );
      expect(set).toEqual({ ok: true, message: 'ok' });
    });

    it(`logs a ${name} entry on v2 with a proof and checkpoint and no SET`, async () => {
      const got = await uploadToRekor(make(), { ...options, apiVersion: 2 });
      expect(got.tlogEntry.kindVersion).toEqual({ kind: name, version: '0.0.2' });
      expect(got.tlogEntry.inclusionPromise).toBeUndefined();
      expect(got.tlogEntry.logId.keyId).toBe(Buffer.from(rekor.v2.logId).toString('base64'));
      expect(got.rekorBundle).toBeUndefined();
    });
  }

  it('returns the entry already logged on a repeated v1 upload, logging nothing twice', async () => {
    const entry = hashedrekord();
    const first = await uploadToRekor(entry, options);
    const count = rekor.entries().length;
    const again = await uploadToRekor(entry, options);
    expect(again.alreadyLogged).toBe(true);
    expect(rekor.entries().length).toBe(count);
    expect(again.tlogEntry.logIndex).toBe(first.tlogEntry.logIndex);
    expect(again.tlogEntry.canonicalizedBody).toBe(first.tlogEntry.canonicalizedBody);
  });

  it('refuses a v2 duplicate with RekorRejectedError (status 409)', async () => {
    const entry = hashedrekord();
    await uploadToRekor(entry, { ...options, apiVersion: 2 });
    const error = await uploadToRekor(entry, { ...options, apiVersion: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RekorRejectedError);
    expect((error as RekorRejectedError).status).toBe(409);
  });

  it('passes on a refusal of the entry as RekorRejectedError with Rekor’s words', async () => {
    const entry = { ...hashedrekord(), signature: sign('sha256', Buffer.from('other'), keys.privateKey) };
    const error = await uploadToRekor(entry, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RekorRejectedError);
    expect((error as RekorRejectedError).status).toBe(400);
  });

  it('is RekorUnavailableError (status 503) when the log is down', async () => {
    rekor.faults.inject('unavailable', { times: 1 });
    const error = await uploadToRekor(hashedrekord(), options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RekorUnavailableError);
    expect((error as RekorUnavailableError).status).toBe(503);
  });

  it('times out on a hanging log, and ends on the caller’s abort', async () => {
    rekor.faults.inject('hang');
    try {
      await expect(uploadToRekor(hashedrekord(), { ...options, timeoutMs: 200 })).rejects.toBeInstanceOf(
        OperationTimeoutError,
      );
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      await expect(
        uploadToRekor(hashedrekord(), { ...options, apiVersion: 2, signal: controller.signal }),
      ).rejects.toBeInstanceOf(AbortedError);
    } finally {
      rekor.faults.clear();
    }
  });

  for (const api of [1, 2] as const)
    it(`refuses garbage from v${api} with RekorResponseError`, async () => {
      rekor.faults.inject('garbage', { times: 1 });
      await expect(uploadToRekor(hashedrekord(), { ...options, apiVersion: api })).rejects.toBeInstanceOf(
        RekorResponseError,
      );
    });

  for (const [fault, api, words] of [
    ['wrongSet', 1, 'signed entry timestamp'],
    ['wrongProof', 1, 'inclusion proof'],
    ['wrongCheckpoint', 1, 'checkpoint'],
    ['wrongProof', 2, 'inclusion proof'],
    ['wrongCheckpoint', 2, 'checkpoint'],
  ] as const)
    it(`refuses a ${fault} answer from v${api}`, async () => {
      rekor.faults.inject(fault, { times: 1 });
      const error = await uploadToRekor(hashedrekord(), { ...options, apiVersion: api }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RekorResponseError);
      expect((error as Error).message).toContain(words);
    });

  it('refuses an answer signed by a log the caller does not trust', async () => {
    const stranger = createRekor();
    const error = await uploadToRekor(hashedrekord(), {
      rekorUrl: service.url,
      trustedRoot: trustedRootOf({ tlogs: [stranger.v1.tlog(service.url)] }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RekorResponseError);
    expect((error as Error).message).toContain('not in the trusted root');
  });

  it('is RekorUnavailableError when nothing listens', async () => {
    const gone = await serveOnLoopback([rekor.handler]);
    await gone.close();
    const error = await uploadToRekor(hashedrekord(), { ...options, rekorUrl: gone.url }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RekorUnavailableError);
    expect((error as RekorUnavailableError).status).toBe(0);
  });
});
