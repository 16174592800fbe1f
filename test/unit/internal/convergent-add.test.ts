/**
 * The convergent add protocol on a simulated last-writer-wins document: adversarial interleavings
 * scripted on a virtual clock (the lost update, a transient removal re-read by a third writer),
 * seeded random schedules, faults (a PUT that fails before or after it lands, stale reads), bounds
 * and aborts. The property throughout: once every writer has returned, every entry a writer
 * reported is in the document, and no writer reports an entry that is not.
 */
import { describe, expect, it } from 'vitest';
import { AbortedError, OperationTimeoutError } from '../../../src/errors/base.js';
import { RegistryError } from '../../../src/errors/registry.js';
import { SigningError } from '../../../src/errors/verify.js';
import {
  type ConvergenceTiming,
  type ConvergentAddResult,
  convergentAdd,
} from '../../../src/internal/convergent-add.js';
import { Register, seededRandom, VirtualClock } from '../../helpers/lww-sim.js';

/** Small pauses so scripted timelines stay readable: first pause 7.5, confirming pause 112.5. */
const TIMING: Partial<ConvergenceTiming> = { backoffBaseMs: 10, confirmPauseMs: 100, latencyFactor: 1 };
const half = () => 0.5;

interface Writer {
  name: string;
  start?: number;
  readMs?: (call: number) => number;
  writeMs?: (call: number) => number;
}

type Outcome = { ok: ConvergentAddResult<string>; at: number } | { error: unknown };

async function race(
  writers: Writer[],
  options: { initial?: string[]; random?: () => number; timing?: Partial<ConvergenceTiming> } = {},
): Promise<{ register: Register<string>; outcomes: Map<string, Outcome>; clock: VirtualClock }> {
  const clock = new VirtualClock();
  const register = new Register<string>(clock);
  if (options.initial !== undefined) register.value = options.initial;
  const outcomes = new Map<string, Outcome>();
  const random = options.random ?? half;
  for (const w of writers) {
    const store = register.storeFor(w.name, {
      ...(w.readMs === undefined ? {} : { readMs: w.readMs }),
      ...(w.writeMs === undefined ? {} : { writeMs: w.writeMs }),
    });
    void clock
      .after(w.start ?? 0)
      .then(() =>
        convergentAdd({
          store,
          entry: w.name,
          key: (e) => e,
          what: 'the document',
          entryName: w.name,
          timing: clock.timing(random, { ...TIMING, ...options.timing }),
        }),
      )
      .then(
        (ok) => outcomes.set(w.name, { ok, at: clock.now }),
        (error: unknown) => outcomes.set(w.name, { error }),
      );
  }
  await clock.run();
  return { register, outcomes, clock };
}

function reported(outcomes: Map<string, Outcome>): string[] {
  return [...outcomes].flatMap(([name, o]) => ('ok' in o ? [name] : []));
}

describe('convergentAdd: scripted interleavings', () => {
  it('a writer that read before us and writes after our first confirmation cannot erase our entry', async () => {
    // a and s both read the empty document at t=1; a's write lands at 2, s's (slow) at 81, after
    // a's first confirming read (t≈10.5). a's second read comes 112.5 later, sees the loss, re-adds.
    const { register, outcomes } = await race([
      { name: 'a' },
      { name: 's', writeMs: (n) => (n === 0 ? 80 : 1) },
    ]);
    const erased = register.history.find((w) => w.by === 's' && !w.value.includes('a'));
    expect(erased?.at).toBe(81);
    expect(reported(outcomes).sort()).toEqual(['a', 's']);
    expect([...(register.value ?? [])].sort()).toEqual(['a', 's']);
    const a = outcomes.get('a') as { ok: ConvergentAddResult<string> };
    expect(a.ok.writes).toBe(2);
  });

  it('an entry removed for a moment and re-added is still restored after a third writer read the gap', async () => {
    // a confirms {a} at ~10.5 and {a,v} at ~124 and returns. Meanwhile c (read {} at 1) erased it
    // at 51, v (read {a} at 6) put it back at 66, and w (read {c} at 56, inside the gap) writes
    // {c,w} at 146 — after a returned. v, still confirming, sees its set incomplete and re-adds a.
    const { register, outcomes } = await race([
      { name: 'a' },
      { name: 'c', writeMs: (n) => (n === 0 ? 50 : 1) },
      { name: 'v', start: 5, writeMs: (n) => (n === 0 ? 60 : 1) },
      { name: 'w', start: 55, writeMs: (n) => (n === 0 ? 90 : 1) },
    ]);
    const a = outcomes.get('a') as { at: number };
    const lateErasure = register.history.find((w) => w.at > a.at && !w.value.includes('a'));
    expect(lateErasure).toMatchObject({ by: 'w', at: 146 });
    expect(reported(outcomes).sort()).toEqual(['a', 'c', 'v', 'w']);
    expect([...(register.value ?? [])].sort()).toEqual(['a', 'c', 'v', 'w']);
  });

  it('documents assumption (c): a writer slower than the confirming pause can erase a confirmed entry', async () => {
    const { register, outcomes } = await race([
      { name: 'a' },
      { name: 's', writeMs: (n) => (n === 0 ? 300 : 1) },
    ]);
    expect(reported(outcomes).sort()).toEqual(['a', 's']);
    expect(register.value).toEqual(['s']);
  });

  it('never removes entries that were there, and appends after them', async () => {
    const { register } = await race([{ name: 'a' }], { initial: ['x', 'y'] });
    expect(register.value).toEqual(['x', 'y', 'a']);
  });

  it('confirms a duplicate instead of writing, and restores it if it vanishes meanwhile', async () => {
    const clock = new VirtualClock();
    const register = new Register<string>(clock);
    register.value = ['old:same'];
    const store = register.storeFor('d');
    let reads = 0;
    const result = convergentAdd({
      store: {
        read: async () => {
          // Someone else's stale write erases the duplicate right after our first read.
          if (reads++ === 1) register.value = [];
          return store.read();
        },
        write: store.write,
      },
      entry: 'new:same',
      key: (e) => e,
      what: 'the document',
      entryName: 'new',
      duplicateIn: (entries) => entries.find((e) => e.endsWith(':same')),
      timing: clock.timing(half, TIMING),
    });
    await clock.run();
    await expect(result).resolves.toMatchObject({ duplicate: 'old:same', writes: 1 });
    expect(register.value).toEqual(['old:same']);
  });
});

describe('convergentAdd: seeded random schedules', () => {
  it('keeps every reported entry when every write lands within the confirming pause (400 schedules)', async () => {
    let contended = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const random = seededRandom(seed);
      const writers: Writer[] = Array.from({ length: 6 }, (_, i) => ({
        name: `w${i}`,
        start: Math.floor(random() * 60),
        readMs: () => 1 + Math.floor(random() * 10),
        writeMs: () => 1 + Math.floor(random() * 85),
      }));
      const { register, outcomes } = await race(writers, { initial: ['pre'], random });
      const final = new Set(register.value);
      const names = reported(outcomes);
      expect({ seed, names: names.length, missing: [...names, 'pre'].filter((n) => !final.has(n)) }).toEqual({
        seed,
        names: 6,
        missing: [],
      });
      // A lost update happened: some write dropped an entry the document held just before it.
      if (
        register.history.some(
          (w, i) => i > 0 && register.history[i - 1]?.value.some((e) => !w.value.includes(e)),
        )
      )
        contended++;
    }
    // The schedules do race: in many, some write dropped an entry another writer had added.
    expect(contended).toBeGreaterThan(100);
  });
});

describe('convergentAdd: faults', () => {
  const transient = () => new RegistryError('REGISTRY_UNREACHABLE', 'connection reset', { status: 0 });
  const retryable = (e: unknown) => e instanceof RegistryError && e.code === 'REGISTRY_UNREACHABLE';

  async function single(
    store: {
      read: () => Promise<readonly string[] | undefined>;
      write: (e: readonly string[]) => Promise<void>;
    },
    clock: VirtualClock,
    timing: Partial<ConvergenceTiming> = {},
  ): Promise<unknown> {
    const result = convergentAdd({
      store,
      entry: 'a',
      key: (e) => e,
      what: 'the fallback tag repo:sha256-x',
      entryName: 'referrer a',
      retryableWrite: retryable,
      timing: clock.timing(half, { ...TIMING, ...timing }),
    }).catch((error: unknown) => ({ error }));
    await clock.run();
    return result;
  }

  it('a PUT that lands and then reports a dropped connection: converges', async () => {
    const clock = new VirtualClock();
    const register = new Register<string>(clock);
    const store = register.storeFor('a');
    let writes = 0;
    const result = await single(
      {
        read: store.read,
        write: async (e) => {
          await store.write(e);
          if (writes++ === 0) throw transient();
        },
      },
      clock,
    );
    expect(result).toMatchObject({ writes: 1, entries: ['a'] });
    expect(register.value).toEqual(['a']);
  });

  it('a PUT that fails before landing: writes again and converges', async () => {
    const clock = new VirtualClock();
    const register = new Register<string>(clock);
    register.value = ['x'];
    const store = register.storeFor('a');
    let writes = 0;
    const result = await single(
      {
        read: store.read,
        write: async (e) => {
          if (writes++ === 0) throw transient();
          await store.write(e);
        },
      },
      clock,
    );
    expect(result).toMatchObject({ writes: 2, entries: ['x', 'a'] });
  });

  it('a PUT refused for good: that error, not a success', async () => {
    const clock = new VirtualClock();
    const denied = new RegistryError('REGISTRY_AUTH', 'denied', { status: 403 });
    const result = await single(
      {
        read: async () => undefined,
        write: async () => {
          throw denied;
        },
      },
      clock,
    );
    expect(result).toEqual({ error: denied });
  });

  it('reads that return an older document: re-adds what it lacks and converges', async () => {
    const clock = new VirtualClock();
    const register = new Register<string>(clock);
    register.value = ['x'];
    const store = register.storeFor('a');
    let reads = 0;
    const result = await single(
      {
        // The second and third reads come from a lagging replica: the document before our write, and
        // an even older one without x.
        read: async () => {
          const n = reads++;
          const value = await store.read();
          return n === 1 ? ['x'] : n === 2 ? [] : value;
        },
        write: store.write,
      },
      clock,
    );
    expect(result).toMatchObject({ entries: ['x', 'a'] });
    expect(register.value).toEqual(['x', 'a']);
  });

  it('a document that never keeps the entry: SigningError naming it after the write bound', async () => {
    const clock = new VirtualClock();
    const register = new Register<string>(clock);
    const store = register.storeFor('a');
    const result = await single(
      { read: async () => store.read().then(() => []), write: store.write },
      clock,
      {
        maxWrites: 5,
      },
    );
    const error = (result as { error: unknown }).error;
    expect(error).toBeInstanceOf(SigningError);
    expect((error as Error).message).toMatch(/referrer a in the fallback tag repo:sha256-x: 5 writes/);
    expect(register.history).toHaveLength(5);
  });

  it('and after the time bound', async () => {
    const clock = new VirtualClock();
    const register = new Register<string>(clock);
    const store = register.storeFor('a');
    const result = await single(
      { read: async () => store.read().then(() => []), write: store.write },
      clock,
      {
        budgetMs: 200,
      },
    );
    const error = (result as { error: unknown }).error;
    expect(error).toBeInstanceOf(SigningError);
    expect((error as Error).message).toMatch(/not confirmed within 200 ms/);
    expect(clock.now).toBeLessThanOrEqual(200);
  });
});

describe('convergentAdd: aborts', () => {
  const immediate = () => {
    let value: readonly string[] | undefined;
    return {
      read: async () => value,
      write: async (e: readonly string[]) => {
        value = e;
      },
    };
  };

  it('an abort during the confirming pause rejects at once with AbortedError (cause: the reason)', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = convergentAdd({
      store: immediate(),
      entry: 'a',
      key: (e) => e,
      what: 'the document',
      entryName: 'a',
      signal: controller.signal,
      timing: { confirmPauseMs: 10_000, backoffBaseMs: 1 },
    });
    setTimeout(() => controller.abort('stop'), 30);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as Error).cause).toBe('stop');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a timeout signal is an OperationTimeoutError', async () => {
    const error = await convergentAdd({
      store: immediate(),
      entry: 'a',
      key: (e) => e,
      what: 'the document',
      entryName: 'a',
      signal: AbortSignal.timeout(30),
      timing: { confirmPauseMs: 10_000, backoffBaseMs: 1 },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationTimeoutError);
    expect(((error as Error).cause as Error).name).toBe('TimeoutError');
  });

  it('a store that rejects with the bare reason on abort still surfaces a typed error', async () => {
    const controller = new AbortController();
    const pending = convergentAdd({
      store: {
        read: () =>
          new Promise<readonly string[] | undefined>((_, reject) =>
            controller.signal.addEventListener('abort', () => reject(controller.signal.reason)),
          ),
        write: async () => {},
      },
      entry: 'a',
      key: (e) => e,
      what: 'the document',
      entryName: 'a',
      signal: controller.signal,
    }).catch((e: unknown) => e);
    controller.abort();
    expect(await pending).toBeInstanceOf(AbortedError);
  });
});
