/**
 * The layering rule, enforced by reading imports (as go-containerregistry's depcheck does): each
 * layer under src/ imports only the layers below it, and third-party I/O libraries stay in the one
 * layer that owns them.
 */
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder, importsOf, SRC } from '../helpers/source-tree.js';

/** What each layer may import from src/ (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  errors: [],
  internal: ['errors'],
  keys: ['errors', 'internal'],
  payload: ['keys', 'errors', 'internal'],
  registry: ['payload', 'keys', 'errors', 'internal'],
  // TUF and trusted roots: an I/O layer beside the registry client.
  sigstore: ['payload', 'keys', 'errors', 'internal'],
  kms: ['keys', 'errors', 'internal'],
  sign: ['registry', 'sigstore', 'kms', 'payload', 'keys', 'errors', 'internal'],
  // Verification is signing's peer, not above it: it needs no KMS, and signing needs no verifier.
  verify: ['registry', 'sigstore', 'payload', 'keys', 'errors', 'internal'],
  policy: ['verify', 'sign', 'payload', 'keys', 'registry', 'sigstore', 'kms', 'errors', 'internal'],
  testing: [
    'policy',
    'verify',
    'sign',
    'payload',
    'keys',
    'registry',
    'sigstore',
    'kms',
    'errors',
    'internal',
  ],
  '(root)': [
    'policy',
    'verify',
    'sign',
    'payload',
    'keys',
    'registry',
    'sigstore',
    'kms',
    'errors',
    'internal',
  ],
  // The command line sits on top of everything and is reached only through package.json `bin`.
  cli: ['policy', 'verify', 'sign', 'payload', 'keys', 'registry', 'sigstore', 'kms', 'errors', 'internal'],
};

/** Third-party packages only one layer may touch. */
const OWNED_PACKAGES: Record<string, string> = {
  undici: 'registry',
  '@aws-sdk/': 'kms',
  'tuf-js': 'sigstore',
  '@sigstore/tuf': 'sigstore',
};

function layerOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length === 1 ? '(root)' : (parts[0] as string);
}

const files = filesUnder(SRC);

describe('layering', () => {
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('every layer is known to this test', () => {
    for (const file of files) expect(Object.keys(ALLOWED), file).toContain(layerOf(file));
  });

  it.each(files.map((f) => [relative(SRC, f), f]))('%s imports only layers below it', (_name, file) => {
    const layer = layerOf(file);
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('.')) {
        const target = layerOf(resolve(file, '..', specifier));
        if (target === layer) continue;
        expect(ALLOWED[layer], `${relative(SRC, file)} imports ${specifier} (layer ${target})`).toContain(
          target,
        );
      } else {
        for (const [prefix, owner] of Object.entries(OWNED_PACKAGES)) {
          if (specifier.startsWith(prefix))
            expect(layer, `${specifier} is for the ${owner} layer only`).toBe(owner);
        }
      }
    }
  });

  it('policy/common imports nothing of policy outside common (no cluster-policy, no entry points)', () => {
    const policy = resolve(SRC, 'policy');
    const common = join(policy, 'common');
    const inside = (dir: string, path: string) => path === dir || path.startsWith(dir + sep);
    const commonFiles = files.filter((f) => inside(common, f));
    expect(commonFiles.length).toBeGreaterThan(5);
    for (const file of commonFiles)
      for (const specifier of importsOf(file)) {
        if (!specifier.startsWith('.')) continue;
        const target = resolve(file, '..', specifier);
        if (inside(policy, target))
          expect(inside(common, target), `${relative(SRC, file)} imports ${specifier}`).toBe(true);
      }
  });

  it('the checker catches a violation (keys importing payload)', () => {
    const layer = 'keys';
    expect(ALLOWED[layer]).not.toContain('payload');
    expect(layerOf(resolve(SRC, 'keys', '..', 'payload', 'x.ts'))).toBe('payload');
  });
});
