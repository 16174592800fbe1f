/**
 * The judge does no I/O, by construction: following every import from src/verify/judge.ts (the
 * exported offline judge) never reaches the registry layer, undici, node:net/http or the file
 * system. Discovery (src/verify/discover.ts) is the only verify module that reads a registry.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', '..', '..', 'src');
const IO = /^(undici|node:(net|http|https|fs|fs\/promises|child_process|dns|tls)|@aws-sdk\/)/;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
    // Type-only imports vanish at run time.
    if (/^\s*(?:import|export)\s+type\s/.test(m[0].trimStart())) continue;
    out.push(m[1] as string);
  }
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1] as string);
  return out;
}

/** Every module reachable from `entry` at run time: src files (relative to src/) and packages. */
function closure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string) => {
    const key = relative(SRC, file);
    if (files.has(key)) return;
    files.add(key);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) walk(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  };
  walk(entry);
  return { files, packages };
}

describe('the judge is pure', () => {
  const judge = closure(resolve(SRC, 'verify', 'judge.ts'));

  it('reaches the judge modules it should (the walk works)', () => {
    expect([...judge.files]).toEqual(
      expect.arrayContaining(['verify/judge-signature.ts', 'verify/tlog.ts', 'keys/verify.ts']),
    );
  });

  it('never reaches the registry layer, discovery, or an I/O module', () => {
    expect([...judge.files].filter((f) => f.startsWith('registry/') || f === 'verify/discover.ts')).toEqual(
      [],
    );
    expect([...judge.packages].filter((p) => IO.test(p))).toEqual([]);
  });

  it('while discovery does reach the registry (the check above can see it)', () => {
    const discovery = closure(resolve(SRC, 'verify', 'verify-image.ts'));
    expect([...discovery.files].some((f) => f.startsWith('registry/'))).toBe(true);
  });
});
