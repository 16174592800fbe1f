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

/**
 * Where the time goes, from profiles (`node --cpu-prof`) and CPU time per verification
 * (`process.cpuUsage`, 16 in flight) of the verifying process on the machine below, 2026-12-02.
 * Measured, not recomputed by this run: re-measure when the verifier or the client changes.
 */
const WHERE_THE_TIME_GOES = [
  'Where the time goes (CPU time of the verifying process per verification, 16 in flight; the registry runs in the other process): the floor spends ≈ 285 µs on a classic signature and ≈ 330 µs on a bundle, of which ≈ 85 µs is `crypto.verify` and ≈ 35–45 µs each undici request. verifyImage spent ≈ 550 µs and ≈ 920 µs before the client and decoder changes below and ≈ 420 µs and ≈ 625 µs after the first round of them; the second round of client changes took another ≈ 7% and ≈ 14% off (531 → 495 µs and 632 → 545 µs, medians of three runs interleaved with the first round’s build on a busy machine, whose load moves both by ±15%). What it spends beyond the floor:',
  '',
  "- the registry client, ≈ 25 µs per request (was ≈ 45, and ≈ 90 before that): undici's header parsing into an object, `JSON.parse` of manifests, digest checks, the request lifetime and its deadline timer, auth, reference parsing. Gone in the first round: an AbortSignal listener per request (undici now gets an EventEmitter, whose listeners cost nanoseconds), a body stream per small document (manifests, payloads and bundles are read whole by undici's dispatch API, `transport/whole-body.ts`), a URL parse of the endpoint per request, a streaming hash object per whole blob, an `await` per request on cached credentials. Gone in the second: the `what` string and redacted URL of every request (now built only for a message), a Set insert per request lifetime (hashing a new object; now an array with swap-removal), two copies of the headers per request and properties added after the copy (now one literal), an async iterator, its promises and a copy per whole body (now one view of what undici received), the endpoint's origin recomputed per request, a `split` per Content-Type read;",
  '- strict decoding and shape validation, ≈ 2–5 µs per document beyond `JSON.parse` (was 5–18): member paths were escaped on every check, the Go and protojson decoders built their zero values and sets per object, the JSON fact scan visited every character and sliced every string, base64 ran in JavaScript; now path suffixes are built once per schema, strings are skipped with `indexOf`, base64 and hex use `Buffer` where it exists;',
  '- the verifier (discover → judge → decide, outcomes, candidate names), ≈ 35–45 µs (measured over a reader that returns cached documents), spread over many small functions (the signature repository is now parsed once per verification, not by every registry call);',
  '- at 1 in flight, the time between a response and the next request also decides what that request costs: on this VM a write that must wake a registry process which has gone to sleep costs ≈ 50 µs more, so every microsecond spent there counts more than once.',
].join('\n');

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
        [
          'operation (digest-pinned, warm client, ignoreTlog)',
          'verifications/s (ours)',
          'verifications/s (floor)',
          'ratio',
          'HTTP requests',
        ],
        inMemory,
      ),
      '',
      WHERE_THE_TIME_GOES,
    ].join('\n'),
  };
}
