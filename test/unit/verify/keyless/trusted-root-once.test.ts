/**
 * One trusted-root load per process, not per verification. What a load costs is reading and
 * parsing @sigstore/tuf's seeds.json (the shipped root), converting a root into @sigstore/verify's
 * trust material (`toTrustMaterial`, which parses every certificate and key) and importing its
 * Rekor keys (`importPublicKey`, once per log): all three are counted here, through module mocks
 * that pass every call on to the real thing, while real keyless evidence verifies many times
 * through verifyBlob, the offline judge and verifyImage.
 * The last test shows the counters count: a root value made again, or JSON text handed over on
 * every call, is converted again.
 */
import { readFileSync as realReadFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyImage } from '../../../../src/index.js';
import { buildSignatureImage } from '../../../../src/payload/signature-image.js';
import { signatureTag } from '../../../../src/payload/tags.js';
import { RegistryClient } from '../../../../src/registry/index.js';
import { parseTrustedRoot, shippedTrustedRoot } from '../../../../src/sigstore/index.js';
import { type RunningTestRegistry, startRegistry } from '../../../../src/testing/index.js';
import { type ImageEvidence, verifyBlob, verifySignatureEvidence } from '../../../../src/verify/index.js';
import { identityOf } from '../../../helpers/fulcio-certs.js';
import { SHARED_DIR } from '../../../helpers/vectors.js';

const loads = vi.hoisted(() => ({ seedsReads: 0, conversions: 0, keyImports: 0 }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const readFileSync = ((path: Parameters<typeof fs.readFileSync>[0], ...rest: unknown[]) => {
    if (String(path).endsWith('seeds.json')) loads.seedsReads++;
    return (fs.readFileSync as (...args: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.readFileSync;
  return { ...fs, default: { ...fs, readFileSync }, readFileSync };
});

vi.mock('@sigstore/verify', async (importOriginal) => {
  const lib = await importOriginal<typeof import('@sigstore/verify')>();
  const toTrustMaterial: typeof lib.toTrustMaterial = (root) => {
    loads.conversions++;
    return lib.toTrustMaterial(root);
  };
  return { ...lib, toTrustMaterial };
});

vi.mock('../../../../src/keys/import.js', async (importOriginal) => {
  const keys = await importOriginal<typeof import('../../../../src/keys/import.js')>();
  const importPublicKey: typeof keys.importPublicKey = (input) => {
    loads.keyImports++;
    return keys.importPublicKey(input);
  };
  return { ...keys, importPublicKey };
});

const KEYLESS = join(SHARED_DIR, 'vectors', 'keyless');
const VERIFICATIONS = 12;

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
const readCase = (id: string): any => JSON.parse(realReadFileSync(join(KEYLESS, id, 'case.json'), 'utf8'));
const bytes = (id: string, file: string) => new Uint8Array(realReadFileSync(join(KEYLESS, id, file)));

/** A keyless message-signature bundle (sigstore-conformance happy-path-v0.3) and its case. */
const blobCase = 'conf-happy-path-v0.3';
const blob = readCase(blobCase);
const artifact = bytes(blobCase, blob.files.artifact);
const bundle = bytes(blobCase, blob.files.bundle);
const blobIdentities = [identityOf(blob.verify)];
const rootText = realReadFileSync(join(KEYLESS, blobCase, blob.files.trustedRoot), 'utf8');

/** A keyless classic `.sig` layer from GitHub Actions. */
const classicCase = 'classic-github-actions';
const classic = readCase(classicCase);
const layer = JSON.parse(realReadFileSync(join(KEYLESS, classicCase, classic.files.layer), 'utf8'));
const payload = bytes(classicCase, classic.files.payload);
const classicIdentities = [identityOf(classic.verify)];
const classicEvidence: ImageEvidence = {
  digest: classic.imageDigest,
  classic: [{ kind: 'classic-layer', layer, payload }],
};

let registry: RunningTestRegistry;
let client: RegistryClient;
let imageRef: string;

beforeAll(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ dockerConfig: false });
  const repo = `${registry.host}/keyless/classic`;
  const image = buildSignatureImage([layer]);
  await client.pushBlob(repo, payload);
  await client.pushBlob(repo, image.config);
  await client.putManifest(
    `${repo}:${signatureTag(classic.imageDigest, 'sig')}`,
    image.manifest,
    image.mediaType,
  );
  imageRef = `${repo}@${classic.imageDigest}`;
});
afterAll(async () => {
  await client?.close();
  await registry?.close();
});

const verifyBlobWith = (trustedRoot?: unknown) =>
  verifyBlob(artifact, {
    bundle,
    identities: blobIdentities,
    ...(trustedRoot === undefined ? {} : { trustedRoot }),
  });

describe('one trusted-root load per process', () => {
  it('the shipped root is read and converted once, on first use, for every kind of verification', async () => {
    // Nothing is loaded at import time (the modules above are all imported).
    expect(loads).toEqual({ seedsReads: 0, conversions: 0, keyImports: 0 });
    for (let i = 0; i < VERIFICATIONS; i++) {
      expect(verifyBlobWith().identityIndex).toBe(0);
      const judged = verifySignatureEvidence(classicEvidence, {
        trustedRoot: shippedTrustedRoot(),
        identities: classicIdentities,
      });
      expect(judged.signatures).toEqual([expect.objectContaining({ keyIndex: -1, identityIndex: 0 })]);
    }
    for (let i = 0; i < 3; i++) {
      const result = await verifyImage(imageRef, {
        identities: classicIdentities,
        registry: client,
        formats: ['simple-signing'],
      });
      expect(result.signatures).toEqual([expect.objectContaining({ keyIndex: -1, identityIndex: 0 })]);
    }
    expect(loads).toEqual({ seedsReads: 1, conversions: 1, keyImports: shippedTrustedRoot().tlogs.length });
  });

  it('a root value the caller parsed once is converted once, however many verifications use it', () => {
    const root = parseTrustedRoot(rootText);
    const before = { ...loads };
    for (let i = 0; i < VERIFICATIONS; i++) {
      expect(verifyBlobWith(root).identityIndex).toBe(0);
      const judged = verifySignatureEvidence(classicEvidence, {
        trustedRoot: root,
        identities: classicIdentities,
      });
      expect(judged.signatures).toHaveLength(1);
    }
    expect(loads).toEqual({
      seedsReads: before.seedsReads,
      conversions: before.conversions + 1,
      keyImports: before.keyImports + root.tlogs.length,
    });
  });

  it('the memo is per root value: the same document parsed again, or given as JSON text, is converted again', () => {
    const before = { ...loads };
    const again = parseTrustedRoot(rootText);
    verifyBlobWith(again);
    expect(loads.conversions).toBe(before.conversions + 1);
    expect(loads.keyImports).toBe(before.keyImports + again.tlogs.length);
    for (let i = 0; i < 3; i++) verifyBlobWith(rootText);
    expect(loads.conversions).toBe(before.conversions + 4);
    expect(loads.keyImports).toBe(before.keyImports + 4 * again.tlogs.length);
  });
});
