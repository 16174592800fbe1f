/**
 * The gate that leaves vector tests out of a fresh clone's run must see every file that reads the
 * vectors: a file it misses would fail to load on a clone without ../shared instead of saying so.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vectorFoldersRead } from '../helpers/vector-gate.js';

const TEST_DIR = resolve(import.meta.dirname, '..');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('vector gate', () => {
  it('reads the folders named by readVectors and SHARED_DIR joins', () => {
    // Assembled at run time, so that this file's own text reads no vector folder.
    const read = ['read', 'Vectors'].join('');
    const shared = ['SHARED', 'DIR'].join('_');
    const text = [
      `const a = ${read}<{ x: 1 }>('cosign/payload.json');`,
      `const b = join(${shared}, 'vectors', 'keyless', 'x');`,
      `const c = ${read}('kyverno/wildcard.json');`,
    ].join('\n');
    expect(vectorFoldersRead(text)).toEqual(['cosign', 'keyless', 'kyverno']);
    expect(vectorFoldersRead("import { x } from './y.js';")).toEqual([]);
  });

  it('sees a vector folder in every test file that uses the vectors helper', () => {
    const users = testFiles(TEST_DIR).filter((file) =>
      /helpers\/vectors\.js['"]/.test(readFileSync(file, 'utf8')),
    );
    expect(users.length).toBeGreaterThan(5);
    const unseen = users.filter((file) => vectorFoldersRead(readFileSync(file, 'utf8')).length === 0);
    expect(unseen).toEqual([]);
  });
});
