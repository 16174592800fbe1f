/**
 * The judge does no I/O, by construction: following every import from src/verify/judge.ts (the
 * exported offline judge) never reaches the registry layer, undici, node:net/http or the file
 * system. Discovery (src/verify/discover.ts) is the only verify module that reads a registry.
 */
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, SRC } from '../../helpers/source-tree.js';

const IO = /^(undici|node:(net|http|https|fs|fs\/promises|child_process|dns|tls)|@aws-sdk\/)/;

/** Every module reachable from `entry` at run time: src files (relative to src/) and packages. */
function closure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string) => {
    const key = relative(SRC, file);
    if (files.has(key)) return;
    files.add(key);
    for (const spec of importsOf(file, { runtimeOnly: true })) {
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
      expect.arrayContaining(['verify/judge-signature.ts', 'sigstore/tlog/tlog-entry.ts', 'keys/verify.ts']),
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
