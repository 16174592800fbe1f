/**
 * Registry faults injected by a loopback proxy in front of the real docker-registry (Basic auth):
 * each ends in a correct retry or a typed error within the timeout, and no credential crosses hosts.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AbortedError,
  DigestMismatchError,
  RegistryError,
  RegistryTimeoutError,
} from '../../../src/errors/index.js';
import { RegistryClient, type RequestInfo } from '../../../src/registry/index.js';
import { type RunningRegistry, startDockerRegistry } from '../../helpers/docker-registry.js';
import { type FaultProxy, startFaultProxy } from '../../helpers/fault-proxy.js';
import { type BuiltImage, image } from '../../helpers/images.js';

let registry: RunningRegistry;
let proxy: FaultProxy;
let img: BuiltImage;
let repo: string;
let requests: RequestInfo[] = [];
let client: RegistryClient;
/** A second host ("object storage") that records whether credentials reached it. */
let storage: Server;
let storageUrl: string;
const storageSaw: Array<string | undefined> = [];

const isManifest = (_m: string, p: string) => p.includes('/manifests/');
const isLayer = (digest: () => string) => (m: string, p: string) =>
  m === 'GET' && p.endsWith(`/blobs/${digest()}`);

beforeAll(async () => {
  registry = await startDockerRegistry('basic');
  proxy = await startFaultProxy(registry.url);
  repo = `${proxy.host}/acme/faulty`;
  const setup = new RegistryClient({
    dockerConfig: false,
    credentials: { [proxy.host]: { username: registry.username, password: registry.password } },
  });
  img = image({ layerBytes: 200_000 });
  for (const b of [img.config, ...img.layers]) await setup.pushBlob(repo, b.bytes);
  await setup.putManifest(`${repo}:v1`, img.manifest.bytes, img.manifest.mediaType);
  await setup.close();
  storage = createServer((req, res) => {
    storageSaw.push(req.headers.authorization);
    // Serve the real layer bytes, as object storage behind a redirect would.
    res
      .writeHead(200, { 'content-type': 'application/octet-stream' })
      .end(Buffer.from((img.layers[0] as { bytes: Uint8Array }).bytes));
  });
  await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
  // "localhost" vs "127.0.0.1": another host as far as origins go.
  storageUrl = `http://localhost:${(storage.address() as { port: number }).port}`;
});

afterAll(async () => {
  await proxy?.close();
  await registry?.close();
  if (storage !== undefined) await new Promise((r) => storage.close(r));
});

beforeEach(async () => {
  await client?.close();
  proxy.rules.length = 0;
  requests = [];
  client = new RegistryClient({
    dockerConfig: false,
    credentials: { [proxy.host]: { username: registry.username, password: registry.password } },
    onRequest: (i) => requests.push(i),
    retry: { retries: 3, baseDelayMs: 10, maxDelayMs: 2000 },
    timeoutMs: 2000,
    bodyTimeoutMs: 500,
  });
  await client.resolve(`${repo}:v1`); // learn auth before faults start
  requests = [];
});

const layer = () => img.layers[0] as { digest: string; size: number; bytes: Uint8Array };

describe('fault injection', () => {
  it.each([500, 502, 503, 504])('retries a %i and succeeds', async (status) => {
    proxy.rules.push({ match: isManifest, fault: { kind: 'status', status }, times: 2 });
    expect((await client.getManifest(`${repo}:v1`)).digest).toBe(img.manifest.digest);
    expect(requests.map((r) => r.status)).toEqual([status, status, 200]);
  });

  it('honours Retry-After on 429', async () => {
    proxy.rules.push({
      match: isManifest,
      fault: { kind: 'status', status: 429, retryAfter: '1' },
      times: 1,
    });
    const started = Date.now();
    await client.getManifest(`${repo}:v1`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('gives up after the retry budget with a typed error carrying the status', async () => {
    proxy.rules.push({ match: isManifest, fault: { kind: 'status', status: 503 }, times: 100 });
    const error = await client.getManifest(`${repo}:v1`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).status).toBe(503);
    expect(requests.length).toBe(4);
  });

  it('does not retry a 404', async () => {
    await expect(client.getManifest(`${repo}:nope`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(requests.length).toBe(1);
  });

  it('retries a manifest whose connection resets mid-body', async () => {
    proxy.rules.push({ match: isManifest, fault: { kind: 'reset-mid-body' }, times: 1 });
    expect((await client.getManifest(`${repo}:v1`)).digest).toBe(img.manifest.digest);
  });

  it('retries a buffered blob read that resets mid-body', async () => {
    proxy.rules.push({ match: isLayer(() => layer().digest), fault: { kind: 'reset-mid-body' }, times: 1 });
    expect(
      Buffer.from(await client.getBlobBytes(repo, layer().digest)).equals(Buffer.from(layer().bytes)),
    ).toBe(true);
  });

  it('ends a streamed blob that resets mid-body with a typed error', async () => {
    proxy.rules.push({ match: isLayer(() => layer().digest), fault: { kind: 'reset-mid-body' }, times: 1 });
    const read = async () => {
      for await (const _ of client.getBlob(repo, layer().digest)) {
        // consume
      }
    };
    await expect(read()).rejects.toBeInstanceOf(RegistryError);
  });

  it('times out a stalled body within the body timeout', async () => {
    proxy.rules.push({ match: isLayer(() => layer().digest), fault: { kind: 'stall-body' }, times: 1 });
    const read = async () => {
      for await (const _ of client.getBlob(repo, layer().digest)) {
        // consume
      }
    };
    const started = Date.now();
    const error = await read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('never returns a blob with a wrong byte', async () => {
    proxy.rules.push({ match: isLayer(() => layer().digest), fault: { kind: 'corrupt-body' }, times: 2 });
    await expect(client.getBlobBytes(repo, layer().digest)).rejects.toBeInstanceOf(DigestMismatchError);
    const chunks: Uint8Array[] = [];
    const read = async () => {
      for await (const chunk of client.getBlob(repo, layer().digest)) chunks.push(chunk);
    };
    await expect(read()).rejects.toBeInstanceOf(DigestMismatchError);
    // The held-back last chunk was never released: the consumer saw less than the whole blob.
    expect(chunks.reduce((n, c) => n + c.length, 0)).toBeLessThan(layer().size);
  });

  it('refuses a manifest whose bytes do not match the digest asked for', async () => {
    proxy.rules.push({ match: isManifest, fault: { kind: 'corrupt-body' }, times: 1 });
    await expect(client.getManifest(`${repo}@${img.manifest.digest}`)).rejects.toBeInstanceOf(
      DigestMismatchError,
    );
  });

  it('follows a blob redirect to another host without sending it the credentials', async () => {
    storageSaw.length = 0;
    proxy.rules.push({
      match: isLayer(() => layer().digest),
      fault: { kind: 'redirect', to: storageUrl },
      times: 1,
    });
    const bytes = await client.getBlobBytes(repo, layer().digest);
    expect(Buffer.from(bytes).equals(Buffer.from(layer().bytes))).toBe(true);
    expect(storageSaw).toEqual([undefined]);
    expect(proxy.seen.at(-1)?.authorization).toBe(true);
  });

  it('stops at once when the caller aborts', async () => {
    proxy.rules.push({ match: isLayer(() => layer().digest), fault: { kind: 'stall-body' }, times: 1 });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    setTimeout(() => controller.abort(reason), 100);
    const error = await client
      .getBlobBytes(repo, layer().digest, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).cause).toBe(reason);
  });

  it('reports a dead registry as a typed error, not a hang', async () => {
    const dead = new RegistryClient({
      dockerConfig: false,
      retry: { retries: 1, baseDelayMs: 10 },
      timeoutMs: 1000,
    });
    const error = await dead.getManifest('127.0.0.1:1/acme/app:v1').catch((e: unknown) => e);
    await dead.close();
    expect(error).toBeInstanceOf(RegistryError);
    expect(
      error instanceof RegistryTimeoutError || (error as RegistryError).code === 'REGISTRY_UNREACHABLE',
    ).toBe(true);
  });
});
