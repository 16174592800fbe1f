/**
 * No signature without its evidence: when the log or the TSA is down, hangs, answers garbage or
 * evidence that does not verify, signImage and attestImage fail with a typed error and push nothing;
 * an upload whose answer was lost is retried without logging the signature twice.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  NotFoundError,
  OperationTimeoutError,
  RekorResponseError,
  RekorUnavailableError,
  TsaResponseError,
  TsaUnavailableError,
} from '../../../src/errors/index.js';
import { attestImage, signImage, verifyImage } from '../../../src/index.js';
import { createSigner, exportPublicKeyPem, generateKeyPair } from '../../../src/keys/index.js';
import { signatureTag } from '../../../src/payload/index.js';
import { startSigstore } from '../../../src/testing/index.js';
import { image } from '../../helpers/images.js';
import { registryFixture } from '../../helpers/registry-fixture.js';

const fixture = registryFixture();
let sigstore: Awaited<ReturnType<typeof startSigstore>>;
let key: Awaited<ReturnType<typeof generateKeyPair>>;

beforeAll(async () => {
  sigstore = await startSigstore();
  key = await generateKeyPair();
});
afterEach(() => {
  sigstore.faults.rekor.clear();
  sigstore.faults.tsa.clear();
});
afterAll(async () => {
  await sigstore?.close();
});

let counter = 0;
async function pushImage(): Promise<{ repo: string; digest: string; ref: string }> {
  const repo = `${fixture.registry.host}/faults/app${++counter}`;
  const img = image();
  for (const b of [img.config, ...img.layers]) await fixture.client.pushBlob(repo, b.bytes);
  await fixture.client.putManifest(`${repo}:v1`, img.manifest.bytes, img.manifest.mediaType);
  return { repo, digest: img.manifest.digest, ref: `${repo}@${img.manifest.digest}` };
}

const signWith = (ref: string, extra: object = {}) =>
  signImage(ref, {
    signer: createSigner(key.privateKey),
    registry: fixture.client,
    tlog: { rekorUrl: sigstore.rekorUrl, timeoutMs: 1500 },
    timestamp: { url: sigstore.tsaUrl, timeoutMs: 1500 },
    trustedRoot: sigstore.trustedRoot,
    ...extra,
  });

/** Nothing was pushed for `digest`: no .sig, no .att, no referrer. */
async function nothingPushed(repo: string, digest: string): Promise<void> {
  for (const kind of ['sig', 'att'] as const)
    await expect(fixture.client.getManifest(`${repo}:${signatureTag(digest, kind)}`)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  const referrers = await fixture.client.referrers(repo, digest);
  expect(referrers).toEqual([]);
}

describe('a service failing stops signing before anything is pushed', () => {
  it.each([
    ['the log down', 'rekor', 'unavailable', RekorUnavailableError],
    ['the log hanging past the deadline', 'rekor', 'hang', OperationTimeoutError],
    ['the log answering garbage', 'rekor', 'garbage', RekorResponseError],
    ['the log answering a wrong SET', 'rekor', 'wrongSet', RekorResponseError],
    ['the log answering a wrong inclusion proof', 'rekor', 'wrongProof', RekorResponseError],
    ['the log answering a checkpoint signed by another key', 'rekor', 'wrongCheckpoint', RekorResponseError],
    ['the TSA down', 'tsa', 'unavailable', TsaUnavailableError],
    ['the TSA hanging past the deadline', 'tsa', 'hang', OperationTimeoutError],
    ['the TSA answering garbage', 'tsa', 'garbage', TsaResponseError],
    ['the TSA stamping another imprint', 'tsa', 'wrong-imprint', TsaResponseError],
  ] as const)('%s: a typed error, nothing pushed', async (_what, service, kind, errorClass) => {
    const { repo, digest, ref } = await pushImage();
    (sigstore.faults[service] as { inject(kind: string): void }).inject(kind);
    for (const format of ['simple-signing', 'bundle'] as const)
      await expect(signWith(ref, { format })).rejects.toBeInstanceOf(errorClass);
    await expect(
      attestImage(ref, {
        signer: createSigner(key.privateKey),
        registry: fixture.client,
        predicateType: 'custom',
        predicate: {},
        tlog: { rekorUrl: sigstore.rekorUrl, timeoutMs: 1500 },
        timestamp: { url: sigstore.tsaUrl, timeoutMs: 1500 },
        trustedRoot: sigstore.trustedRoot,
      }),
    ).rejects.toBeInstanceOf(errorClass);
    await nothingPushed(repo, digest);
  });
});

describe('trust on first use', () => {
  it.each([
    ['rekor', RekorResponseError],
    ['tsa', TsaResponseError],
  ] as const)(
    'a %s that answers garbage for its own key is a typed error, nothing pushed',
    async (service, errorClass) => {
      const { repo, digest, ref } = await pushImage();
      sigstore.faults[service].inject('garbage');
      await expect(signWith(ref, { trustedRoot: undefined })).rejects.toBeInstanceOf(errorClass);
      await nothingPushed(repo, digest);
    },
  );
});

describe('retries', () => {
  it('an upload whose answer was lost is sent again and logged once (Rekor v1 answers 409 with the entry)', async () => {
    const { ref } = await pushImage();
    const before = sigstore.rekorEntries().length;
    sigstore.faults.rekor.inject('lostAnswer', { times: 1 });
    const signed = await signWith(ref);
    expect(sigstore.rekorEntries().length).toBe(before + 1);
    expect(signed.signatures[0]?.tlogEntry?.logIndex).toBe(before);
    await expect(
      verifyImage(ref, {
        keys: [exportPublicKeyPem(key.publicKey)],
        registry: fixture.client,
        trustedRoot: sigstore.trustedRoot,
      }),
    ).resolves.toBeDefined();
  });

  it('a log down for one answer is retried and the signature stored once', async () => {
    const { ref } = await pushImage();
    const before = sigstore.rekorEntries().length;
    sigstore.faults.rekor.inject('unavailable', { times: 1 });
    await signWith(ref);
    expect(sigstore.rekorEntries().length).toBe(before + 1);
  });
});
