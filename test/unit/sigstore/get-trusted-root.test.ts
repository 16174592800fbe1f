/**
 * The shipped root and getTrustedRoot's choices, without a network: the root in @sigstore/tuf's
 * seeds is the public-good vector byte for byte and comes back with no request; a refresh starts
 * from the shipped TUF root (version 14) at the public-good CDN, seen through a stubbed fetch;
 * options that contradict each other are refused before anything runs; the cache directory.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError, TufUnavailableError } from '../../../src/errors/index.js';
import {
  defaultTufCacheDir,
  getTrustedRoot,
  PUBLIC_GOOD_TUF_URL,
  parseTrustedRoot,
  shippedTrustedRoot,
} from '../../../src/sigstore/index.js';
import { SHARED_DIR } from '../../helpers/vectors.js';

const VECTOR = join(SHARED_DIR, 'vectors', 'keyless', 'trusted-roots', 'public-good-sigstore-tuf-4.0.2.json');

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

describe('shippedTrustedRoot', () => {
  it("is the public-good root of @sigstore/tuf 4.0.2's seeds, the vector's content", () => {
    const root = shippedTrustedRoot();
    expect(root.json).toEqual(JSON.parse(readFileSync(VECTOR, 'utf8')));
    const { json: _a, ...model } = root;
    const { json: _b, ...expected } = parseTrustedRoot(readFileSync(VECTOR));
    expect(model).toEqual(expected);
    expect(
      [root.certificateAuthorities, root.tlogs, root.ctlogs, root.timestampAuthorities].map((l) => l.length),
    ).toEqual([2, 2, 2, 1]);
  });

  it('is read once: the same frozen value every time', () => {
    expect(shippedTrustedRoot()).toBe(shippedTrustedRoot());
    expect(Object.isFrozen(shippedTrustedRoot())).toBe(true);
  });
});

describe('getTrustedRoot without refresh or mirror', () => {
  it('returns the shipped root and fetches nothing', async () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    expect(await getTrustedRoot()).toBe(shippedTrustedRoot());
    expect(await getTrustedRoot({ refresh: false, cacheDir: '/nonexistent/ocisign' })).toBe(
      shippedTrustedRoot(),
    );
    expect(fetch).not.toHaveBeenCalled();
    expect(existsSync('/nonexistent/ocisign')).toBe(false);
  });
});

describe('getTrustedRoot({ refresh: true })', () => {
  it('starts from the shipped TUF root (version 14) at the public-good CDN, in the cache directory given', async () => {
    const urls: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      urls.push(url);
      return new Response('not here', { status: 404 });
    });
    const cacheDir = mkdtempSync(join(tmpdir(), 'ocisign-tuf-unit-'));
    try {
      const error = await getTrustedRoot({ refresh: true, cacheDir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TufUnavailableError);
      expect((error as TufUnavailableError).status).toBe(404);
      expect(urls).toEqual([`${PUBLIC_GOOD_TUF_URL}/15.root.json`, `${PUBLIC_GOOD_TUF_URL}/timestamp.json`]);
      const [folder] = readdirSync(cacheDir);
      expect(folder).toMatch(/^tuf-repo-cdn\.sigstore\.dev-[0-9a-f]{16}$/);
      const seeded = JSON.parse(readFileSync(join(cacheDir, folder as string, 'root.json'), 'utf8'));
      expect([seeded.signed.version, seeded.signed.expires]).toEqual([14, '2026-06-22T13:27:01Z']);
      // The public-good mirror named explicitly needs no root either.
      await expect(getTrustedRoot({ mirror: `${PUBLIC_GOOD_TUF_URL}/`, cacheDir })).rejects.toThrow(
        TufUnavailableError,
      );
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('options refused before any work', () => {
  it.each([
    [{ root: '{}' }, /root is the initial TUF root\.json of a mirror/],
    [{ mirror: 'https://tuf.example.com' }, /needs root: the initial TUF root\.json/],
    [{ mirror: 'ftp://tuf.example.com', root: '{}' }, /mirror must be an http or https URL/],
    [{ mirror: 'not a url' }, /mirror must be an http or https URL/],
    [{ mirror: 'https://user:pw@tuf.example.com', root: '{}' }, /no credentials/],
    [{ mirror: 'https://tuf.example.com', root: '{"signed": {}}' }, /root must be a TUF root\.json/],
    [{ refresh: true, timeoutMs: 0 }, /timeoutMs must be a positive number/],
    [{ refresh: true, maxResponseBytes: Number.NaN }, /maxResponseBytes must be a positive number/],
    [{ refresh: 'yes' }, /refresh must be a boolean/],
    [{ refresh: true, cacheDir: '' }, /cacheDir must be a non-empty path/],
    [{ refresh: true, signal: {} }, /signal must be an AbortSignal/],
  ])('%j', async (options, message) => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    const error = await getTrustedRoot(options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(message);
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('defaultTufCacheDir', () => {
  it('is ocisign-tuf under $XDG_CACHE_HOME, else under ~/.cache; never sigstore-js’s folder', () => {
    vi.stubEnv('XDG_CACHE_HOME', '/var/cache/me');
    expect(defaultTufCacheDir()).toBe('/var/cache/me/ocisign-tuf');
    vi.stubEnv('XDG_CACHE_HOME', 'relative/ignored');
    expect(defaultTufCacheDir()).toBe(join(homedir(), '.cache', 'ocisign-tuf'));
    expect(defaultTufCacheDir()).not.toContain('sigstore-js');
  });
});
