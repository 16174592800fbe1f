/**
 * The published package as users get it: the built `dist/` through the exports map, from ESM and
 * from CommonJS (`require(esm)` on Node ≥ 20.19), and `npm pack` shipping only what users need.
 * Needs `npm run build` first (scripts/test.sh does it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'));
const SUBPATHS = [
  '.',
  './errors',
  './keys',
  './payload',
  './kms',
  './kms/aws',
  './registry',
  './sigstore',
  './verify',
  './policy',
  './testing',
];

function node(args: string[]): string {
  return execFileSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('package.json', () => {
  it('declares the engines, module type and side effects promised', () => {
    expect(pkg.name).toBe('ocisign');
    expect(pkg.type).toBe('module');
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.engines.node).toBe('>=20.19');
  });

  it('exports every layer with types', () => {
    for (const subpath of SUBPATHS) {
      expect(pkg.exports[subpath], subpath).toBeDefined();
      expect(pkg.exports[subpath].types, subpath).toMatch(/\.d\.ts$/);
    }
  });

  it('has every exported file built', () => {
    expect(existsSync(resolve(ROOT, 'dist')), 'dist/ is missing: run npm run build').toBe(true);
    for (const subpath of SUBPATHS) {
      expect(existsSync(resolve(ROOT, pkg.exports[subpath].default)), subpath).toBe(true);
      expect(existsSync(resolve(ROOT, pkg.exports[subpath].types)), subpath).toBe(true);
    }
  });
});

describe('loading the built package', () => {
  it('CommonJS require() works for every subpath (no top-level await anywhere)', () => {
    const script = `
      const out = {};
      for (const p of ${JSON.stringify(SUBPATHS)}) {
        const name = p === '.' ? 'ocisign' : 'ocisign/' + p.slice(2);
        out[p] = Object.keys(require(name)).length;
      }
      process.stdout.write(JSON.stringify(out));`;
    const counts = JSON.parse(node(['--input-type=commonjs', '-e', script]));
    expect(counts['./keys']).toBeGreaterThan(10);
    expect(counts['./errors']).toBeGreaterThanOrEqual(6);
    expect(counts['.']).toBeGreaterThan(5);
  });

  it('CommonJS callers can generate, sign and verify', () => {
    const script = `
      const { generateKeyPair, createSigner, verifySignature } = require('ocisign/keys');
      (async () => {
        const { privateKey, publicKey } = await generateKeyPair();
        const data = new TextEncoder().encode('cjs');
        const sig = await createSigner(privateKey).sign(data);
        process.stdout.write(String(await verifySignature(publicKey, data, sig)));
      })();`;
    expect(node(['--input-type=commonjs', '-e', script])).toBe('true');
  });

  it('ESM import works for every subpath', () => {
    const script = `
      const out = {};
      for (const p of ${JSON.stringify(SUBPATHS)}) out[p] = Object.keys(await import(p === '.' ? 'ocisign' : 'ocisign/' + p.slice(2))).length;
      process.stdout.write(JSON.stringify(out));`;
    const counts = JSON.parse(node(['--input-type=module', '-e', script]));
    expect(counts['./keys']).toBeGreaterThan(10);
  });

  it('keeps deep imports out: only the exports map is a way in', () => {
    expect(() => node(['--input-type=commonjs', '-e', "require('ocisign/dist/keys/index.js')"])).toThrow(
      /ERR_PACKAGE_PATH_NOT_EXPORTED/,
    );
  });
});

describe('npm pack', () => {
  it('ships only dist/, README, CHANGELOG and package.json', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
    expect(files).toContain('package.json');
    expect(files).toContain('dist/keys/index.js');
    for (const file of files)
      expect(file).toMatch(/^(dist\/|README\.md$|CHANGELOG\.md$|package\.json$|LICENSE$)/);
  });
});
