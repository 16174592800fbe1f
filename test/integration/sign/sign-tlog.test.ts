/**
 * signImage and attestImage with a transparency log and a TSA (startSigstore's doubles) against
 * the real docker-registry: what is stored verifies with ocisign's verifier — the tlog required, as
 * Kyverno's `keys` attestors require it — and with @sigstore/verify; the combinations no verifier
 * accepts are refused before anything is signed.
 */
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot as ProtoTrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, VerificationError } from '../../../src/errors/index.js';
import { attestImage, signImage, verifyImage, verifyImageAttestations } from '../../../src/index.js';
import { publicKeyHint } from '../../../src/keys/fingerprint.js';
import { createSigner, exportPublicKeyPem, generateKeyPair } from '../../../src/keys/index.js';
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
afterAll(async () => {
  await sigstore?.close();
});

let counter = 0;
async function pushImage(): Promise<string> {
  const repo = `${fixture.registry.host}/tlog/app${++counter}`;
  const img = image();
  for (const b of [img.config, ...img.layers]) await fixture.client.pushBlob(repo, b.bytes);
  await fixture.client.putManifest(`${repo}:v1`, img.manifest.bytes, img.manifest.mediaType);
  return `${repo}@${img.manifest.digest}`;
}

const verifyOptions = () => ({
  keys: [exportPublicKeyPem(key.publicKey)],
  registry: fixture.client,
  trustedRoot: sigstore.trustedRoot,
});

describe('classic signatures with a Rekor v1 entry', () => {
  it('stores the SET as cosign does and verifies with the tlog required; a verifier without the log key fails', async () => {
    const ref = await pushImage();
    const signed = await signImage(ref, {
      signer: createSigner(key.privateKey),
      registry: fixture.client,
      tlog: { rekorUrl: sigstore.rekorUrl },
      trustedRoot: sigstore.trustedRoot,
    });
    const [sig] = signed.signatures;
    expect(sig?.tlogEntry?.integratedTime).toBeInstanceOf(Date);
    const verified = await verifyImage(ref, verifyOptions());
    expect(verified.signatures).toHaveLength(1);
    const layerAnnotations = (await fixture.client.getManifest(sig?.location as string))
      .manifest as unknown as {
      layers: Array<{ annotations: Record<string, string> }>;
    };
    const bundle = JSON.parse(layerAnnotations.layers[0]?.annotations['dev.sigstore.cosign/bundle'] ?? '{}');
    expect(bundle.Payload.logIndex).toBe(sig?.tlogEntry?.logIndex);
    await expect(
      verifyImage(ref, { keys: [exportPublicKeyPem(key.publicKey)], registry: fixture.client }),
    ).rejects.toBeInstanceOf(VerificationError);
  });

  it('adds a verified RFC 3161 timestamp annotation with timestamp: { url }', async () => {
    const ref = await pushImage();
    const before = Date.now();
    const signed = await signImage(ref, {
      signer: createSigner(key.privateKey),
      registry: fixture.client,
      tlog: { rekorUrl: sigstore.rekorUrl },
      timestamp: { url: sigstore.tsaUrl },
      trustedRoot: sigstore.trustedRoot,
    });
    const stamped = signed.signatures[0]?.timestamp?.getTime() ?? 0;
    expect(stamped).toBeGreaterThanOrEqual(before - 1000);
    const manifest = (await fixture.client.getManifest(signed.signatures[0]?.location as string))
      .manifest as unknown as {
      layers: Array<{ annotations: Record<string, string> }>;
    };
    expect(Object.keys(manifest.layers[0]?.annotations ?? {})).toEqual(
      expect.arrayContaining(['dev.sigstore.cosign/bundle', 'dev.sigstore.cosign/rfc3161timestamp']),
    );
    await expect(verifyImage(ref, { ...verifyOptions(), useSignedTimestamps: true })).resolves.toBeDefined();
  });

  it('without a trusted root, trusts the unnamed log on first use and says so', async () => {
    const ref = await pushImage();
    const warnings: string[] = [];
    await signImage(ref, {
      signer: createSigner(key.privateKey),
      registry: fixture.client,
      tlog: { rekorUrl: sigstore.rekorUrl },
      timestamp: { url: sigstore.tsaUrl },
      onWarning: (w) => warnings.push(w),
    });
    expect(warnings.join('\n')).toMatch(/Rekor log .* is in no trusted root/);
    expect(warnings.join('\n')).toMatch(/TSA .* is in no trusted root/);
    await expect(verifyImage(ref, verifyOptions())).resolves.toBeDefined();
  });
});

describe('bundles with Rekor v1 and v2 entries', () => {
  it('a v1 dsse entry: ocisign and @sigstore/verify both accept the bundle', async () => {
    const ref = await pushImage();
    const signed = await signImage(ref, {
      signer: createSigner(key.privateKey),
      registry: fixture.client,
      format: 'bundle',
      tlog: { rekorUrl: sigstore.rekorUrl },
      trustedRoot: sigstore.trustedRoot,
    });
    await expect(verifyImage(ref, verifyOptions())).resolves.toMatchObject({
      signatures: [expect.objectContaining({ format: 'bundle' })],
    });
    const bundle = bundleFromJSON(JSON.parse(new TextDecoder().decode(signed.signatures[0]?.bundle)));
    const material = toTrustMaterial(ProtoTrustedRoot.fromJSON(sigstore.trustedRoot.json), {
      [publicKeyHint(key.publicKey)]: {
        rawBytes: Buffer.from(key.publicKey.toDer()),
        keyDetails: 5,
        validFor: { start: new Date(0) },
      } as never,
    });
    const verifier = new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 0, timestampThreshold: 1 });
    expect(() => verifier.verify(toSignedEntity(bundle))).not.toThrow();
  });

  it('a v2 entry with a timestamp verifies; v2 without one, or in a classic layer, is refused before signing', async () => {
    const ref = await pushImage();
    const signed = await signImage(ref, {
      signer: createSigner(key.privateKey),
      registry: fixture.client,
      format: 'bundle',
      tlog: { rekorUrl: sigstore.rekorUrl, apiVersion: 2 },
      timestamp: { url: sigstore.tsaUrl },
      trustedRoot: sigstore.trustedRoot,
    });
    expect(signed.signatures[0]?.tlogEntry?.integratedTime).toBeUndefined();
    await expect(verifyImage(ref, verifyOptions())).resolves.toBeDefined();
    const base = {
      signer: createSigner(key.privateKey),
      registry: fixture.client,
      trustedRoot: sigstore.trustedRoot,
    };
    const v2 = { rekorUrl: sigstore.rekorUrl, apiVersion: 2 as const };
    await expect(signImage(ref, { ...base, format: 'bundle', tlog: v2 })).rejects.toThrow(
      /proves no signing time/,
    );
    await expect(
      signImage(ref, { ...base, tlog: v2, timestamp: { url: sigstore.tsaUrl } }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('attestations', () => {
  it.each([
    ['classic .att with a v1 dsse entry', 'simple-signing', 1],
    ['a bundle with a v2 entry (hashedrekord over the PAE)', 'bundle', 2],
  ] as const)('%s verifies with the tlog required', async (_name, format, apiVersion) => {
    const ref = await pushImage();
    const attested = await attestImage(ref, {
      signer: createSigner(key.privateKey),
      registry: fixture.client,
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: { buildDefinition: { buildType: 'test' } },
      trustedRoot: sigstore.trustedRoot,
      timestamp: { url: sigstore.tsaUrl },
      format,
      tlog: { rekorUrl: sigstore.rekorUrl, apiVersion },
    });
    expect(attested.tlogEntry?.logIndex).toBeGreaterThanOrEqual(0);
    const verified = await verifyImageAttestations(ref, {
      ...verifyOptions(),
      predicateType: 'https://slsa.dev/provenance/v1',
    });
    expect(verified).toHaveLength(1);
    await expect(
      verifyImageAttestations(ref, { keys: [exportPublicKeyPem(key.publicKey)], registry: fixture.client }),
    ).rejects.toBeInstanceOf(VerificationError);
  });
});
