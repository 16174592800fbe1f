/** Reading the source tree as text, for the house tests (layering, room size, vocabulary, purity). */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository's src/ folder. */
export const SRC = resolve(import.meta.dirname, '..', '..', 'src');

/** Every file below `dir` whose name ends with `suffix` (default `.ts`), depth first. */
export function filesUnder(dir: string, suffix = '.ts'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path, suffix);
    return entry.name.endsWith(suffix) ? [path] : [];
  });
}

/**
 * The module specifiers a file imports or re-exports (static and dynamic). With `runtimeOnly`,
 * `import type` / `export type` statements are left out: they vanish when compiled.
 */
export function importsOf(file: string, options: { runtimeOnly?: boolean } = {}): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
    if (options.runtimeOnly === true && /^(?:import|export)\s+type\s/.test(match[0].trimStart())) continue;
    specifiers.push(match[1] as string);
  }
  for (const match of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g))
    specifiers.push(match[1] as string);
  return specifiers;
}
