/**
 * Which test files can run without `../shared/vectors`, decided before vitest loads them.
 *
 * The vectors (real cosign output, Kyverno's policies, keyless artifacts) are third-party data that
 * sit beside this repository and are never copied into it. A user's fresh clone has no `../shared`:
 * then every test file that reads a missing vector folder is left out of the run, with one plain
 * line each saying what was not run and why. With `OCISIGN_REQUIRE_VECTORS=1` (scripts/test.sh sets
 * it when `CI=true`) nothing is left out: those files fail to load, and the summary counts them as
 * failures. Which folders a file needs is read from its text (`readVectors('<folder>/…')` and
 * `join(SHARED_DIR, 'vectors', '<folder>', …)`), so a new vector test needs no registration here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const VECTORS = resolve(ROOT, '..', 'shared', 'vectors');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The vector folders (`cosign`, `kyverno`, `keyless`, …) a test file's text reads. */
export function vectorFoldersRead(text: string): string[] {
  const folders = new Set<string>();
  for (const m of text.matchAll(/readVectors(?:<[^(]*>)?\(\s*['"`]([\w-]+)\//g)) folders.add(m[1] as string);
  for (const m of text.matchAll(/SHARED_DIR,\s*['"]vectors['"],\s*['"]([\w-]+)['"]/g))
    folders.add(m[1] as string);
  return [...folders].sort();
}

/** How many tests a file declares, as written (`it.each` tables count once: "at least"). */
function declaredTests(text: string): { count: number; tables: boolean } {
  const count = [...text.matchAll(/(?:^|[^\w.])(?:it|test)(?:\.each)?\(/gm)].length;
  return { count, tables: /\b(?:it|test)\.each\(/.test(text) };
}

/**
 * The test files to leave out of this run (paths relative to the repository), printing one line for
 * each; none when every folder is present or when `OCISIGN_REQUIRE_VECTORS=1`.
 */
export function filesWithoutVectors(log: (line: string) => void = (line) => console.warn(line)): string[] {
  const required = process.env.OCISIGN_REQUIRE_VECTORS === '1';
  const excluded: string[] = [];
  for (const file of testFiles(join(ROOT, 'test'))) {
    const text = readFileSync(file, 'utf8');
    const missing = vectorFoldersRead(text).filter((folder) => !existsSync(join(VECTORS, folder)));
    if (missing.length === 0) continue;
    const name = relative(ROOT, file);
    const where = missing.map((folder) => `../shared/vectors/${folder}`).join(', ');
    if (required) {
      log(`${name}: ${where} not present and OCISIGN_REQUIRE_VECTORS=1: this file fails`);
      continue;
    }
    const { count, tables } = declaredTests(text);
    log(`${name}: ${where} not present; ${tables ? 'at least ' : ''}${count} tests not run`);
    excluded.push(name);
  }
  return excluded;
}
