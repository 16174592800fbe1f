/**
 * appendSignature on an in-memory registry shared by simulated writers with chosen latencies, under
 * fake timers (deterministic): the lost update by a slow writer, an abort during the pause, a tag
 * that is not a signature image, cosign's duplicate check, faults, and many writers at once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AbortedError } from '../../../src/errors/base.js';
import { RegistryAuthError, RegistryError } from '../../../src/errors/registry.js';
import { SigningError } from '../../../src/errors/verify.js';
import { toBase64 } from '../../../src/internal/bytes.js';
import { createSigner, generateKeyPair } from '../../../src/keys/index.js';
import type { ImageManifest } from '../../../src/payload/oci.js';
import { SignatureAnnotation, signatureLayerDescriptor } from '../../../src/payload/signature-layer.js';
import { encodeSimpleSigningPayload } from '../../../src/payload/simple-signing.js';
import { appendSignature } from '../../../src/sign/classic-append.js';
import {
  type FakeClientOptions,
  FakeRegistry,
  settled,
  useDeterministicTime,
} from '../../helpers/fake-store.js';
import { seededRandom } from '../../helpers/lww-sim.js';

const IMAGE_DIGEST = `sha256:${'ab'.repeat(32)}`;
const TAG = `reg.test/acme/app:sha256-${'ab'.repeat(32)}.sig`;
const payload = encodeSimpleSigningPayload({
  dockerReference: 'reg.test/acme/app',
  manifestDigest: IMAGE_DIGEST,
  annotations: null,
});
let keys: Awaited<ReturnType<typeof generateKeyPair>>[];

beforeAll(async () => {
  keys = await Promise.all(Array.from({ length: 10 }, () => generateKeyPair()));
});
useDeterministicTime();

async function signer(i: number) {
  const k = keys[i] as (typeof keys)[number];
  const signature = toBase64(await createSigner(k.privateKey).sign(payload));
  return { layer: signatureLayerDescriptor({ payload, signature }), signature, publicKey: k.publicKey };
}

function append(
  registry: FakeRegistry,
  name: string,
  s: Awaited<ReturnType<typeof signer>>,
  options: FakeClientOptions & { signal?: AbortSignal } = {},
) {
  const client = registry.client(name, options);
  return appendSignature(client as never, TAG, s.layer, payload, s.publicKey, { signal: options.signal });
}

function signaturesIn(registry: FakeRegistry): string[] {
  const manifest = registry.manifestAt(TAG) as ImageManifest | undefined;
  return (manifest?.layers ?? []).map((l) => l.annotations?.[SignatureAnnotation.signature] ?? '');
}

describe('appendSignature: concurrent writers', () => {
  it('a slow writer that read before our write cannot erase our signature after we returned', async () => {
    // Both read the empty tag; a writes at once, s's manifest PUT takes 200 ms to land. The old loop
    // confirmed three times 15–75 ms apart and returned before s landed: a's signature was gone.
    const registry = new FakeRegistry();
    const [a, s] = [await signer(0), await signer(1)];
    const results = await settled([
      append(registry, 'a', a),
      append(registry, 's', s, { latencyMs: (op) => (op === 'putManifest' ? 200 : 1) }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(signaturesIn(registry).sort()).toEqual([a.signature, s.signature].sort());
  });

  it('ten writers with random latencies: every signature that was reported is there', async () => {
    for (const seed of [1, 2, 3]) {
      const random = seededRandom(seed);
      const registry = new FakeRegistry();
      const signers = await Promise.all(keys.map((_, i) => signer(i)));
      const results = await settled(
        signers.map((s, i) =>
          append(registry, `w${i}`, s, {
            latencyMs: (op) => 1 + Math.floor(random() * (op === 'putManifest' ? 60 : 15)),
          }),
        ),
      );
      expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
      expect(signaturesIn(registry).sort()).toEqual(signers.map((s) => s.signature).sort());
    }
  });
});

describe('appendSignature: aborts, refusals, duplicates, faults', () => {
  it('an abort during the pause rejects with AbortedError, and nothing is sent afterwards', async () => {
    const registry = new FakeRegistry();
    const controller = new AbortController();
    const abortedAt = Date.now() + 100;
    setTimeout(() => controller.abort(new Error('caller gave up')), 100);
    const [result] = await settled([append(registry, 'a', await signer(0), { signal: controller.signal })]);
    expect(result?.status).toBe('rejected');
    const error = (result as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as Error).cause).toMatchObject({ message: 'caller gave up' });
    expect(registry.log.filter((l) => l.at >= abortedAt)).toEqual([]);
  });

  it('refuses to replace a tag that holds an index, and leaves it as it was', async () => {
    const registry = new FakeRegistry();
    const index = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [],
      }),
    );
    registry.manifests.set(TAG, { bytes: index, mediaType: 'application/vnd.oci.image.index.v1+json' });
    const [result] = await settled([append(registry, 'a', await signer(0))]);
    expect((result as PromiseRejectedResult).reason).toBeInstanceOf(SigningError);
    expect((result as PromiseRejectedResult).reason.message).toMatch(
      /holds an image index.*refusing to replace it/,
    );
    expect(registry.manifests.get(TAG)?.bytes).toBe(index);
  });

  it("cosign's duplicate check: an equal signature by the same key is not appended again", async () => {
    const registry = new FakeRegistry();
    const first = await signer(0);
    await settled([append(registry, 'a', first)]);
    const again = await signer(0); // ECDSA: a different signature over the same payload
    const [result] = await settled([append(registry, 'b', again)]);
    expect(result).toMatchObject({ status: 'fulfilled', value: { duplicate: true } });
    expect(
      registry.log.filter((l) => l.writer === 'b' && l.op !== 'getManifest' && l.op !== 'getBlob'),
    ).toEqual([]);
    expect(signaturesIn(registry)).toEqual([first.signature]);
  });

  it('keeps the layers that were there, in order, and appends after them', async () => {
    const registry = new FakeRegistry();
    const [a, b] = [await signer(0), await signer(1)];
    await settled([append(registry, 'a', a)]);
    await settled([append(registry, 'b', b)]);
    expect(signaturesIn(registry)).toEqual([a.signature, b.signature]);
  });

  it('a manifest PUT that lands but reports a 503: converges', async () => {
    const registry = new FakeRegistry();
    const a = await signer(0);
    const [result] = await settled([
      append(registry, 'a', a, {
        fault: (op, n, when) => {
          if (op === 'putManifest' && n === 0 && when === 'after')
            throw new RegistryError('REGISTRY_HTTP', 'busy', { status: 503 });
        },
      }),
    ]);
    expect(result?.status).toBe('fulfilled');
    expect(signaturesIn(registry)).toEqual([a.signature]);
  });

  it('a manifest PUT refused with 403: that error, never a success', async () => {
    const registry = new FakeRegistry();
    const [result] = await settled([
      append(registry, 'a', await signer(0), {
        fault: (op, _n, when) => {
          if (op === 'putManifest' && when === 'before')
            throw new RegistryAuthError('denied', { status: 403 });
        },
      }),
    ]);
    expect((result as PromiseRejectedResult).reason).toBeInstanceOf(RegistryAuthError);
    expect(signaturesIn(registry)).toEqual([]);
  });
});
