/**
 * Packaging checks users never see until they fail: publint and Are The Types Wrong on the packed
 * package, and tree-shaking — importing one payload function must not drag in the registry client
 * (undici) or the AWS SDK. Needs `npm run build` first (scripts/test.sh does it).
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { publint } from 'publint';
import { describe, expect, it } from 'vitest';
import { bundleImport } from '../../scripts/bundle-import.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

describe('packaging', () => {
  it('publint finds nothing to fix, even in strict mode', async () => {
    const { messages } = await publint({ pkgDir: ROOT, strict: true, level: 'suggestion' });
    expect(messages.map((m) => `${m.type} ${m.code} ${m.path.join('.')}`)).toEqual([]);
  });

  it('Are The Types Wrong finds no problem for ESM consumers', () => {
    // The esm-only profile leaves out node10 (no `exports` support) and node16-from-CJS: the latter
    // flags require() of an ES module, which Node ≥ 20.19 supports and exports.test.ts proves.
    const out = execFileSync(
      resolve(ROOT, 'node_modules', '.bin', 'attw'),
      ['--pack', '.', '--profile', 'esm-only', '--format', 'json'],
      { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // execFileSync threw already if attw exited non-zero; the report must agree.
    const report = JSON.parse(out) as { analysis: { problems: Array<{ resolutionKind?: string }> } };
    const counted = report.analysis.problems.filter(
      (p) => p.resolutionKind !== 'node10' && p.resolutionKind !== 'node16-cjs',
    );
    expect(counted).toEqual([]);
  }, 60_000);
});

describe('tree-shaking', () => {
  it('one payload import bundles without undici, the AWS SDK or the registry layer', async () => {
    const { bytes, inputs } = await bundleImport(
      "import { encodeSimpleSigningPayload } from 'ocisign/payload';\nconsole.log(encodeSimpleSigningPayload);",
    );
    expect(inputs.some((f) => f.includes('/payload/') || f.includes('chunk-'))).toBe(true);
    expect(inputs.filter((f) => f.includes('node_modules/undici'))).toEqual([]);
    expect(inputs.filter((f) => f.includes('@aws-sdk') || f.includes('@smithy'))).toEqual([]);
    expect(inputs.filter((f) => f.includes('node_modules/yaml'))).toEqual([]);
    // The size is recorded by `npm run bench` in docs/performance.md; here only a ceiling that would
    // catch a whole-library bundle (undici alone is several hundred kB minified).
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(300_000);
  }, 60_000);

  it('the registry subpath does pull undici (the check above can see it)', async () => {
    const { inputs } = await bundleImport(
      "import { RegistryClient } from 'ocisign/registry';\nconsole.log(RegistryClient);",
    );
    expect(inputs.some((f) => f.includes('node_modules/undici'))).toBe(true);
  }, 60_000);
});
