/**
 * A deterministic discrete-event simulation of writers racing on a last-writer-wins document (a
 * registry tag without compare-and-swap), for testing the convergent add protocol: a virtual clock
 * that only moves when every pending promise chain has settled, a register whose reads and writes
 * take effect at the end of their latency, and a seeded random source. Not a model of HTTP: just
 * time, atomic reads, atomic whole-document writes.
 */
import type { ConvergenceTiming } from '../../src/internal/convergent-add.js';

/** Lets every queued promise reaction run (they all run before the next macrotask). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Virtual time: `after(ms)` resolves when the simulation reaches now + ms. */
export class VirtualClock {
  now = 0;
  #seq = 0;
  #events: Array<{ at: number; seq: number; fire: () => void }> = [];

  after(ms: number): Promise<void> {
    return new Promise((fire) =>
      this.#events.push({ at: this.now + Math.max(0, ms), seq: this.#seq++, fire }),
    );
  }

  /** Runs events in time order until none is pending (or `limit` events ran). */
  async run(limit = 100_000): Promise<void> {
    for (let n = 0; n < limit; n++) {
      await settle();
      if (this.#events.length === 0) return;
      this.#events.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const event = this.#events.shift() as { at: number; fire: () => void };
      this.now = event.at;
      event.fire();
    }
    throw new Error(`simulation did not finish within ${limit} events`);
  }

  /** Timing for `convergentAdd` driven by this clock (`sleep` honours an abort signal). */
  timing(random: () => number, overrides: Partial<ConvergenceTiming> = {}): Partial<ConvergenceTiming> {
    return {
      now: () => this.now,
      random,
      sleep: (ms, signal) =>
        new Promise<void>((resolve, reject) => {
          if (signal?.aborted) return reject(signal.reason);
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
          void this.after(ms).then(resolve);
        }),
      ...overrides,
    };
  }
}

/** A seeded PRNG (mulberry32): the same seed gives the same schedule. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One change of the register: when, by whom, and what it held afterwards. */
export interface Write<E> {
  readonly at: number;
  readonly by: string;
  readonly value: readonly E[];
}

/** A last-writer-wins register of a list, with the history of its writes. */
export class Register<E> {
  value: readonly E[] | undefined;
  readonly history: Write<E>[] = [];
  constructor(readonly clock: VirtualClock) {}

  /** A store for one writer: reads take effect after `readMs`, writes land after `writeMs` (per call). */
  storeFor(
    name: string,
    latency: { readMs?: (call: number) => number; writeMs?: (call: number) => number } = {},
  ): { read: () => Promise<readonly E[] | undefined>; write: (entries: readonly E[]) => Promise<void> } {
    let reads = 0;
    let writes = 0;
    return {
      read: async () => {
        await this.clock.after(latency.readMs?.(reads++) ?? 1);
        return this.value;
      },
      write: async (entries) => {
        await this.clock.after(latency.writeMs?.(writes++) ?? 1);
        this.value = [...entries];
        this.history.push({ at: this.clock.now, by: name, value: this.value });
      },
    };
  }
}
