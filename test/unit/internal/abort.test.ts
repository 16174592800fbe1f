/** Aborts as typed errors: abortError, sleep, untilAborted and work shared by several callers. */
import { describe, expect, it } from 'vitest';
import { AbortedError, OcisignError, OperationTimeoutError } from '../../../src/errors/index.js';
import { abortError, SharedWork, sleep, untilAborted } from '../../../src/internal/abort.js';

describe('abortError', () => {
  it('is a timeout for AbortSignal.timeout, an abort otherwise, with the reason as cause', async () => {
    const timed = AbortSignal.timeout(1);
    await new Promise((r) => setTimeout(r, 20));
    const timeout = abortError(timed, 'Reading x');
    expect(timeout).toBeInstanceOf(OperationTimeoutError);
    expect(timeout.message).toBe('Reading x timed out');
    expect(timeout.cause).toBe(timed.reason);

    const controller = new AbortController();
    const reason = new Error('user pressed ctrl-c');
    controller.abort(reason);
    const aborted = abortError(controller.signal);
    expect(aborted).toBeInstanceOf(AbortedError);
    expect(aborted.code).toBe('ABORTED');
    expect(aborted.cause).toBe(reason);
  });

  it('passes an ocisign error given as the reason through unchanged', () => {
    const controller = new AbortController();
    const ours = new OperationTimeoutError('deadline of the admission review');
    controller.abort(ours);
    expect(abortError(controller.signal)).toBe(ours);
  });
});

describe('sleep and untilAborted', () => {
  it('sleep rejects with a typed error as soon as the signal fires', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pause = sleep(10_000, controller.signal);
    setTimeout(() => controller.abort(), 10);
    await expect(pause).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('untilAborted types the bare reason of work that heard the abort first', async () => {
    const controller = new AbortController();
    const careless = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason)),
    );
    const waiting = untilAborted(careless, controller.signal, 'Signing');
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
  });

  it('untilAborted stops waiting on work that ignores the signal', async () => {
    const controller = new AbortController();
    const never = new Promise<never>(() => {});
    const waiting = untilAborted(never, controller.signal, 'Calling the hook');
    controller.abort();
    await expect(waiting).rejects.toThrow('Calling the hook was aborted');
  });
});

describe('SharedWork', () => {
  function hangingWork() {
    const seen: { signal?: AbortSignal } = {};
    const work = new SharedWork<string>(
      (signal) =>
        new Promise((resolve, reject) => {
          seen.signal = signal;
          signal.addEventListener('abort', () => reject(signal.reason));
          setTimeout(() => resolve('done'), 200);
        }),
    );
    return { work, seen };
  }

  it('one caller aborting does not cancel the work for the others', async () => {
    const { work, seen } = hangingWork();
    const first = new AbortController();
    const a = work.join(first.signal);
    const b = work.join(new AbortController().signal);
    first.abort();
    await expect(a).rejects.toBeInstanceOf(OcisignError);
    expect(seen.signal?.aborted).toBe(false);
    await expect(b).resolves.toBe('done');
  });

  it('the work is cancelled once every waiting caller has aborted', async () => {
    const { work, seen } = hangingWork();
    const first = new AbortController();
    const second = new AbortController();
    const a = work.join(first.signal);
    const b = work.join(second.signal);
    first.abort();
    await expect(a).rejects.toBeInstanceOf(AbortedError);
    second.abort();
    await expect(b).rejects.toBeInstanceOf(AbortedError);
    expect(seen.signal?.aborted).toBe(true);
    await expect(work.outcome).rejects.toBeDefined();
  });

  it('a caller without a signal keeps the work alive', async () => {
    const { work, seen } = hangingWork();
    const forever = work.join(undefined);
    const controller = new AbortController();
    const a = work.join(controller.signal);
    controller.abort();
    await expect(a).rejects.toBeInstanceOf(AbortedError);
    expect(seen.signal?.aborted).toBe(false);
    await expect(forever).resolves.toBe('done');
  });
});
