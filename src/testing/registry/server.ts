/**
 * `startRegistry()`: an in-memory OCI distribution registry on loopback for tests and demos — the
 * distribution API (manifests, blobs, chunked and monolithic uploads, mounts, paginated tags), the
 * OCI 1.1 referrers API, and optional Basic or Bearer auth. Not a production registry and not a
 * substitute for the real one in ocisign's own integration tests: no persistence, no GC, no
 * garbage-content checks beyond digests.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isJsonObject, own } from '../../internal/shape.js';
import { sha256Digest } from '../../payload/digest.js';
import { OCI_INDEX, OCI_MANIFEST } from '../../payload/oci.js';
import { readRequestBody } from '../http-body.js';
import { jsonObject, RegistryStore } from './store.js';

/**
 * Options of {@link startRegistry}: auth and the registry features to turn off (e.g. the referrers
 * API).
 */
export interface StartRegistryOptions {
  /** Require credentials: Basic, or Bearer tokens from the registry's own `/token` endpoint. */
  readonly auth?: { readonly type: 'basic' | 'bearer'; readonly username: string; readonly password: string };
  /** Serve the OCI referrers API (default true); false behaves like distribution 2.8. */
  readonly referrersApi?: boolean;
  /** Largest page of tags returned, whatever `n` asks (default 1000). */
  readonly maxPageSize?: number;
  /** Port on 127.0.0.1; default: any free port. */
  readonly port?: number;
}

/** A running in-memory registry: its `host:port` and URL. */
export interface RunningTestRegistry {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>`, the registry part of image references. */
  readonly host: string;
  /** Stops the server and drops its content. */
  close(): Promise<void>;
}

const MANIFEST_LIMIT = 4 * 1024 * 1024;

/** A referrer's artifact type, as the referrers API reports it: its own, else its config's media type. */
function artifactTypeOf(doc: Record<string, unknown>): { artifactType?: string } {
  const declared = own(doc, 'artifactType');
  if (typeof declared === 'string') return { artifactType: declared };
  const config = own(doc, 'config');
  const configType = isJsonObject(config) ? own(config, 'mediaType') : undefined;
  return typeof configType === 'string' ? { artifactType: configType } : {};
}

function fail(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ errors: [{ code, message, detail: null }] });
  res
    .writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...headers,
    })
    .end(body);
}

/** Starts an in-memory OCI registry on loopback, for tests, demos and examples. */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<RunningTestRegistry> {
  const store = new RegistryStore();
  const tokens = new Map<string, number>();
  const referrersApi = options.referrersApi ?? true;
  const maxPage = options.maxPageSize ?? 1000;
  let base = '';

  function authorized(req: IncomingMessage, res: ServerResponse): boolean {
    const auth = options.auth;
    if (auth === undefined) return true;
    const header = req.headers.authorization ?? '';
    if (auth.type === 'basic') {
      const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
      if (header === expected) return true;
      fail(res, 401, 'UNAUTHORIZED', 'authentication required', {
        'www-authenticate': 'Basic realm="ocisign-test"',
      });
      return false;
    }
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if ((tokens.get(token) ?? 0) > Date.now()) return true;
    fail(res, 401, 'UNAUTHORIZED', 'authentication required', {
      'www-authenticate': `Bearer realm="${base}/token",service="ocisign-test"`,
    });
    return false;
  }

  function issueToken(req: IncomingMessage, res: ServerResponse): void {
    const auth = options.auth;
    const expected =
      auth === undefined
        ? ''
        : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      fail(res, 401, 'UNAUTHORIZED', 'bad credentials');
      return;
    }
    const token = randomUUID();
    tokens.set(token, Date.now() + 300_000);
    const body = JSON.stringify({ token, expires_in: 300 });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (path === '/token') return issueToken(req, res);
    if (!authorized(req, res)) return;
    if (path === '/v2/' || path === '/v2') {
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'docker-distribution-api-version': 'registry/2.0',
        })
        .end('{}');
      return;
    }
    let m = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(path);
    if (m !== null) return upload(req, res, url, m[1] as string, m[2] as string);
    m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (m !== null) return manifest(req, res, m[1] as string, m[2] as string);
    m = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(path);
    if (m !== null) {
      const [repository, digest] = [m[1] as string, m[2] as string];
      const bytes = store.getBlob(repository, digest);
      if (method === 'DELETE') {
        if (store.deleteBlob(repository, digest)) res.writeHead(202).end();
        else fail(res, 404, 'BLOB_UNKNOWN', 'blob unknown');
        return;
      }
      if (bytes === undefined) return fail(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry');
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': bytes.length,
        'docker-content-digest': digest,
      });
      res.end(method === 'HEAD' ? undefined : bytes);
      return;
    }
    m = /^\/v2\/(.+)\/tags\/list$/.exec(path);
    if (m !== null && method === 'GET') {
      const repository = m[1] as string;
      if (!store.hasRepository(repository))
        return fail(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
      const n = Math.min(Number(url.searchParams.get('n') ?? maxPage) || maxPage, maxPage);
      const last = url.searchParams.get('last');
      const all = store.tags(repository).filter((t) => last === null || t > last);
      const page = all.slice(0, n);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (all.length > n)
        headers.link = `</v2/${repository}/tags/list?n=${n}&last=${encodeURIComponent(page.at(-1) as string)}>; rel="next"`;
      res.writeHead(200, headers).end(JSON.stringify({ name: repository, tags: page }));
      return;
    }
    m = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(path);
    if (m !== null && method === 'GET' && referrersApi) {
      const artifactType = url.searchParams.get('artifactType');
      const manifests = store
        .referrers(m[1] as string, m[2] as string)
        .map(({ digest, manifest, doc }) => ({
          mediaType: manifest.mediaType,
          digest,
          size: manifest.bytes.length,
          ...artifactTypeOf(doc),
          ...(own(doc, 'annotations') !== undefined ? { annotations: own(doc, 'annotations') } : {}),
        }))
        .filter((d) => artifactType === null || d.artifactType === artifactType);
      const headers: Record<string, string> = { 'content-type': OCI_INDEX };
      if (artifactType !== null) headers['oci-filters-applied'] = 'artifactType';
      res.writeHead(200, headers).end(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
      return;
    }
    fail(res, 404, 'NOT_FOUND', 'no such route');
  }

  async function manifest(
    req: IncomingMessage,
    res: ServerResponse,
    repository: string,
    reference: string,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD') {
      const found = store.getManifest(repository, reference);
      if (found === undefined) return fail(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      res.writeHead(200, {
        'content-type': found.mediaType,
        'content-length': found.bytes.length,
        'docker-content-digest': found.digest,
      });
      res.end(method === 'HEAD' ? undefined : found.bytes);
      return;
    }
    if (method === 'PUT') {
      const bytes = await readRequestBody(req, MANIFEST_LIMIT);
      if (bytes === undefined) return fail(res, 413, 'MANIFEST_INVALID', 'manifest too large');
      const mediaType = req.headers['content-type'] ?? OCI_MANIFEST;
      if (reference.includes(':') && sha256Digest(bytes) !== reference)
        return fail(res, 400, 'DIGEST_INVALID', 'manifest digest does not match');
      const doc = jsonObject(bytes);
      if (doc === undefined) return fail(res, 400, 'MANIFEST_INVALID', 'manifest is not a JSON object');
      const digest = store.putManifest(repository, reference, { bytes, mediaType });
      const headers: Record<string, string> = {
        location: `/v2/${repository}/manifests/${digest}`,
        'docker-content-digest': digest,
      };
      const subject = own(doc, 'subject');
      const subjectDigest = isJsonObject(subject) ? own(subject, 'digest') : undefined;
      if (referrersApi && typeof subjectDigest === 'string') headers['oci-subject'] = subjectDigest;
      res.writeHead(201, headers).end();
      return;
    }
    if (method === 'DELETE') {
      if (store.deleteManifest(repository, reference)) res.writeHead(202).end();
      else fail(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      return;
    }
    fail(res, 405, 'UNSUPPORTED', 'method not allowed');
  }

  async function upload(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    repository: string,
    id: string,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    if (method === 'POST' && id === '') {
      const mount = url.searchParams.get('mount');
      const from = url.searchParams.get('from');
      if (mount !== null && from !== null && store.mountBlob(repository, mount, from)) {
        res
          .writeHead(201, { location: `/v2/${repository}/blobs/${mount}`, 'docker-content-digest': mount })
          .end();
        return;
      }
      const digest = url.searchParams.get('digest');
      if (digest !== null) {
        const bytes = (await readRequestBody(req, Number.MAX_SAFE_INTEGER)) as Uint8Array;
        if (sha256Digest(bytes) !== digest)
          return fail(res, 400, 'DIGEST_INVALID', 'digest does not match content');
        store.putBlob(repository, bytes);
        res
          .writeHead(201, { location: `/v2/${repository}/blobs/${digest}`, 'docker-content-digest': digest })
          .end();
        return;
      }
      const uploadId = store.startUpload(repository);
      res
        .writeHead(202, {
          location: `/v2/${repository}/blobs/uploads/${uploadId}`,
          range: '0-0',
          'docker-upload-uuid': uploadId,
        })
        .end();
      return;
    }
    const state = store.upload(id);
    if (state === undefined || state.repository !== repository)
      return fail(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'upload unknown');
    if (method === 'PATCH') {
      const range = req.headers['content-range'];
      if (typeof range === 'string' && !range.startsWith(`${state.size}-`)) {
        return fail(res, 416, 'BLOB_UPLOAD_INVALID', 'content range out of order');
      }
      const size = store.appendUpload(
        id,
        (await readRequestBody(req, Number.MAX_SAFE_INTEGER)) as Uint8Array,
      );
      res
        .writeHead(202, {
          location: `/v2/${repository}/blobs/uploads/${id}`,
          range: `0-${Math.max(0, size - 1)}`,
        })
        .end();
      return;
    }
    if (method === 'PUT') {
      const rest = (await readRequestBody(req, Number.MAX_SAFE_INTEGER)) as Uint8Array;
      if (rest.length > 0) store.appendUpload(id, rest);
      const expected = url.searchParams.get('digest') ?? '';
      const digest = store.finishUpload(id, expected);
      if (digest === undefined)
        return fail(res, 400, 'DIGEST_INVALID', 'digest does not match uploaded content');
      res
        .writeHead(201, { location: `/v2/${repository}/blobs/${digest}`, 'docker-content-digest': digest })
        .end();
      return;
    }
    fail(res, 405, 'UNSUPPORTED', 'method not allowed');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) fail(res, 500, 'UNKNOWN', 'internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
