/**
 * A registry that never finishes: trickled bodies, stalled bodies, hung requests, huge declared
 * lengths, endless pagination. Every small document has a deadline for the whole response; streamed
 * blobs keep the idle timeout and take an optional total deadline; a caller's abort and `close()`
 * end everything at once, as typed errors.
 */
import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  OcisignError,
  OperationTimeoutError,
  RegistryTimeoutError,
  SizeLimitError,
} from '../../../src/errors/index.js';
import type { RegistryClient, RegistryClientOptions } from '../../../src/registry/index.js';
import {
  type HostileHandler,
  hostileTestbed,
  type MaliciousRegistry,
  requireBearer,
  serveContent,
  sha256Digest,
} from '../../helpers/malicious-registry.js';

const testbed = hostileTestbed({ timeoutMs: 800, bodyTimeoutMs: 800 }, { closeWithinMs: 2000 });
const server = (handler: HostileHandler) => testbed.server(handler);
const client = (options: RegistryClientOptions = {}) => testbed.client(options);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The outcome of `work`, or 'still running' once `ms` passed. */
async function within(ms: number, work: Promise<unknown>): Promise<unknown> {
  return Promise.race([work.catch((e: unknown) => e), pause(ms).then(() => 'still running')]);
}

const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest('{}'), size: 2 },
  layers: [],
});
const blobBytes = 'x'.repeat(2000);
const blobDigest = sha256Digest(blobBytes);

/** Serves the manifest and blob above, every body trickled one byte per `ms`. */
function trickling(ms = 200): HostileHandler {
  const content = serveContent(
    new Map([
      ['v1', { bytes: manifest, mediaType: 'application/vnd.oci.image.manifest.v1+json' }],
      [blobDigest, { bytes: blobBytes }],
    ]),
  );
  return async (r) => ({ ...(await content(r)), trickleMs: ms });
}

async function drain(stream: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += chunk.length;
  return n;
}

describe('deadlines for whole documents', () => {
  it.each([
    ['getManifest', (c: RegistryClient, h: string) => c.getManifest(`${h}/app:v1`)],
    ['getBlobBytes', (c: RegistryClient, h: string) => c.getBlobBytes(`${h}/app`, blobDigest)],
    ['listTags', (c: RegistryClient, h: string) => c.listTags(`${h}/app`)],
    ['referrers', (c: RegistryClient, h: string) => c.referrers(`${h}/app`, blobDigest)],
  ])('cuts off a trickled %s', async (_name, call) => {
    const registry = await server(async (r) =>
      r.path.includes('/tags/') || r.path.includes('/referrers/')
        ? {
            status: 200,
            headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
            body: `{"tags":[],"manifests":[]${' '.repeat(100)}}`,
            trickleMs: 200,
          }
        : trickling()(r),
    );
    const started = Date.now();
    const outcome = await within(6000, call(client(), registry.host));
    expect(outcome).toBeInstanceOf(RegistryTimeoutError);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('cuts off a trickled token response and a trickled error body', async () => {
    const registry: MaliciousRegistry = await server(
      requireBearer(
        () => `${registry.url}/token`,
        't',
        () => ({ status: 404, body: `{"errors":[]}${' '.repeat(100)}`, trickleMs: 200 }),
        () => ({ status: 200, body: `{"token":"t"}${' '.repeat(100)}`, trickleMs: 200 }),
      ),
    );
    const c = client();
    expect(await within(6000, c.getManifest(`${registry.host}/app:v1`))).toBeInstanceOf(RegistryTimeoutError);
    registry.setHandler(() => ({ status: 500, body: `{"errors":[]}${' '.repeat(100)}`, trickleMs: 200 }));
    const error = await within(6000, c.blobExists(`${registry.host}/other`, blobDigest));
    expect(error).toBeInstanceOf(OcisignError);
  });

  it('cuts off a redirect whose body trickles', async () => {
    const registry = await server((r) =>
      r.path.endsWith('/v1')
        ? {
            status: 307,
            headers: { location: '/v2/app/manifests/v2' },
            body: ' '.repeat(100),
            trickleMs: 200,
          }
        : { status: 404 },
    );
    expect(await within(6000, client().getManifest(`${registry.host}/app:v1`))).toBeInstanceOf(OcisignError);
  });

  it('takes a documentTimeoutMs option', async () => {
    const registry = await server(trickling(100));
    const started = Date.now();
    const outcome = await within(
      6000,
      client({ documentTimeoutMs: 300 }).getManifest(`${registry.host}/app:v1`),
    );
    expect(outcome).toBeInstanceOf(RegistryTimeoutError);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('cuts off a blob trickled a byte at a time, by its average speed, without any deadline given', async () => {
    const registry = await server(trickling(200));
    const c = client({ documentTimeoutMs: 800 });
    const started = Date.now();
    const outcome = await within(6000, drain(c.getBlob(`${registry.host}/app`, blobDigest)));
    expect(outcome).toBeInstanceOf(RegistryTimeoutError);
    expect((outcome as Error).message).toMatch(/under the floor of 8192 bytes\/s \(minBlobBytesPerSecond\)/);
    expect(Date.now() - started).toBeLessThan(3000);
    // The floor is the client's to set (0 turns it off); a negative one is refused.
    expect(() => client({ minBlobBytesPerSecond: -1 })).toThrow(OcisignError);
  });

  it('gives a streamed blob a total deadline only when asked, keeping the idle timeout', async () => {
    const small = 'y'.repeat(300);
    const registry = await server(() => ({ status: 200, body: small, trickleMs: 3 }));
    const c = client({ bodyTimeoutMs: 200, documentTimeoutMs: 200, minBlobBytesPerSecond: 50 });
    // 300 bytes at 3+ ms each: longer than the document deadline, never silent for the idle timeout,
    // and (at ~300 bytes/s) above the throughput floor this client sets.
    const started = Date.now();
    expect(await drain(c.getBlob(`${registry.host}/app`, sha256Digest(small)))).toBe(300);
    expect(Date.now() - started).toBeGreaterThan(400);
    const outcome = await within(
      6000,
      drain(c.getBlob(`${registry.host}/app`, sha256Digest(small), { deadlineMs: 300 })),
    );
    expect(outcome).toBeInstanceOf(RegistryTimeoutError);
  });

  it('lets copyBlob take a total deadline', async () => {
    const registry = await server(async (r) => {
      if (r.method === 'HEAD') return { status: 404 };
      return trickling()(r);
    });
    const outcome = await within(
      6000,
      client().copyBlob(
        `${registry.host}/app`,
        `${registry.host}/copy`,
        { digest: blobDigest, size: 2000 },
        { deadlineMs: 800 },
      ),
    );
    expect(outcome).toBeInstanceOf(OcisignError);
  });

  it('refuses huge declared lengths before reading', async () => {
    const huge = {
      'content-length': String(10 * 1024 ** 3),
      'content-type': 'application/vnd.oci.image.manifest.v1+json',
    };
    const registry = await server(() => ({ status: 200, headers: huge, body: '{', stallBody: true }));
    const c = client({ timeoutMs: 5000, bodyTimeoutMs: 5000 });
    for (const call of [
      () => c.getManifest(`${registry.host}/app:v1`),
      () => c.getBlobBytes(`${registry.host}/app`, blobDigest),
      () => c.listTags(`${registry.host}/app`),
      () => drain(c.getBlob(`${registry.host}/app`, blobDigest, { size: 2000 })),
    ]) {
      const started = Date.now();
      expect(await within(3000, call())).toBeInstanceOf(SizeLimitError);
      expect(Date.now() - started).toBeLessThan(1000);
    }
  });

  it('stops following a Link header that loops', async () => {
    const registry = await server((r) => ({
      status: 200,
      headers: { link: `<${r.path}>; rel="next"` },
      body: '{"tags":["a"]}',
    }));
    const outcome = await within(6000, client().listTags(`${registry.host}/app`));
    expect(outcome).toBeInstanceOf(OcisignError);
    expect(registry.requests.length).toBeLessThan(5);
  });
});

describe('aborts are typed errors', () => {
  const hung: HostileHandler = () => ({ hang: true });

  it.each([
    ['a hung request', hung],
    ['a trickled body', trickling()],
    ['a retry pause', () => ({ status: 503, headers: { 'retry-after': '30' } })],
  ])('turns a caller abort during %s into AbortedError with the reason as cause', async (_name, handler) => {
    const registry = await server(handler);
    const c = client({ timeoutMs: 30_000, bodyTimeoutMs: 30_000, retry: { retries: 2, maxDelayMs: 30_000 } });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    setTimeout(() => controller.abort(reason), 150);
    const error = await within(3000, c.getManifest(`${registry.host}/app:v1`, { signal: controller.signal }));
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).cause).toBe(reason);
  });

  it('turns AbortSignal.timeout into OperationTimeoutError', async () => {
    const registry = await server(hung);
    const signal = AbortSignal.timeout(150);
    const error = await within(
      3000,
      client({ timeoutMs: 30_000 }).getManifest(`${registry.host}/app:v1`, { signal }),
    );
    expect(error).toBeInstanceOf(OperationTimeoutError);
    expect((error as Error).cause).toBe(signal.reason);
  });

  it('types an abort while a token is fetched, a blob streams, an upload is sent and a credential is looked up', async () => {
    const abortSoon = () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('stop')), 150);
      return controller.signal;
    };
    const open = { timeoutMs: 30_000, bodyTimeoutMs: 30_000 };
    const tokens: MaliciousRegistry = await server(
      requireBearer(
        () => `${tokens.url}/token`,
        't',
        trickling(),
        () => ({ hang: true }),
      ),
    );
    const call = client(open).getManifest(`${tokens.host}/app:v1`, { signal: abortSoon() });
    expect(await within(3000, call)).toBeInstanceOf(AbortedError);

    const blobs = await server(trickling());
    const stream = drain(client(open).getBlob(`${blobs.host}/bb`, blobDigest, { signal: abortSoon() }));
    expect(await within(3000, stream)).toBeInstanceOf(AbortedError);

    const uploads = await server((r) =>
      r.method === 'POST' ? { status: 202, headers: { location: '/up/1' } } : { hang: true },
    );
    const endless = async function* () {
      yield new Uint8Array(10);
      await pause(10_000);
    };
    const upload = client(open).pushBlobStream(
      `${uploads.host}/bb`,
      endless(),
      { digest: blobDigest, size: 20 },
      { signal: abortSoon() },
    );
    expect(await within(3000, upload)).toBeInstanceOf(AbortedError);

    const basic = await server(() => ({ status: 401, headers: { 'www-authenticate': 'Basic realm="x"' } }));
    const stuck = client({ ...open, credentials: { credentials: () => new Promise(() => {}) } });
    expect(
      await within(3000, stuck.getManifest(`${basic.host}/app:v1`, { signal: abortSoon() })),
    ).toBeInstanceOf(AbortedError);

    const aborted = AbortSignal.abort(new Error('before'));
    expect(
      await within(3000, client().getManifest(`${blobs.host}/app:v1`, { signal: aborted })),
    ).toBeInstanceOf(AbortedError);
  });
});

describe('close()', () => {
  it('aborts in-flight requests and returns promptly', async () => {
    const registry = await server(async (r) =>
      r.path.includes('/blobs/')
        ? { status: 200, stallBody: true, body: 'x' }
        : r.path.endsWith('/v2')
          ? { hang: true }
          : trickling()(r),
    );
    const c = client({ timeoutMs: 30_000, bodyTimeoutMs: 30_000, documentTimeoutMs: 60_000 });
    const manifestCall = c.getManifest(`${registry.host}/app:v1`).catch((e: unknown) => e);
    const blobCall = drain(c.getBlob(`${registry.host}/app`, blobDigest)).catch((e: unknown) => e);
    const hungCall = c.getManifest(`${registry.host}/app:v2`).catch((e: unknown) => e);
    await pause(300);
    const started = Date.now();
    expect(await within(3000, c.close())).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1000);
    for (const outcome of await Promise.all([manifestCall, blobCall, hungCall])) {
      expect(outcome).toBeInstanceOf(AbortedError);
    }
    expect(await within(1000, c.getManifest(`${registry.host}/app:v1`))).toBeInstanceOf(OcisignError);
  });
});
