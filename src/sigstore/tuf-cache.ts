/**
 * Where TUF keeps what it verified: one folder per repository and initial root under a cache
 * directory (by default `$XDG_CACHE_HOME/ocisign-tuf`, `~/.cache/ocisign-tuf`, or a per-user folder
 * under the system temporary directory), seeded with the initial `root.json`. Never
 * `~/.local/share/sigstore-js`, which @sigstore/tuf writes to.
 *
 * The folder is named after the mirror and a hash of the initial root, so a cache only ever holds
 * metadata verified from the root the caller gave: another initial root for the same mirror starts
 * a folder of its own instead of inheriting trust it did not grant. Refreshes of one folder run one
 * at a time within the process (tuf-js writes its files in place).
 *
 * Deliberately not here: reading or verifying metadata (tuf-js does), and clean-up.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { TrustedRootError } from '../errors/sigstore.js';
import { utf8 } from '../internal/bytes.js';

/** The default cache directory: `$XDG_CACHE_HOME/ocisign-tuf`, else `~/.cache/ocisign-tuf`, else a temporary folder. */
export function defaultTufCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'ocisign-tuf');
  let home = '';
  try {
    home = homedir();
  } catch {
    // No home directory (a service account without one): fall back to a per-user temporary folder.
  }
  if (home !== '') return join(home, '.cache', 'ocisign-tuf');
  return join(tmpdir(), `ocisign-tuf-${process.getuid?.() ?? 'user'}`);
}

/** A repository's folder: its metadata in it, its targets in `targets/`. */
export interface TufFolder {
  readonly metadataDir: string;
  readonly targetDir: string;
  /** Whether the initial root was written now (a root that then fails to load is the caller's). */
  readonly seeded: boolean;
  /** Whether an earlier refresh left a timestamp here (so the cache may answer on its own). */
  readonly refreshedBefore: boolean;
}

/** The folder for `mirror` reached from `initialRoot`, under `cacheDir` (nothing is created). */
export function tufFolderPath(cacheDir: string, mirror: string, initialRoot: Uint8Array): string {
  const hash = createHash('sha256')
    .update(utf8(`${mirror}\n`))
    .update(initialRoot)
    .digest('hex');
  return join(cacheDir, `${new URL(mirror).host.replace(/[^A-Za-z0-9.-]/g, '_')}-${hash.slice(0, 16)}`);
}

/** Creates the folder (if needed) and seeds it with the initial root unless it holds one. */
export function prepareTufFolder(metadataDir: string, initialRoot: Uint8Array): TufFolder {
  const targetDir = join(metadataDir, 'targets');
  try {
    mkdirSync(targetDir, { recursive: true, mode: 0o700 });
    const rootPath = join(metadataDir, 'root.json');
    // A root.json already here is the initial root or one TUF rotated to from it: keep it.
    const seeded = !existsSync(rootPath);
    if (seeded) writeFileSync(rootPath, initialRoot, { mode: 0o600 });
    return {
      metadataDir,
      targetDir,
      seeded,
      refreshedBefore: existsSync(join(metadataDir, 'timestamp.json')),
    };
  } catch (cause) {
    throw new TrustedRootError(`could not prepare the TUF cache folder ${metadataDir}`, { cause });
  }
}

const running = new Map<string, Promise<unknown>>();

/** Runs `work` after every earlier call for the same folder has settled (one refresh at a time). */
export function oneAtATime<T>(folder: string, work: () => Promise<T>): Promise<T> {
  const before = running.get(folder) ?? Promise.resolve();
  const result = before.then(work, work);
  const settled = result.then(
    () => undefined,
    () => undefined,
  );
  running.set(folder, settled);
  void settled.then(() => {
    if (running.get(folder) === settled) running.delete(folder);
  });
  return result;
}
