/**
 * The verify benchmark against ocisign/testing's in-memory registry in a child process
 * (bench/verify-registry-worker.ts), where ocisign's own cost shows: for each signature format,
 * verifyImage (digest-pinned, warm client, `ignoreTlog`, that format only) next to its floor — the
 * same HTTP requests over a bare undici Pool with the same number of connections, both sha256
 * digest checks of what was fetched, `JSON.parse` of every document and one `crypto.verify` with a
 * prepared KeyObject — at 1 and 16 verifications in flight.
 *
 * It does not measure the registry: that runs on its own event loop (and, when the machine has
 * the cores, its own core), so both rows pay the same server time.
 */
import { fork } from 'node:child_process';
import { createHash, createPublicKey, type KeyObject, verify as nodeVerify } from 'node:crypto';
import { Pool } from 'undici';
import { verifyImage } from '../src/index.js';
import { importPublicKey, type PublicKey } from '../src/keys/index.js';
import { RegistryClient } from '../src/registry/index.js';
import { formatRate, type Measurement, measure, measureConcurrent } from './harness.js';

type Format = 'simple-signing' | 'bundle';

interface Seeded {
  readonly url: string;
  readonly host: string;
  readonly publicKey: string;
  readonly images: Record<Format, string>;
}

/** A registry child process and what it holds. */
export interface SeededRegistry extends Seeded {
  close(): Promise<void>;
}

/** Forks the worker (same loader as this process) and waits for the seeded registry. */
export function startSeededRegistry(): Promise<SeededRegistry> {
  const child = fork(new URL('./verify-registry-worker.ts', import.meta.url), {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`verify-registry-worker exited ${code}`)));
    child.once('message', (message) => {
      const closed = new Promise<void>((done) => child.once('exit', () => done()));
      resolve({
        ...(message as Seeded),
        close: async () => {
          child.disconnect();
          await closed;
        },
      });
    });
  });
}

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const SIGNATURE = 'dev.cosignproject.cosign/signature';

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function get(
  pool: Pool,
  path: string,
  accept?: string,
): Promise<{ bytes: Buffer; digest: string | undefined }> {
  const res = await pool.request({
    path,
    method: 'GET',
    ...(accept === undefined ? {} : { headers: { accept } }),
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode !== 200) throw new Error(`floor: GET ${path}: ${res.statusCode}`);
  const digest = res.headers['docker-content-digest'];
  return { bytes, digest: typeof digest === 'string' ? digest : undefined };
}

function checkDigest(bytes: Uint8Array, expected: string | undefined): void {
  if (sha256(bytes) !== expected) throw new Error('floor: digest mismatch');
}

/** The floor of one classic verification: `.sig` manifest, payload blob, one signature check. */
function classicFloor(pool: Pool, repository: string, digest: string, key: KeyObject) {
  const tag = `${digest.replace(':', '-')}.sig`;
  return async () => {
    const m = await get(pool, `/v2/${repository}/manifests/${tag}`, MANIFEST);
    checkDigest(m.bytes, m.digest);
    const layer = JSON.parse(m.bytes.toString()).layers[0];
    const blob = await get(pool, `/v2/${repository}/blobs/${layer.digest}`);
    checkDigest(blob.bytes, layer.digest);
    JSON.parse(blob.bytes.toString());
    if (!nodeVerify('sha256', blob.bytes, key, Buffer.from(layer.annotations[SIGNATURE], 'base64')))
      throw new Error('floor: signature');
  };
}

/** The floor of one bundle verification: referrers, referrer manifest, bundle blob, one DSSE check. */
function bundleFloor(pool: Pool, repository: string, digest: string, key: KeyObject) {
  return async () => {
    const index = JSON.parse(
      (await get(pool, `/v2/${repository}/referrers/${digest}`, INDEX)).bytes.toString(),
    );
    const referrer = index.manifests[0].digest;
    const m = await get(pool, `/v2/${repository}/manifests/${referrer}`, MANIFEST);
    checkDigest(m.bytes, referrer);
    const layer = JSON.parse(m.bytes.toString()).layers[0];
    const blob = await get(pool, `/v2/${repository}/blobs/${layer.digest}`);
    checkDigest(blob.bytes, layer.digest);
    const envelope = JSON.parse(blob.bytes.toString()).dsseEnvelope;
    const payload = Buffer.from(envelope.payload, 'base64');
    const pae = Buffer.concat([
      Buffer.from(`DSSEv1 ${envelope.payloadType.length} ${envelope.payloadType} ${payload.length} `),
      payload,
    ]);
    if (!nodeVerify('sha256', pae, key, Buffer.from(envelope.signatures[0].sig, 'base64')))
      throw new Error('floor: signature');
  };
}

/** The floor of one verification of `format` for the image `digest` in `repository`. */
export function floorVerification(
  pool: Pool,
  format: Format,
  repository: string,
  digest: string,
  key: KeyObject,
): () => Promise<void> {
  return format === 'simple-signing'
    ? classicFloor(pool, repository, digest, key)
    : bundleFloor(pool, repository, digest, key);
}

const CONNECTIONS = 8; // RegistryClient's default per origin

/** One table row per format and concurrency: ours, the floor, the ratio, requests per verification. */
export async function inMemoryRows(seconds: number): Promise<string[][]> {
  const registry = await startSeededRegistry();
  const requests: string[] = [];
  const client = new RegistryClient({ dockerConfig: false, onRequest: (i) => requests.push(i.url) });
  const publicKey: PublicKey = importPublicKey(registry.publicKey);
  const keyObject = createPublicKey(registry.publicKey);
  const pool = new Pool(registry.url, { connections: CONNECTIONS });
  const rows: string[][] = [];
  try {
    for (const format of ['simple-signing', 'bundle'] as const) {
      const ref = registry.images[format];
      const digest = ref.slice(ref.indexOf('@') + 1);
      const repository = `bench/${format}`;
      const ours = () =>
        verifyImage(ref, { keys: [publicKey], registry: client, ignoreTlog: true, formats: [format] });
      const floor = floorVerification(pool, format, repository, digest, keyObject);
      await ours();
      await floor();
      const before = requests.length;
      await ours();
      const perVerification = requests.length - before;
      const floorRequests = format === 'simple-signing' ? 2 : 3;
      if (perVerification !== floorRequests)
        throw new Error(
          `verifyImage made ${perVerification} requests for ${format}; the floor makes ${floorRequests}`,
        );
      for (const concurrency of [1, 16]) {
        const run = (name: string, fn: () => Promise<unknown>) =>
          concurrency === 1 ? measure(name, fn, seconds) : measureConcurrent(name, fn, concurrency, seconds);
        // Interleaved rounds, median of each: the machine's load drifts during a run.
        const oursRuns: Measurement[] = [];
        const floorRuns: Measurement[] = [];
        for (let round = 0; round < 3; round++) {
          floorRuns.push(await run('floor', floor));
          oursRuns.push(await run('ours', ours));
        }
        const o = median(oursRuns);
        const f = median(floorRuns);
        rows.push([
          `verifyImage, ${format}, ${concurrency} in flight`,
          formatRate(o),
          formatRate(f),
          `${(o / f).toFixed(2)}×`,
          String(perVerification),
        ]);
      }
    }
  } finally {
    await pool.close();
    await client.close();
    await registry.close();
  }
  return rows;
}

function median(runs: readonly Measurement[]): number {
  const rates = runs.map((r) => r.opsPerSecond).sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)] as number;
}
