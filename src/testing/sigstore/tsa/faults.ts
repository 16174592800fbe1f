/**
 * The faults a test can make the TSA double show: down (503), slow, hanging until the client gives
 * up, answering garbage with a 200, or signing a valid timestamp over the wrong imprint (what a
 * client that does not compare the imprint with its own digest would accept). Each lasts for a
 * number of requests or until cleared.
 *
 * Deliberately not here: what a fault's answer looks like on the wire (`tsa-api.ts`).
 */
import { InvalidArgumentError } from '../../../errors/base.js';

/** A fault of the TSA double. */
export type TsaFaultKind = 'unavailable' | 'slow' | 'hang' | 'garbage' | 'wrong-imprint';

/** How long a fault lasts, and for `slow`, how slow. */
export interface TsaFaultOptions {
  /** Requests the fault applies to (default: all, until {@link TsaFaults.clear}). */
  readonly times?: number;
  /** For `slow`: the delay before the (correct) answer, in milliseconds (default 1000). */
  readonly delayMs?: number;
}

/** The fault switch a test holds. */
export interface TsaFaults {
  /**
   * Applies `kind` from the next request on: `unavailable` answers 503; `slow` answers correctly
   * after `delayMs`; `hang` never answers (until the client aborts, or {@link TsaFaults.clear}
   * lets it through); `garbage` answers 200 with bytes that are no timestamp (or no PEM, for the
   * chain); `wrong-imprint` answers a well-signed timestamp over another digest (timestamp
   * requests only). Replaces any fault set before.
   */
  inject(kind: TsaFaultKind, options?: TsaFaultOptions): void;
  /** Back to correct answers; requests held by `hang` are answered now. */
  clear(): void;
  /** The fault in force, if any. */
  readonly active: TsaFaultKind | undefined;
}

/** The fault one request meets. */
export interface AppliedFault {
  readonly kind: TsaFaultKind;
  readonly delayMs: number;
}

/** The switch and the side the handler reads. */
export interface FaultState {
  readonly faults: TsaFaults;
  /** The fault this request meets (counting it against `times`); `forTimestamp` false for the chain. */
  take(forTimestamp: boolean): AppliedFault | undefined;
  /** A promise that settles when the fault is cleared (what `hang` waits on). */
  released(): Promise<void>;
}

const KINDS: readonly TsaFaultKind[] = ['unavailable', 'slow', 'hang', 'garbage', 'wrong-imprint'];
const DEFAULT_DELAY_MS = 1000;

function checkCount(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0))
    throw new InvalidArgumentError(`${name} must be a non-negative integer`);
}

/** A fresh switch with no fault in force. */
export function createFaultState(): FaultState {
  let current: { kind: TsaFaultKind; delayMs: number; left: number } | undefined;
  let waiting: (() => void)[] = [];
  const faults: TsaFaults = {
    inject(kind, options = {}) {
      if (!KINDS.includes(kind)) throw new InvalidArgumentError(`unknown TSA fault "${String(kind)}"`);
      checkCount(options.times, 'times');
      checkCount(options.delayMs, 'delayMs');
      current = {
        kind,
        delayMs: options.delayMs ?? DEFAULT_DELAY_MS,
        left: options.times ?? Number.POSITIVE_INFINITY,
      };
    },
    clear() {
      current = undefined;
      const released = waiting;
      waiting = [];
      for (const release of released) release();
    },
    get active() {
      return current?.kind;
    },
  };
  return {
    faults,
    take(forTimestamp) {
      if (current === undefined || current.left <= 0) return undefined;
      if (current.kind === 'wrong-imprint' && !forTimestamp) return undefined;
      current.left--;
      const applied = { kind: current.kind, delayMs: current.delayMs };
      if (current.left <= 0) current = undefined;
      return applied;
    },
    released: () => new Promise<void>((resolve) => waiting.push(resolve)),
  };
}
