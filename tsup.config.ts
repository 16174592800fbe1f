import { defineConfig } from 'tsup';

/** One entry per public subpath; the `exports` map in package.json mirrors this list. */
export const entries = {
  index: 'src/index.ts',
  'errors/index': 'src/errors/index.ts',
  'keys/index': 'src/keys/index.ts',
  'payload/index': 'src/payload/index.ts',
  'kms/index': 'src/kms/index.ts',
  'kms/aws/index': 'src/kms/aws/index.ts',
  'registry/index': 'src/registry/index.ts',
  'sigstore/index': 'src/sigstore/index.ts',
  'verify/index': 'src/verify/index.ts',
  'policy/index': 'src/policy/index.ts',
  'testing/index': 'src/testing/index.ts',
};

export default defineConfig({
  // The CLI is an entry of its own (package.json `bin`), not an export.
  entry: { ...entries, 'cli/bin': 'src/cli/bin.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
});
