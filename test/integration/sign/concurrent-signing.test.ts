/**
 * Concurrent signers on the real docker-registry (distribution 2.8: no referrers API, no
 * compare-and-swap on tags). Ten `signImage` (and `attestImage`) calls race on one image, several
 * rounds, in both storage formats; once every call has returned, every signature a call reported
 * must be in the registry — checked by identity (the referrer digest in the fallback index, the
 * signature annotation in the `.sig` image) and by `verifyImage` — and no call may fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OcisignError } from '../../../src/errors/index.js';
import { attestImage, signImage, verifyImage, verifyImageAttestations } from '../../../src/index.js';
import { createSigner, generateKeyPair } from '../../../src/keys/index.js';
import type { ImageManifest } from '../../../src/payload/oci.js';
import { SignatureAnnotation } from '../../../src/payload/signature-layer.js';
import { signatureTag } from '../../../src/payload/tags.js';
import { RegistryClient } from '../../../src/registry/index.js';
import { type RunningRegistry, startDockerRegistry } from '../../helpers/docker-registry.js';
import { image } from '../../helpers/images.js';

const WRITERS = 10;
const ROUNDS = 5;

let registry: RunningRegistry;
let reader: RegistryClient;
/** One client per writer, as separate processes would have. */
let clients: RegistryClient[];
let keys: Awaited<ReturnType<typeof generateKeyPair>>[];

beforeAll(async () => {
  registry = await startDockerRegistry('none');
  reader = new RegistryClient({ dockerConfig: false });
  clients = Array.from({ length: WRITERS }, () => new RegistryClient({ dockerConfig: false }));
  keys = await Promise.all(Array.from({ length: WRITERS }, () => generateKeyPair()));
});
afterAll(async () => {
  await Promise.all([reader, ...(clients ?? [])].map((c) => c?.close()));
  await registry?.close();
});

async function freshImage(repo: string, tag: string): Promise<string> {
  const img = image();
  for (const b of [img.config, ...img.layers]) await reader.pushBlob(repo, b.bytes);
  await reader.putManifest(`${repo}:${tag}`, img.manifest.bytes, img.manifest.mediaType);
  return img.manifest.digest;
}

function describeFailure(reason: unknown): string {
  return reason instanceof OcisignError ? `${reason.code}: ${reason.message}` : String(reason);
}

/** What one round left behind: calls that failed, and calls that reported a signature now missing. */
interface RoundOutcome {
  round: number;
  succeeded: number;
  failed: string[];
  lost: number[];
}

async function sigLayerSignatures(repo: string, digest: string, kind: 'sig' | 'att'): Promise<string[]> {
  const fetched = await reader.getManifest(`${repo}:${signatureTag(digest, kind)}`);
  return (fetched.manifest as ImageManifest).layers.map(
    (l) => l.annotations?.[SignatureAnnotation.signature] ?? '',
  );
}

describe.each(['bundle', 'simple-signing'] as const)(
  `${WRITERS} concurrent signImage calls (%s)`,
  (format) => {
    it(`keep every reported signature over ${ROUNDS} rounds`, async () => {
      const repo = `${registry.host}/race/${format}`;
      const outcomes: RoundOutcome[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const digest = await freshImage(repo, `r${round}`);
        const ref = `${repo}@${digest}`;
        const settled = await Promise.allSettled(
          keys.map((k, i) =>
            signImage(ref, {
              signer: createSigner(k.privateKey),
              registry: clients[i] as RegistryClient,
              format,
            }),
          ),
        );
        const outcome: RoundOutcome = { round, succeeded: 0, failed: [], lost: [] };
        // Identity: each reported signature is in the fallback index / the .sig image.
        const present =
          format === 'bundle'
            ? new Set((await reader.referrers(repo, digest)).map((d) => `${repo}@${d.digest}`))
            : new Set(await sigLayerSignatures(repo, digest, 'sig'));
        settled.forEach((s, i) => {
          if (s.status === 'rejected') {
            outcome.failed.push(`writer ${i}: ${describeFailure(s.reason)}`);
            return;
          }
          outcome.succeeded++;
          const signed = s.value.signatures[0];
          const id = format === 'bundle' ? signed?.location : signed?.signature;
          if (id === undefined || !present.has(id)) outcome.lost.push(i);
        });
        // And every reporting signer's signature verifies.
        const verified = await verifyImage(ref, {
          keys: keys.map((k) => k.publicKey),
          registry: reader,
          ignoreTlog: true,
          formats: [format],
        }).catch(() => undefined);
        const verifiedKeys = new Set(verified?.signatures.map((s) => s.keyIndex) ?? []);
        settled.forEach((s, i) => {
          if (s.status === 'fulfilled' && !verifiedKeys.has(i) && !outcome.lost.includes(i))
            outcome.lost.push(i);
        });
        outcomes.push(outcome);
      }
      expect(outcomes).toEqual(
        outcomes.map((o) => ({ round: o.round, succeeded: WRITERS, failed: [], lost: [] })),
      );
    }, 60_000);
  },
);

describe.each(['bundle', 'simple-signing'] as const)(
  `${WRITERS} concurrent attestImage calls (%s)`,
  (format) => {
    it('keep every reported attestation', async () => {
      const repo = `${registry.host}/race/att-${format}`;
      const digest = await freshImage(repo, 'v1');
      const ref = `${repo}@${digest}`;
      const settled = await Promise.allSettled(
        keys.map((k, i) =>
          attestImage(ref, {
            signer: createSigner(k.privateKey),
            registry: clients[i] as RegistryClient,
            format,
            predicateType: 'https://example.com/race/v1',
            predicate: { writer: i },
          }),
        ),
      );
      const failed = settled.flatMap((s, i) =>
        s.status === 'rejected' ? [`writer ${i}: ${describeFailure(s.reason)}`] : [],
      );
      const present =
        format === 'bundle'
          ? new Set((await reader.referrers(repo, digest)).map((d) => `${repo}@${d.digest}`))
          : undefined;
      const lost = settled.flatMap((s, i) =>
        s.status === 'fulfilled' && present !== undefined && !present.has(s.value.location) ? [i] : [],
      );
      const verified = await verifyImageAttestations(ref, {
        keys: keys.map((k) => k.publicKey),
        registry: reader,
        ignoreTlog: true,
        formats: [format],
      }).catch(() => []);
      const writers = new Set(verified.map((a) => (a.statement.predicate as { writer: number }).writer));
      for (const [i, s] of settled.entries())
        if (s.status === 'fulfilled' && !writers.has(i) && !lost.includes(i)) lost.push(i);
      expect({ failed, lost }).toEqual({ failed: [], lost: [] });
    }, 30_000);
  },
);
