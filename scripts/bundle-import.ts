/**
 * Bundles one import of the built package the way a user's bundler would (esbuild, minified, for
 * Node), to show what that import really costs. Used by the tree-shaking test and the benchmark.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');

export interface BundleReport {
  /** Bytes of the minified bundle. */
  readonly bytes: number;
  /** Source files that ended up in the bundle, relative to the package root. */
  readonly inputs: readonly string[];
}

/**
 * Bundles `source` (an ES module that imports from `ocisign` or its subpaths) against `dist/`.
 * The package is linked into a scratch `node_modules` so resolution goes through the exports map
 * exactly as it does for an installed copy.
 */
export async function bundleImport(source: string): Promise<BundleReport> {
  const scratch = mkdtempSync(join(tmpdir(), 'ocisign-bundle-'));
  try {
    mkdirSync(join(scratch, 'node_modules'));
    symlinkSync(ROOT, join(scratch, 'node_modules', 'ocisign'), 'dir');
    const result = await build({
      stdin: { contents: source, resolveDir: scratch, sourcefile: 'entry.mjs', loader: 'js' },
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const output = result.outputFiles[0];
    return {
      bytes: output ? output.contents.byteLength : 0,
      inputs: Object.keys(result.metafile.inputs),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
