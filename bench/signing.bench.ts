/**
 * Signing latency with Sigstore evidence against signing without, in the same run: signImage over
 * the in-memory test registry with a local key, bare, with a Rekor v1 upload, with an upload and an
 * RFC 3161 timestamp, and as a bundle with a Rekor v2 entry and a timestamp (startSigstore's
 * doubles on loopback). Every row signs fresh images (a signature image that grows would time
 * something else) and counts the HTTP requests each signature makes to the registry and to the
 * Sigstore services (undici's diagnostics channel sees both clients).
 *
 * Deliberately not here: KMS round trips (bench/kms.bench.ts), verification.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { signImage } from '../src/index.js';
import { createSigner, generateKeyPair } from '../src/keys/index.js';
import { RegistryClient } from '../src/registry/index.js';
import type { SignImageOptions } from '../src/sign/index.js';
import { pushExampleImage, startRegistry, startSigstore } from '../src/testing/index.js';
import { type BenchSection, table } from './harness.js';

const SIGNATURES = Number(process.env.BENCH_SIGNATURES ?? 30);

interface Row {
  readonly name: string;
  readonly options: Partial<SignImageOptions>;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export async function run(): Promise<BenchSection> {
  const registry = await startRegistry();
  const sigstore = await startSigstore();
  const client = new RegistryClient({ dockerConfig: false });
  const signer = createSigner((await generateKeyPair()).privateKey);
  const sigstoreOrigin = new URL(sigstore.url).origin;
  const counts = { registry: 0, sigstore: 0 };
  const onRequest = (message: unknown) => {
    const { request } = message as { request: { origin: string } };
    if (String(request.origin) === sigstoreOrigin) counts.sigstore++;
    else counts.registry++;
  };
  const trusted = { trustedRoot: sigstore.trustedRoot };
  const rows: Row[] = [
    { name: 'classic `.sig`, no tlog (`--tlog-upload=false`)', options: {} },
    {
      name: 'classic `.sig`, Rekor v1 upload',
      options: { ...trusted, tlog: { rekorUrl: sigstore.rekorUrl } },
    },
    {
      name: 'classic `.sig`, Rekor v1 upload + TSA timestamp',
      options: { ...trusted, tlog: { rekorUrl: sigstore.rekorUrl }, timestamp: { url: sigstore.tsaUrl } },
    },
    { name: 'bundle, no tlog', options: { format: 'bundle' } },
    {
      name: 'bundle, Rekor v1 upload',
      options: { ...trusted, format: 'bundle', tlog: { rekorUrl: sigstore.rekorUrl } },
    },
    {
      name: 'bundle, TSA timestamp only',
      options: { ...trusted, format: 'bundle', timestamp: { url: sigstore.tsaUrl } },
    },
    {
      name: 'bundle, Rekor v2 entry + TSA timestamp',
      options: {
        ...trusted,
        format: 'bundle',
        tlog: { rekorUrl: sigstore.rekorUrl, apiVersion: 2 },
        timestamp: { url: sigstore.tsaUrl },
      },
    },
  ];
  const out: string[][] = [];
  const floors = new Map<string, number>();
  subscribe('undici:request:create', onRequest);
  try {
    let n = 0;
    for (const row of rows) {
      const durations: number[] = [];
      let registryRequests = 0;
      let sigstoreRequests = 0;
      for (let i = 0; i < SIGNATURES + 3; i++) {
        const ref = `${registry.host}/bench/sign${n++}:v1`;
        await pushExampleImage(client, ref, { content: `image ${n}` });
        const before = { ...counts };
        const start = performance.now();
        await signImage(ref, { signer, registry: client, onWarning: () => {}, ...row.options });
        const took = performance.now() - start;
        if (i < 3) continue; // warm-up: connections, JIT
        durations.push(took);
        registryRequests += counts.registry - before.registry;
        sigstoreRequests += counts.sigstore - before.sigstore;
      }
      durations.sort((a, b) => a - b);
      const median = quantile(durations, 0.5);
      const format = String(row.options.format ?? 'simple-signing');
      const floor = floors.get(format) ?? median;
      floors.set(format, floor);
      out.push([
        row.name,
        `${median.toFixed(2)} ms`,
        `${quantile(durations, 0.9).toFixed(2)} ms`,
        `${(median / floor).toFixed(2)}× (+${(median - floor).toFixed(1)} ms)`,
        (registryRequests / SIGNATURES).toFixed(1),
        (sigstoreRequests / SIGNATURES).toFixed(1),
      ]);
    }
  } finally {
    unsubscribe('undici:request:create', onRequest);
    await client.close();
    await sigstore.close();
    await registry.close();
  }
  return {
    title: 'Signing: with and without Sigstore evidence',
    markdown: [
      table(
        [
          'signImage',
          'median',
          'p90',
          'vs the same format without',
          'registry requests / signature',
          'Sigstore requests / signature',
        ],
        out,
      ),
      '',
      `${SIGNATURES} signatures per row, each on a fresh image, one at a time, over loopback (the in-memory registry, startSigstore's doubles). The evidence costs exactly its round trips: one POST to Rekor and one to the TSA per signature, made before the first push and verified locally (the SET, the inclusion proof and its checkpoint; the timestamp's chain), so nothing is stored without it; the registry requests are the same with and without. A classic signature's time is mostly the append's confirmation pause (it reads the signature image back twice, a pause apart, so that concurrent signers never lose a signature: docs/signing.md), which the evidence does not lengthen; a bundle is pushed once as a referrer, so there the services' own time shows (the doubles sign checkpoints and timestamps with real keys). Against the public instance each Sigstore round trip adds its network latency (tens to hundreds of milliseconds) to the local figures.`,
    ].join('\n'),
  };
}
