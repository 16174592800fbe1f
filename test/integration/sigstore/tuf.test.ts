/**
 * getTrustedRoot through TUF against a real local TUF repository (test/helpers/tuf-repo.ts: signed
 * with @tufjs/models, served by node:http on 127.0.0.1), with and without consistent snapshots:
 * a private mirror with its initial root, refreshes, the cache, a root from another repository,
 * expired and rotated roots, stalls, aborts, oversized answers and HTTP failures.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortedError,
  InvalidArgumentError,
  OperationTimeoutError,
  TrustedRootError,
  TufUnavailableError,
} from '../../../src/errors/index.js';
import { type GetTrustedRootOptions, getTrustedRoot, parseTrustedRoot } from '../../../src/sigstore/index.js';
import { LocalTufRepo } from '../../helpers/tuf-repo.js';
import { SHARED_DIR } from '../../helpers/vectors.js';

const ROOTS = join(SHARED_DIR, 'vectors', 'keyless', 'trusted-roots');
const PUBLIC_GOOD = readFileSync(join(ROOTS, 'public-good-sigstore-tuf-4.0.2.json'));
const SCAFFOLDING = readFileSync(join(ROOTS, 'sigstore-go-scaffolding.json'));

const folders: string[] = [];
function cacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ocisign-tuf-test-'));
  folders.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** What `work` rejects with (undefined when it resolves). */
async function failureOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  return undefined;
}

/** getTrustedRoot from a local repository with its initial root, in a fresh cache directory. */
function fromMirror(
  url: string,
  repo: LocalTufRepo,
  options: Omit<GetTrustedRootOptions, 'mirror' | 'root'> = {},
) {
  return getTrustedRoot({ mirror: url, root: repo.rootJson, cacheDir: cacheDir(), ...options });
}

/** A repository serving `content` as trusted_root.json, listening. */
async function started(options: ConstructorParameters<typeof LocalTufRepo>[0], content = PUBLIC_GOOD) {
  const repo = new LocalTufRepo(options);
  repo.publish({ 'trusted_root.json': content });
  return { repo, url: await repo.listen() };
}

describe.each([false, true])('a private TUF mirror (consistent_snapshot: %s)', (consistentSnapshot) => {
  let repo: LocalTufRepo;
  let url: string;

  beforeAll(async () => {
    ({ repo, url } = await started({ consistentSnapshot }));
  });
  afterAll(() => repo.close());
  afterEach(() => {
    repo.requests.length = 0;
  });

  it('gives its trusted_root.json, verified from the initial root given', async () => {
    const root = await fromMirror(url, repo);
    expect(root.json).toEqual(parseTrustedRoot(PUBLIC_GOOD).json);
    expect(root.tlogs).toEqual(parseTrustedRoot(PUBLIC_GOOD).tlogs);
    const prefix = consistentSnapshot ? '1.' : '';
    expect(repo.requests).toEqual([
      '/2.root.json',
      '/timestamp.json',
      `/${prefix}snapshot.json`,
      `/${prefix}targets.json`,
      consistentSnapshot
        ? expect.stringMatching(/^\/targets\/[0-9a-f]{64}\.trusted_root\.json$/)
        : '/targets/trusted_root.json',
    ]);
  });

  it('takes the root as JSON text too, and a trailing slash on the mirror', async () => {
    const root = await getTrustedRoot({
      mirror: `${url}/`,
      root: Buffer.from(repo.rootJson).toString('utf8'),
      cacheDir: cacheDir(),
    });
    expect(root.ctlogs.length).toBe(2);
  });

  it('answers from its cache while the timestamp holds, and asks the mirror with refresh: true', async () => {
    const dir = cacheDir();
    await getTrustedRoot({ mirror: url, root: repo.rootJson, cacheDir: dir });
    repo.requests.length = 0;
    expect((await getTrustedRoot({ mirror: url, root: repo.rootJson, cacheDir: dir })).ctlogs.length).toBe(2);
    expect(repo.requests).toEqual([]);
    await getTrustedRoot({ mirror: url, root: repo.rootJson, cacheDir: dir, refresh: true });
    expect(repo.requests).toEqual(['/2.root.json', '/timestamp.json']);
  });
});

describe.each([false, true])('publishing and rotating (consistent_snapshot: %s)', (consistentSnapshot) => {
  it('a refresh returns the newly published trusted root', async () => {
    const { repo, url } = await started({ consistentSnapshot });
    try {
      const dir = cacheDir();
      const first = await getTrustedRoot({ mirror: url, root: repo.rootJson, cacheDir: dir });
      expect(first.certificateAuthorities.length).toBe(2);
      repo.publish({ 'trusted_root.json': SCAFFOLDING });
      const stale = await getTrustedRoot({ mirror: url, root: repo.rootJson, cacheDir: dir });
      expect(stale.certificateAuthorities.length).toBe(2);
      const fresh = await getTrustedRoot({ mirror: url, root: repo.rootJson, cacheDir: dir, refresh: true });
      expect(fresh.json).toEqual(JSON.parse(SCAFFOLDING.toString('utf8')));
    } finally {
      await repo.close();
    }
  });

  it('an expired initial root is followed to the newer root the repository signed (as public-good is)', async () => {
    const { repo, url } = await started({ consistentSnapshot, rootExpiresInDays: -30 });
    try {
      await expect(fromMirror(url, repo)).rejects.toThrow(TrustedRootError);
      repo.rotateRoot();
      const dir = cacheDir();
      const root = await getTrustedRoot({ mirror: url, root: repo.rootJson, cacheDir: dir });
      expect(root.tlogs.length).toBe(2);
      expect(repo.requests).toContain('/2.root.json');
      // The rotated root is what the cache keeps: the next refresh starts from it.
      expect(JSON.parse(readFileSync(join(dir, readdir(dir), 'root.json'), 'utf8')).signed.version).toBe(2);
    } finally {
      await repo.close();
    }
  });
});

/** The one repository folder under a cache directory. */
function readdir(dir: string): string {
  const entries = readdirSync(dir);
  expect(entries).toHaveLength(1);
  return entries[0] as string;
}

describe('what is refused', () => {
  let repo: LocalTufRepo;
  let url: string;

  beforeAll(async () => {
    ({ repo, url } = await started({}));
  });
  afterAll(() => repo.close());
  afterEach(() => {
    repo.hang = false;
    repo.answers.clear();
    repo.requests.length = 0;
  });

  it('an initial root from another repository: TrustedRootError, nothing returned', async () => {
    const other = new LocalTufRepo();
    const error = await failureOf(fromMirror(url, other));
    expect(error).toBeInstanceOf(TrustedRootError);
    expect((error as TrustedRootError).code).toBe('TRUSTED_ROOT');
    expect((error as Error).message).toMatch(/did not verify: .*timestamp/i);
  });

  it('a mirror without an initial root, or a root that is not a TUF root: InvalidArgumentError', async () => {
    await expect(getTrustedRoot({ mirror: url, cacheDir: cacheDir() })).rejects.toThrow(InvalidArgumentError);
    await expect(getTrustedRoot({ mirror: url, root: PUBLIC_GOOD, cacheDir: cacheDir() })).rejects.toThrow(
      /root must be a TUF root\.json/,
    );
    expect(repo.requests).toEqual([]);
  });

  it('a stalled mirror ends at timeoutMs with OperationTimeoutError', async () => {
    repo.hang = true;
    const started = Date.now();
    const error = await failureOf(fromMirror(url, repo, { timeoutMs: 300 }));
    expect(error).toBeInstanceOf(OperationTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("the caller's abort ends a stalled refresh with AbortedError, its reason as the cause", async () => {
    repo.hang = true;
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 100);
    const started = Date.now();
    const error = await failureOf(fromMirror(url, repo, { signal: controller.signal }));
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).cause).toEqual(new Error('shutting down'));
    expect(Date.now() - started).toBeLessThan(2000);
    const aborted = AbortSignal.abort();
    await expect(getTrustedRoot({ mirror: url, root: repo.rootJson, signal: aborted })).rejects.toThrow(
      AbortedError,
    );
  });

  it('answers over the byte bound, announced or not', async () => {
    // The trusted root is 6.7 kB: a bound below it refuses the target.
    await expect(fromMirror(url, repo, { maxResponseBytes: 4096 })).rejects.toThrow(TrustedRootError);
    const huge = new Uint8Array(5 * 1024 * 1024).fill(0x20);
    for (const chunked of [false, true]) {
      repo.answers.set('/2.root.json', { body: huge, chunked });
      const error = await failureOf(fromMirror(url, repo));
      expect(error, `chunked: ${chunked}`).toBeInstanceOf(TrustedRootError);
      expect((error as Error).message).toMatch(/more than \d+ bytes|more bytes than/);
    }
  });

  it('HTTP errors and a mirror that is not there: TufUnavailableError with the status', async () => {
    repo.answers.set('/timestamp.json', { status: 503 });
    const error = await failureOf(fromMirror(url, repo));
    expect(error).toBeInstanceOf(TufUnavailableError);
    expect((error as TufUnavailableError).status).toBe(503);
    const gone = new LocalTufRepo();
    const goneUrl = await gone.listen();
    await gone.close();
    const refused = await failureOf(fromMirror(goneUrl, gone));
    expect(refused).toBeInstanceOf(TufUnavailableError);
    expect((refused as TufUnavailableError).status).toBe(0);
  });

  it('a target that is missing, or that is not a trusted root: TrustedRootError', async () => {
    const { repo: empty, url: emptyUrl } = await started({});
    try {
      empty.publish({ 'other.json': '{}' });
      await expect(fromMirror(emptyUrl, empty)).rejects.toThrow(/has no trusted_root\.json target/);
      empty.publish({ 'trusted_root.json': '{"tlogs": "no"}' });
      const error = await failureOf(fromMirror(emptyUrl, empty));
      expect(error).toBeInstanceOf(TrustedRootError);
      expect((error as Error).message).toMatch(
        /trusted_root\.json from http:\/\/127\.0\.0\.1:\d+: \/tlogs must be/,
      );
    } finally {
      await empty.close();
    }
  });
});
