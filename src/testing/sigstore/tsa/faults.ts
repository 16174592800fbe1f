/**
 * The faults a test can make the TSA double show: down (503), slow, hanging until the client gives
 * up, answering garbage with a 200, or signing a valid timestamp over the wrong imprint (what a
 * client that does not compare the imprint with its own digest would accept). Each lasts for a
 * number of requests or until cleared (the switch itself is `../faults.ts`).
 *
 * Deliberately not here: what a fault's answer looks like on the wire (`tsa-api.ts`).
 */
import { createFaultController, type FaultController, type FaultSwitch, type MetFault } from '../faults.js';

/** A fault of the TSA double. */
export type TsaFaultKind = 'unavailable' | 'slow' | 'hang' | 'garbage' | 'wrong-imprint';

const KINDS: readonly TsaFaultKind[] = ['unavailable', 'slow', 'hang', 'garbage', 'wrong-imprint'];

/** How long a fault lasts, and for `slow`, how slow. */
export interface TsaFaultOptions {
  /** Requests the fault applies to (default: all, until `clear()`). */
  readonly times?: number;
  /** For `slow`: the delay before the (correct) answer, in milliseconds (default 1000). */
  readonly delayMs?: number;
}

/**
 * The fault switch a test holds. `inject(kind)` applies `kind` from the next request on:
 * `unavailable` answers 503; `slow` answers correctly after `delayMs`; `hang` never answers (until
 * the client aborts, or `clear()` lets it through, answered correctly); `garbage` answers 200 with
 * bytes that are no timestamp (or no PEM, for the chain); `wrong-imprint` answers a well-signed
 * timestamp over another digest (timestamp requests only).
 */
export type TsaFaults = FaultSwitch<TsaFaultKind, TsaFaultOptions>;

/** The TSA double's side of {@link TsaFaults}. */
export type TsaFaultController = FaultController<TsaFaultKind, TsaFaultOptions>;

/** A fresh controller with no fault in force. */
export function createTsaFaults(): TsaFaultController {
  return createFaultController<TsaFaultKind, TsaFaultOptions>('TSA', KINDS);
}

/** The fault this request meets (counting it against `times`); `forTimestamp` false for the chain. */
export function meetFault(
  controller: TsaFaultController,
  forTimestamp: boolean,
): MetFault<TsaFaultKind> | undefined {
  return controller.meet(({ kind }) => forTimestamp || kind !== 'wrong-imprint');
}
