/**
 * A tiny benchmark harness: runs a function for a fixed time after a warm-up and reports ops/s.
 * Benchmarks show performance targets; tests never assert on timing.
 */

export interface Measurement {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly iterations: number;
}

export interface BenchSection {
  /** Markdown heading for this section of docs/performance.md. */
  readonly title: string;
  /** Markdown body: tables and a sentence on what the numbers mean. */
  readonly markdown: string;
}

/** Runs `fn` repeatedly for about `seconds` (after a short warm-up) and returns its rate. */
export async function measure(name: string, fn: () => unknown, seconds = 1): Promise<Measurement> {
  const warmUntil = performance.now() + 200;
  while (performance.now() < warmUntil) await fn();
  let iterations = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while (now < end) {
    await fn();
    iterations++;
    if ((iterations & 7) === 0) now = performance.now();
  }
  const elapsed = (performance.now() - start) / 1000;
  return { name, opsPerSecond: iterations / elapsed, iterations };
}

/**
 * Runs `fn` from `concurrency` loops at once for about `seconds` (after a short warm-up at the same
 * concurrency) and returns the combined rate: what a server handling that many requests in
 * flight sees.
 */
export async function measureConcurrent(
  name: string,
  fn: () => Promise<unknown>,
  concurrency: number,
  seconds = 1,
): Promise<Measurement> {
  const loops = async (until: number, count: () => void) => {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          await fn();
          count();
        }
      }),
    );
  };
  await loops(performance.now() + 200, () => {});
  let iterations = 0;
  const start = performance.now();
  await loops(start + seconds * 1000, () => iterations++);
  const elapsed = (performance.now() - start) / 1000;
  return { name, opsPerSecond: iterations / elapsed, iterations };
}

export function formatRate(opsPerSecond: number): string {
  return opsPerSecond >= 100 ? Math.round(opsPerSecond).toLocaleString('en-US') : opsPerSecond.toFixed(1);
}

/** A markdown table from a header row and data rows. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
