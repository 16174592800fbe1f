/**
 * Faults a test can make the Fulcio double show, for clients' error paths: unavailable (503, as a
 * load balancer in front of a stopped Fulcio answers), hanging (no answer until the client gives
 * up), garbage (200 with a body that is not Fulcio's JSON), and two lies a client must catch
 * itself — a certificate whose SCT does not verify, and a certificate for a key other than the one
 * the client proved. A fault lasts for a number of requests, or until cleared.
 *
 * Deliberately not here: how each fault is answered (`fulcio-api.ts`).
 */
import { InvalidArgumentError } from '../../../errors/base.js';

/** The faults of the Fulcio double. */
export const FULCIO_FAULTS = ['unavailable', 'hang', 'garbage', 'invalid-sct', 'wrong-key'] as const;

/** One of {@link FULCIO_FAULTS}. */
export type FulcioFault = (typeof FULCIO_FAULTS)[number];

/** Faults `unavailable`, `hang` and `garbage` hit every Fulcio path; the others only `signingCert`. */
export const WHOLE_SERVICE_FAULTS: readonly FulcioFault[] = ['unavailable', 'hang', 'garbage'];

/** How a test injects faults. */
export interface FulcioFaults {
  /**
   * From now on, requests the fault applies to get `fault`: the next `times` of them (default:
   * every one until {@link clear}). Replaces any fault set before.
   */
  inject(fault: FulcioFault, options?: { readonly times?: number }): void;
  /** Answers normally again. */
  clear(): void;
  /** The fault in force, if any. */
  readonly active: FulcioFault | undefined;
}

/** The double's side of {@link FulcioFaults}: which fault, if any, a request gets. */
export interface FaultState extends FulcioFaults {
  /** The fault for a request to `signingCert` (true) or another path (false), counting it down. */
  take(signingCert: boolean): FulcioFault | undefined;
}

/** A fresh fault state: no fault. */
export function createFaults(): FaultState {
  let fault: FulcioFault | undefined;
  let remaining = Number.POSITIVE_INFINITY;
  return {
    inject(next, options = {}) {
      if (!FULCIO_FAULTS.includes(next))
        throw new InvalidArgumentError(`unknown Fulcio fault: ${String(next)}`);
      const times = options.times ?? Number.POSITIVE_INFINITY;
      if (!(times >= 1)) throw new InvalidArgumentError('faults.inject: times must be at least 1');
      fault = next;
      remaining = times;
    },
    clear() {
      fault = undefined;
    },
    get active() {
      return fault;
    },
    take(signingCert) {
      if (fault === undefined || (!signingCert && !WHOLE_SERVICE_FAULTS.includes(fault))) return undefined;
      const taken = fault;
      remaining--;
      if (remaining <= 0) fault = undefined;
      return taken;
    },
  };
}
