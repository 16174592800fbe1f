/**
 * The cost of the first keyless verification of a process, against the steady state: forks
 * bench/keyless-first-worker.ts (same loader as this process) several times in each mode,
 * alternating, and keeps the median of every figure. A process is the only honest unit here: the
 * shipped root and its trust material are memoized per process, so a second run in the same one
 * would time the memo.
 */
import { fork } from 'node:child_process';
import type { FirstVerificationTimes } from './keyless-first-worker.js';

/** Medians over the fresh processes of each mode. */
export interface FirstVerificationMedians {
  readonly processes: number;
  readonly whole: FirstVerificationTimes;
  readonly parts: FirstVerificationTimes;
}

function runWorker(mode: 'whole' | 'parts'): Promise<FirstVerificationTimes> {
  const child = fork(new URL('./keyless-first-worker.ts', import.meta.url), [mode], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let times: FirstVerificationTimes | undefined;
    child.once('error', reject);
    child.once('message', (message) => {
      times = message as FirstVerificationTimes;
    });
    child.once('exit', (code) =>
      times === undefined ? reject(new Error(`keyless-first-worker exited ${code}`)) : resolve(times),
    );
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Each member's median over `runs` (all from the same mode). */
function medians(runs: readonly FirstVerificationTimes[]): FirstVerificationTimes {
  const out: Record<string, unknown> = { mode: runs[0]?.mode };
  for (const key of Object.keys(runs[0] ?? {}))
    if (key !== 'mode') out[key] = median(runs.map((r) => r[key as keyof FirstVerificationTimes] as number));
  return out as unknown as FirstVerificationTimes;
}

/** Forks `processes` fresh workers per mode, alternating modes, one at a time. */
export async function firstVerificationMedians(processes = 5): Promise<FirstVerificationMedians> {
  const whole: FirstVerificationTimes[] = [];
  const parts: FirstVerificationTimes[] = [];
  for (let i = 0; i < processes; i++) {
    whole.push(await runWorker('whole'));
    parts.push(await runWorker('parts'));
  }
  return { processes, whole: medians(whole), parts: medians(parts) };
}
