/**
 * Registry client: requests per operation (counted with onRequest), small-GET latency and
 * throughput against a raw undici baseline in the same run, and blob copies of a 64 MiB and a
 * 1 GiB layer between two docker-registry instances against `skopeo copy` and two bare Node
 * floors, with the peak RSS of each (bench/registry-copy.ts).
 */
import { Pool } from 'undici';
import { RegistryClient, type RequestInfo } from '../src/registry/index.js';
import { startDockerRegistry } from '../test/helpers/docker-registry.js';
import { image } from '../test/helpers/images.js';
import { type BenchSection, formatRate, measure, measureConcurrent, table } from './harness.js';
import { copySection } from './registry-copy.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function latencies(fn: () => Promise<unknown>, n: number): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 50; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

export async function run(): Promise<BenchSection> {
  // ---- requests per operation, against the token-auth registry (the usual cloud setup) ----
  const tokenRegistry = await startDockerRegistry('token');
  const counted: RequestInfo[] = [];
  const creds = {
    [tokenRegistry.host]: { username: tokenRegistry.username, password: tokenRegistry.password },
  };
  const client = new RegistryClient({
    dockerConfig: false,
    credentials: creds,
    onRequest: (i) => counted.push(i),
  });
  const repo = `${tokenRegistry.host}/bench/app`;
  const img = image();
  const count = async (fn: () => Promise<unknown>) => {
    const before = counted.length;
    await fn();
    return counted.length - before;
  };
  const pushCold = await count(async () => {
    for (const b of [img.config, ...img.layers]) await client.pushBlob(repo, b.bytes);
    await client.putManifest(`${repo}:v1`, img.manifest.bytes, img.manifest.mediaType);
  });
  const fresh = new RegistryClient({
    dockerConfig: false,
    credentials: creds,
    onRequest: (i) => counted.push(i),
  });
  const resolveCold = await count(() => fresh.resolve(`${repo}:v1`));
  const resolveWarm = await count(() => fresh.resolve(`${repo}:v1`));
  const blobWarm = await count(() => fresh.getBlobBytes(repo, img.config.digest));
  const referrersWarm = await count(() => fresh.referrers(repo, img.manifest.digest));
  const referrersAgain = await count(() => fresh.referrers(repo, img.manifest.digest));
  await fresh.close();
  await client.close();
  await tokenRegistry.close();

  // ---- small GET latency and throughput vs raw undici (anonymous registry) ----
  const plain = await startDockerRegistry('none');
  const ours = new RegistryClient({ dockerConfig: false });
  const prepo = `${plain.host}/bench/app`;
  for (const b of [img.config, ...img.layers]) await ours.pushBlob(prepo, b.bytes);
  await ours.putManifest(`${prepo}:v1`, img.manifest.bytes, img.manifest.mediaType);
  const pool = new Pool(plain.url, { connections: 8 });
  const raw = async () => {
    const res = await pool.request({
      path: '/v2/bench/app/manifests/v1',
      method: 'GET',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    await res.body.arrayBuffer();
  };
  const oursGet = () => ours.getManifest(`${prepo}:v1`);
  const rawLatency = await latencies(raw, 500);
  const oursLatency = await latencies(oursGet, 500);
  const rawRate = (await measureConcurrent('raw', raw, 16, SECONDS)).opsPerSecond;
  const oursRate = (await measureConcurrent('ours', oursGet, 16, SECONDS)).opsPerSecond;
  const single = await measure('getManifest', oursGet, SECONDS);
  await pool.close();

  // ---- blob copies between two registries: ours vs the floors and skopeo ----
  const copies = await copySection(ours, plain);
  await ours.close();
  await plain.close();

  const markdown = [
    'Requests per operation (counted with `onRequest`; registry with bearer-token auth, like most cloud registries):',
    '',
    table(
      ['operation', 'HTTP requests'],
      [
        ['push a 1-layer image (2 blobs + manifest), cold client', String(pushCold)],
        ['resolve a tag, cold client (401 challenge, token, GET)', String(resolveCold)],
        ['resolve a tag, warm client (token cached; GET, no HEAD)', String(resolveWarm)],
        ['read a small blob, warm', String(blobWarm)],
        ['referrers, first call on a registry without the API (probe + fallback tag)', String(referrersWarm)],
        ['referrers, later calls (the fallback is remembered)', String(referrersAgain)],
      ],
    ),
    '',
    'Small GET (a 400-byte manifest) on loopback, anonymous docker-registry:',
    '',
    table(
      ['client', 'p50 latency', 'p99 latency', 'GETs/s (16 in flight)'],
      [
        [
          'raw undici Pool',
          `${rawLatency.p50.toFixed(2)} ms`,
          `${rawLatency.p99.toFixed(2)} ms`,
          formatRate(rawRate),
        ],
        [
          'RegistryClient.getManifest (auth, digest check, parse)',
          `${oursLatency.p50.toFixed(2)} ms`,
          `${oursLatency.p99.toFixed(2)} ms`,
          formatRate(oursRate),
        ],
      ],
    ),
    '',
    `Sequential getManifest: ${formatRate(single.opsPerSecond)}/s.`,
    '',
    copies,
  ].join('\n');
  return { title: 'Registry client', markdown };
}
