/**
 * Faults a test can make the Fulcio double show, for clients' error paths: unavailable (503, as a
 * load balancer in front of a stopped Fulcio answers), hanging (no answer until the client gives
 * up, or the fault is cleared), garbage (200 with a body that is not Fulcio's JSON), and two lies a
 * client must catch itself — a certificate whose SCT does not verify, and a certificate for a key
 * other than the one the client proved. A fault lasts for a number of requests, or until cleared
 * (the switch itself is `../faults.ts`).
 *
 * Deliberately not here: how each fault is answered (`fulcio-api.ts`).
 */
import { createFaultController, type FaultController, type FaultSwitch } from '../faults.js';

/** The faults of the Fulcio double. */
export const FULCIO_FAULTS = ['unavailable', 'hang', 'garbage', 'invalid-sct', 'wrong-key'] as const;

/** One of {@link FULCIO_FAULTS}. */
export type FulcioFault = (typeof FULCIO_FAULTS)[number];

/** Faults `unavailable`, `hang` and `garbage` hit every Fulcio path; the others only `signingCert`. */
export const WHOLE_SERVICE_FAULTS: readonly FulcioFault[] = ['unavailable', 'hang', 'garbage'];

/**
 * How a test injects faults: `inject(fault, { times })` applies `fault` to the next `times`
 * requests it concerns (default: every one until `clear()`), replacing any fault set before;
 * `clear()` answers normally again, releasing requests held by `hang`.
 */
export type FulcioFaults = FaultSwitch<FulcioFault, { readonly times?: number }>;

/** The double's side of {@link FulcioFaults}. */
export type FulcioFaultController = FaultController<FulcioFault, { readonly times?: number }>;

/** A fresh controller: no fault. */
export function createFulcioFaults(): FulcioFaultController {
  return createFaultController<FulcioFault, { readonly times?: number }>('Fulcio', FULCIO_FAULTS);
}

/** The fault a request to `signingCert` (true) or another path (false) meets now, counting it down. */
export function meetFault(controller: FulcioFaultController, signingCert: boolean): FulcioFault | undefined {
  return controller.meet(({ kind }) => signingCert || WHOLE_SERVICE_FAULTS.includes(kind))?.kind;
}
