/**
 * verifyImage against the local docker-registry: latency and verifications/s for a digest-pinned
 * classic signature and a bundle, HTTP requests per verification, next to the floor measured in the
 * same run — two sequential loopback round trips (a raw undici GET of the .sig manifest, then of the
 * payload) plus the signature check itself. Then the same against the in-memory registry in a
 * child process, where ocisign's own cost shows (bench/verify-floor.ts).
 */
import { Pool } from 'undici';
import { signImage, verifyImage } from '../src/index.js';
import { createSigner, generateKeyPair, verifySignatureSync } from '../src/keys/index.js';
import {
  type Descriptor,
  type ImageManifest,
  RegistryClient,
  type RequestInfo,
} from '../src/registry/index.js';
import { startDockerRegistry } from '../test/helpers/docker-registry.js';
import { image } from '../test/helpers/images.js';
import { type BenchSection, formatRate, measure, table } from './harness.js';
import { inMemoryRows } from './verify-floor.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);

export async function run(): Promise<BenchSection> {
  const registry = await startDockerRegistry('none');
  const requests: RequestInfo[] = [];
  const client = new RegistryClient({ dockerConfig: false, onRequest: (i) => requests.push(i) });
  const { privateKey, publicKey } = await generateKeyPair();
  const rows: string[][] = [];
  for (const format of ['simple-signing', 'bundle'] as const) {
    const repo = `${registry.host}/bench/${format}`;
    const img = image();
    for (const b of [img.config, ...img.layers]) await client.pushBlob(repo, b.bytes);
    await client.putManifest(`${repo}:v1`, img.manifest.bytes, img.manifest.mediaType);
    const ref = `${repo}@${img.manifest.digest}`;
    await signImage(ref, { signer: createSigner(privateKey), registry: client, format });
    const verify = () =>
      verifyImage(ref, { keys: [publicKey], registry: client, ignoreTlog: true, formats: [format] });
    await verify();
    const before = requests.length;
    await verify();
    const perVerification = requests.length - before;
    const m = await measure(format, verify, SECONDS);
    rows.push([
      `verifyImage, ${format}, digest-pinned, warm client`,
      `${(1000 / m.opsPerSecond).toFixed(2)} ms`,
      formatRate(m.opsPerSecond),
      String(perVerification),
    ]);
  }

  // The floor: GET .sig manifest, then GET payload blob, then one signature check.
  const sigRepo = `${registry.host}/bench/simple-signing`;
  const tags = await client.listTags(sigRepo);
  const tag = tags.find((t) => t.endsWith('.sig')) as string;
  const sig = await client.getManifest(`${sigRepo}:${tag}`);
  const layer = (sig.manifest as ImageManifest).layers[0] as Descriptor & {
    annotations: Record<string, string>;
  };
  const signature = new Uint8Array(
    Buffer.from(layer.annotations['dev.cosignproject.cosign/signature'] as string, 'base64'),
  );
  const pool = new Pool(registry.url, { connections: 4 });
  const floor = await measure(
    'floor',
    async () => {
      const m = await pool.request({
        path: `/v2/bench/simple-signing/manifests/${tag}`,
        method: 'GET',
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      await m.body.arrayBuffer();
      const b = await pool.request({ path: `/v2/bench/simple-signing/blobs/${layer.digest}`, method: 'GET' });
      const payload = new Uint8Array(await b.body.arrayBuffer());
      verifySignatureSync(publicKey, payload, signature);
    },
    SECONDS,
  );
  rows.push([
    'floor: 2 sequential raw undici GETs + 1 signature check',
    `${(1000 / floor.opsPerSecond).toFixed(2)} ms`,
    formatRate(floor.opsPerSecond),
    '2',
  ]);
  await pool.close();
  await client.close();
  await registry.close();
  const inMemory = await inMemoryRows(SECONDS);
  return {
    title: 'Verify: images',
    markdown: [
      table(['operation', 'latency (mean)', 'verifications/s (sequential)', 'HTTP requests'], rows),
      '',
      'The classic format needs the `.sig` manifest and then its payload blobs (fetched in parallel): two sequential round trips, as the floor. The bundle format on a registry without the referrers API reads the fallback tag index, the referrer manifest and the bundle blob.',
      '',
      "Against ocisign/testing's in-memory registry in a child process (with the referrers API), where the registry answers in well under a millisecond and ocisign's own cost shows. The floor makes the same requests (`.sig` manifest and payload blob; or referrers, referrer manifest and bundle blob) over a bare undici Pool with the same 8 connections, checks both sha256 digests, `JSON.parse`s every document and runs one `crypto.verify` with a prepared KeyObject. Median of three interleaved rounds; target ratio ≥ 0.85× at 1 and 16 in flight.",
      '',
      table(
        ['operation (digest-pinned, warm client, ignoreTlog)', 'verifications/s (ours)', 'verifications/s (floor)', 'ratio', 'HTTP requests'],
        inMemory,
      ),
    ].join('\n'),
  };
}
