/**
 * The referrers fallback index (`sha256-<hex>` tag) under concurrent writers, on an in-memory
 * registry with chosen latencies and faults, under fake timers (deterministic): every referrer a
 * writer reported is listed once all have returned; others' entries are kept as they were; a tag
 * that is not an index, a refused PUT, an abort and an endless conflict fail loudly.
 */
import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../../src/errors/base.js';
import { RegistryAuthError, RegistryError, RegistryResponseError } from '../../../src/errors/registry.js';
import { SigningError } from '../../../src/errors/verify.js';
import { computeDigest } from '../../../src/payload/digest.js';
import type { Descriptor, ImageIndex } from '../../../src/payload/oci.js';
import { encodeFallbackIndex, encodeReferrersIndex } from '../../../src/payload/referrers-index.js';
import { addToFallbackIndex, readFallbackIndex } from '../../../src/registry/referrers-fallback.js';
import {
  type FakeClientOptions,
  FakeRegistry,
  settled,
  useDeterministicTime,
} from '../../helpers/fake-store.js';
import { seededRandom } from '../../helpers/lww-sim.js';

const SUBJECT = `sha256:${'cd'.repeat(32)}`;
const REPO = { registry: 'reg.test', repository: 'acme/app' };
const TAG_KEY = `reg.test/acme/app:sha256-${'cd'.repeat(32)}`;
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

function referrer(i: number): Descriptor {
  const bytes = new TextEncoder().encode(`referrer ${i}`);
  return {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: computeDigest(bytes),
    size: bytes.length,
    artifactType: BUNDLE,
  };
}

useDeterministicTime();

function add(
  registry: FakeRegistry,
  name: string,
  entry: Descriptor,
  options: FakeClientOptions & { signal?: AbortSignal } = {},
) {
  return addToFallbackIndex(registry.client(name, options), REPO, SUBJECT, entry, {
    signal: options.signal,
  });
}

function listed(registry: FakeRegistry): ImageIndex | undefined {
  return registry.manifestAt(TAG_KEY) as ImageIndex | undefined;
}

describe('addToFallbackIndex: concurrent writers', () => {
  it('a slow writer that read before our write cannot erase our entry after we returned', async () => {
    const registry = new FakeRegistry();
    const results = await settled([
      add(registry, 'a', referrer(0)),
      add(registry, 's', referrer(1), { latencyMs: (op) => (op === 'putManifest' ? 200 : 1) }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(
      listed(registry)
        ?.manifests.map((d) => d.digest)
        .sort(),
    ).toEqual([referrer(0).digest, referrer(1).digest].sort());
  });

  it('ten writers with random latencies: every reported entry is listed, sorted by digest', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = seededRandom(seed);
      const registry = new FakeRegistry();
      const entries = Array.from({ length: 10 }, (_, i) => referrer(i));
      const results = await settled(
        entries.map((e, i) =>
          add(registry, `w${i}`, e, {
            latencyMs: (op) => 1 + Math.floor(random() * (op === 'putManifest' ? 60 : 15)),
          }),
        ),
      );
      expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
      const digests = listed(registry)?.manifests.map((d) => d.digest);
      expect(digests).toEqual(entries.map((e) => e.digest).sort());
    }
  });
});

describe('addToFallbackIndex: what it writes', () => {
  it('writes what encodeReferrersIndex writes for cosign-style entries', () => {
    const entries = [referrer(3), referrer(1), referrer(2)];
    expect(encodeFallbackIndex(entries)).toEqual(encodeReferrersIndex(entries));
  });

  it("keeps others' entries as they were, annotations and all", async () => {
    const registry = new FakeRegistry();
    const foreign: Descriptor = { ...referrer(9), annotations: { 'org.example/tool': 'oras' } };
    registry.manifests.set(TAG_KEY, {
      bytes: encodeFallbackIndex([foreign]),
      mediaType: 'application/vnd.oci.image.index.v1+json',
    });
    await settled([add(registry, 'a', referrer(0))]);
    expect(listed(registry)?.manifests).toContainEqual(foreign);
    expect(listed(registry)?.manifests).toHaveLength(2);
  });

  it('an entry already listed is confirmed without writing', async () => {
    const registry = new FakeRegistry();
    registry.manifests.set(TAG_KEY, {
      bytes: encodeFallbackIndex([referrer(0)]),
      mediaType: 'application/vnd.oci.image.index.v1+json',
    });
    await settled([add(registry, 'a', referrer(0))]);
    expect(registry.log.filter((l) => l.op === 'putManifest')).toEqual([]);
  });
});

describe('addToFallbackIndex: faults, refusals, aborts, bounds', () => {
  it('refuses a fallback tag that holds something other than an index, and leaves it', async () => {
    const registry = new FakeRegistry();
    const image = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: referrer(5),
        layers: [],
      }),
    );
    registry.manifests.set(TAG_KEY, {
      bytes: image,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    const [result] = await settled([add(registry, 'a', referrer(0))]);
    expect((result as PromiseRejectedResult).reason).toBeInstanceOf(RegistryResponseError);
    expect(registry.manifests.get(TAG_KEY)?.bytes).toBe(image);
    const [absent] = await settled([
      readFallbackIndex(registry.client('r'), REPO, `sha256:${'ef'.repeat(32)}`, undefined),
    ]);
    expect(absent).toEqual({ status: 'fulfilled', value: undefined });
  });

  it('a PUT that lands but reports a 502: converges', async () => {
    const registry = new FakeRegistry();
    const [result] = await settled([
      add(registry, 'a', referrer(0), {
        fault: (op, n, when) => {
          if (op === 'putManifest' && n === 0 && when === 'after')
            throw new RegistryError('REGISTRY_HTTP', 'bad gateway', { status: 502 });
        },
      }),
    ]);
    expect(result?.status).toBe('fulfilled');
    expect(listed(registry)?.manifests.map((d) => d.digest)).toEqual([referrer(0).digest]);
  });

  it('a PUT refused with 401: that error, never a success', async () => {
    const registry = new FakeRegistry();
    const [result] = await settled([
      add(registry, 'a', referrer(0), {
        fault: (op, _n, when) => {
          if (op === 'putManifest' && when === 'before') throw new RegistryAuthError('no', { status: 401 });
        },
      }),
    ]);
    expect((result as PromiseRejectedResult).reason).toBeInstanceOf(RegistryAuthError);
  });

  it('a read served from an older index re-adds what it lacks and converges', async () => {
    const registry = new FakeRegistry();
    registry.manifests.set(TAG_KEY, {
      bytes: encodeFallbackIndex([referrer(7)]),
      mediaType: 'application/vnd.oci.image.index.v1+json',
    });
    const older = registry.manifests.get(TAG_KEY);
    const [result] = await settled([
      add(registry, 'a', referrer(0), {
        // The third read (after our write) comes from a lagging replica: the index before it.
        fault: (op, n, when) => {
          if (op === 'getManifest' && n === 2 && when === 'before' && older !== undefined) {
            const current = registry.manifests.get(TAG_KEY);
            registry.manifests.set(TAG_KEY, older);
            queueMicrotask(() => current !== undefined && registry.manifests.set(TAG_KEY, current));
          }
        },
      }),
    ]);
    expect(result?.status).toBe('fulfilled');
    expect(
      listed(registry)
        ?.manifests.map((d) => d.digest)
        .sort(),
    ).toEqual([referrer(0).digest, referrer(7).digest].sort());
  });

  it('an abort during the pause rejects with AbortedError and sends nothing more', async () => {
    const registry = new FakeRegistry();
    const controller = new AbortController();
    const abortedAt = Date.now() + 100;
    setTimeout(() => controller.abort(), 100);
    const [result] = await settled([add(registry, 'a', referrer(0), { signal: controller.signal })]);
    expect((result as PromiseRejectedResult).reason).toBeInstanceOf(AbortedError);
    expect(registry.log.filter((l) => l.at >= abortedAt)).toEqual([]);
  });

  it('an index that never keeps the entry: SigningError naming the tag', async () => {
    const registry = new FakeRegistry();
    const [result] = await settled([
      add(registry, 'a', referrer(0), {
        // Every write is immediately replaced by another tool's single read-modify-write.
        fault: (op, _n, when) => {
          if (op === 'putManifest' && when === 'after')
            registry.manifests.set(TAG_KEY, {
              bytes: encodeFallbackIndex([referrer(8)]),
              mediaType: 'application/vnd.oci.image.index.v1+json',
            });
        },
      }),
    ]);
    const error = (result as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(SigningError);
    expect(error.message).toContain(
      `referrer ${referrer(0).digest} in the referrers fallback tag ${TAG_KEY}`,
    );
  });
});
