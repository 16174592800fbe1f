/**
 * `ocisign/sigstore` as users get it (needs `npm run build` first): the TUF client is loaded only
 * when a refresh runs, so bundling `ocisign` or the shipped root pulls in neither tuf-js nor
 * make-fetch-happen; and the built package still finds tuf-js at run time and refreshes from a
 * real local TUF repository, from ESM and from CommonJS.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleImport } from '../../scripts/bundle-import.js';
import { LocalTufRepo } from '../helpers/tuf-repo.js';
import { SHARED_DIR } from '../helpers/vectors.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const TUF_CODE = /node_modules\/(tuf-js|make-fetch-happen|@sigstore\/tuf|@tufjs)\//;

describe('bundling', () => {
  it.each([
    [
      "import { shippedTrustedRoot } from 'ocisign/sigstore';\nconsole.log(shippedTrustedRoot);",
      'the shipped root',
    ],
    [
      "import { getTrustedRoot } from 'ocisign/sigstore';\nconsole.log(getTrustedRoot);",
      'getTrustedRoot itself',
    ],
    ["import { verifyImage } from 'ocisign';\nconsole.log(verifyImage);", 'verifyImage'],
  ])(
    '%s bundles no TUF client (%s)',
    async (source) => {
      const { inputs } = await bundleImport(source);
      expect(inputs.length).toBeGreaterThan(1);
      expect(inputs.filter((f) => TUF_CODE.test(f))).toEqual([]);
    },
    60_000,
  );
});

describe('the built package refreshes through tuf-js', () => {
  let repo: LocalTufRepo;
  let url: string;
  const cacheDir = mkdtempSync(join(tmpdir(), 'ocisign-tuf-package-'));

  beforeAll(async () => {
    repo = new LocalTufRepo({ consistentSnapshot: true });
    repo.publish({
      'trusted_root.json': readFileSync(
        join(SHARED_DIR, 'vectors', 'keyless', 'trusted-roots', 'sigstore-go-scaffolding.json'),
      ),
    });
    url = await repo.listen();
  });
  afterAll(async () => {
    await repo.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it.each(['module', 'commonjs'])(
    'from %s',
    async (type) => {
      const load = type === 'module' ? "await import('ocisign/sigstore')" : "require('ocisign/sigstore')";
      const script = `(async () => {
      const { getTrustedRoot } = ${load};
      const root = await getTrustedRoot({
        mirror: process.env.MIRROR, root: process.env.ROOT_JSON, cacheDir: process.env.CACHE, refresh: true,
      });
      process.stdout.write(root.certificateAuthorities[0].uri);
    })().catch((error) => { console.error(error); process.exit(1); });`;
      const { stdout } = await promisify(execFile)(process.execPath, [`--input-type=${type}`, '-e', script], {
        cwd: ROOT,
        env: {
          ...process.env,
          MIRROR: url,
          ROOT_JSON: Buffer.from(repo.rootJson).toString('utf8'),
          CACHE: join(cacheDir, type),
        },
      });
      expect(stdout).toBe('http://fulcio.fulcio-system.172.18.255.1.sslip.io');
    },
    60_000,
  );
});
