/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or those named on the command line) and writes
 * the results to docs/performance.md. Each bench module exports `run(): Promise<BenchSection>`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchSection } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

const sections: BenchSection[] = [];
for (const file of files) {
  console.log(`running ${file}`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { run(): Promise<BenchSection> };
  const section = await mod.run();
  console.log(`${section.title}\n${section.markdown}\n`);
  sections.push(section);
}

// Sections not re-run this time (a subset was named) keep their previous figures.
const docPath = join(here, '..', 'docs', 'performance.md');
const previous = new Map<string, string>();
if (existsSync(docPath)) {
  const parts = readFileSync(docPath, 'utf8').split(/^## /m).slice(1);
  for (const part of parts) {
    const newline = part.indexOf('\n');
    previous.set(part.slice(0, newline), part.slice(newline + 1).trim());
  }
}
for (const s of sections) previous.delete(s.title);
const all = [...sections, ...[...previous].map(([title, markdown]) => ({ title, markdown }))].sort((a, b) =>
  a.title.localeCompare(b.title),
);

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const doc = [
  '# Performance',
  '',
  'Written by `npm run bench` (bench/run.ts); do not edit by hand. Figures are from one run on the',
  `machine below, so compare rows within a run rather than across machines.`,
  '',
  `- Machine: ${cpus().length} × ${cpu}, ${platform()} ${arch()}`,
  `- Node ${process.version}, run ${new Date().toISOString().slice(0, 10)}`,
  '',
  ...all.flatMap((s) => [`## ${s.title}`, '', s.markdown, '']),
].join('\n');
writeFileSync(docPath, doc);
console.log('wrote docs/performance.md');
