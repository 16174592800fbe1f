/** What one import costs a bundled application: esbuild bundles of single imports from dist/. */
import { bundleImport } from '../scripts/bundle-import.js';
import { type BenchSection, table } from './harness.js';

const IMPORTS: ReadonlyArray<readonly [string, string]> = [
  ['ocisign/payload', 'encodeSimpleSigningPayload'],
  ['ocisign/keys', 'importPublicKey'],
  ['ocisign/policy', 'matchImagePattern'],
  ['ocisign/registry', 'RegistryClient'],
  ['ocisign', 'verifyImage'],
];

export async function run(): Promise<BenchSection> {
  const rows: string[][] = [];
  for (const [from, name] of IMPORTS) {
    const { bytes, inputs } = await bundleImport(`import { ${name} } from '${from}';\nconsole.log(${name});`);
    const heavy = ['undici', '@aws-sdk', 'yaml'].filter((dep) =>
      inputs.some((f) => f.includes(`node_modules/${dep}`)),
    );
    rows.push([
      `\`import { ${name} } from '${from}'\``,
      `${(bytes / 1024).toFixed(1)} KiB`,
      heavy.join(', ') || 'none',
    ]);
  }
  return {
    title: 'Bundle size per import',
    markdown: [
      table(['Import', 'Minified bundle (esbuild, node)', 'Heavy dependencies pulled in'], rows),
      '',
      'Each subpath carries only its own layer and the ones below it (`sideEffects: false`); the',
      'tree-shaking test in test/package/packaging.test.ts fails if the payload import ever pulls in',
      'undici or the AWS SDK. The root import lists the AWS SDK because `awskms://` keys load it with a',
      'dynamic `import()`: Node loads it only when such a key is used, and a bundler with code',
      'splitting puts it in a chunk of its own; a single-file bundle (as measured here) inlines it.',
      "The policy import carries the `yaml` parser (`loadPolicies`) and, because the engine's default",
      'backend reaches registries and KMS keys, the module-level parts of undici and the lazy AWS SDK',
      'loader that a bundler cannot prove unused; the bulk of both stays out.',
    ].join('\n'),
  };
}
