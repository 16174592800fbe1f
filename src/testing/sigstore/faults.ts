/**
 * The fault switch every Sigstore service double shares: a test injects one fault by kind, for the
 * next `times` requests it applies to (or until cleared); a new fault replaces the old; the
 * handler asks, per request, which fault it meets (counting it down); a request held by a hang
 * waits until {@link FaultSwitch.clear}. The options are checked here, once for every service.
 *
 * Deliberately not here: the kinds themselves and what each means on a service's wire (a 503, a
 * body that parses as nothing, a wrong SET or imprint), which are each service's own (the
 * `faults.ts` of `rekor/`, `fulcio/` and `tsa/`).
 */
import { InvalidArgumentError } from '../../errors/base.js';

/** What every injection may say; a service may add options of its own. */
export interface FaultOptions {
  /** How many requests meet the fault; default: every one until {@link FaultSwitch.clear}. */
  readonly times?: number;
  /** For a service's `slow` fault: how long each answer is held back, in milliseconds (default 1000). */
  readonly delayMs?: number;
}

/** The switch a test holds, typed by the service's kinds and options. */
export interface FaultSwitch<Kind extends string, Options extends FaultOptions = FaultOptions> {
  /** From now on, requests the fault applies to meet `kind`; replaces any fault injected before. */
  inject(kind: Kind, options?: Options): void;
  /** Ends the fault; requests held by a hang are released. */
  clear(): void;
  /** The fault in force, if any. */
  readonly active: Kind | undefined;
}

/** The fault in force, as a handler sees it before meeting it. */
export interface InjectedFault<Kind extends string, Options extends FaultOptions = FaultOptions> {
  readonly kind: Kind;
  /** The options the test injected it with, as given. */
  readonly options: Options;
}

/** A fault one request met. */
export interface MetFault<Kind extends string> {
  readonly kind: Kind;
  /** The injected `delayMs`, or the default. */
  readonly delayMs: number;
}

/** The service's side of a {@link FaultSwitch}. */
export interface FaultController<Kind extends string, Options extends FaultOptions = FaultOptions> {
  /** The switch to hand to the test: only inject, clear and active. */
  readonly switch: FaultSwitch<Kind, Options>;
  /**
   * The fault this request meets now, counting it against `times`; undefined when none is in
   * force or `appliesTo` says the one in force does not touch this request.
   */
  meet(appliesTo?: (fault: InjectedFault<Kind, Options>) => boolean): MetFault<Kind> | undefined;
  /** Settles when the fault is cleared: what a hanging request waits on (no timer keeps the process up). */
  released(): Promise<void>;
}

/** `slow` holds an answer back this long unless the test says otherwise: long enough to notice. */
const DEFAULT_DELAY_MS = 1000;

function checkOptions(options: FaultOptions): void {
  const { times, delayMs } = options;
  if (times !== undefined && !(Number.isSafeInteger(times) && times >= 1))
    throw new InvalidArgumentError('faults.inject: times must be a positive integer');
  if (delayMs !== undefined && !(Number.isFinite(delayMs) && delayMs >= 0))
    throw new InvalidArgumentError('faults.inject: delayMs must be a non-negative number of milliseconds');
}

/**
 * A fresh controller for a service named `service` (in messages) whose faults are `kinds`, with
 * no fault in force. Injecting a kind not in `kinds`, or bad options, throws InvalidArgumentError.
 */
export function createFaultController<Kind extends string, Options extends FaultOptions = FaultOptions>(
  service: string,
  kinds: readonly Kind[],
): FaultController<Kind, Options> {
  let current: { fault: InjectedFault<Kind, Options>; remaining: number } | undefined;
  let held: (() => void)[] = [];
  const faultSwitch: FaultSwitch<Kind, Options> = {
    inject(kind, options = {} as Options) {
      if (!kinds.includes(kind)) throw new InvalidArgumentError(`unknown ${service} fault: ${String(kind)}`);
      checkOptions(options);
      current = { fault: { kind, options }, remaining: options.times ?? Number.POSITIVE_INFINITY };
    },
    clear() {
      current = undefined;
      const release = held;
      held = [];
      for (const resolve of release) resolve();
    },
    get active() {
      return current?.fault.kind;
    },
  };
  return {
    switch: faultSwitch,
    meet(appliesTo = () => true) {
      const now = current;
      if (now === undefined || !appliesTo(now.fault)) return undefined;
      now.remaining -= 1;
      if (now.remaining <= 0) current = undefined;
      return { kind: now.fault.kind, delayMs: now.fault.options.delayMs ?? DEFAULT_DELAY_MS };
    },
    released: () => new Promise<void>((resolve) => held.push(resolve)),
  };
}
