/**
 * Faults a test can make the Rekor double show, to exercise a client's failure paths: the log down
 * (503), hanging until the client gives up, slow, answering garbage, or answering with evidence
 * that must not verify — a wrong SET (Rekor v1), an inclusion proof that does not lead to its root,
 * a checkpoint signed by another key — or losing its answer (`lostAnswer`: the entry is logged, the
 * client gets 503, as when a connection breaks after the log committed). A fault lasts until `clear()` or for the
 * next `times` requests, on both APIs or the one named. Requests that meet `unavailable`, `hang`
 * or `garbage` are not processed (nothing is logged); the tampering faults log the entry and lie
 * about it. Deliberately not here: network-level faults (resets, TLS), which the loopback server
 * does not model.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { createFaultController, type FaultController, type FaultSwitch, type MetFault } from '../faults.js';
import type { ServiceResponse } from '../service.js';

/** What a fault does; see the module documentation. */
export type RekorFaultKind =
  | 'unavailable'
  | 'hang'
  | 'slow'
  | 'garbage'
  | 'wrongSet'
  | 'wrongProof'
  | 'wrongCheckpoint'
  | 'lostAnswer';

const REKOR_FAULT_KINDS: readonly RekorFaultKind[] = [
  'unavailable',
  'hang',
  'slow',
  'garbage',
  'wrongSet',
  'wrongProof',
  'wrongCheckpoint',
  'lostAnswer',
];

/** The faults that alter the evidence of an answer rather than the answer itself. */
export type EvidenceTampering = 'wrongSet' | 'wrongProof' | 'wrongCheckpoint';

/** Options of `inject` on {@link RekorFaults}. */
export interface RekorFaultOptions {
  /** How many requests meet the fault; default: all until `clear()`. */
  readonly times?: number;
  /** Only requests to this API meet it; default: both. */
  readonly api?: 'v1' | 'v2';
  /** `slow` only: how long each answer is held back, in milliseconds (default 1000). */
  readonly delayMs?: number;
}

/** The fault controls of a Rekor double: `clear()` answers requests that hang with 503. */
export type RekorFaults = FaultSwitch<RekorFaultKind, RekorFaultOptions>;

/** The Rekor double's side of its {@link RekorFaults}. */
export type RekorFaultController = FaultController<RekorFaultKind, RekorFaultOptions>;

/** A fault met by one request. */
export type RekorMetFault = MetFault<RekorFaultKind>;

/** A fresh controller with no fault in force. */
export function createRekorFaults(): RekorFaultController {
  return createFaultController<RekorFaultKind, RekorFaultOptions>('Rekor', REKOR_FAULT_KINDS);
}

/** The fault a request to `api` meets now (counting it), if one is in force for that API. */
export function meetFault(controller: RekorFaultController, api: 'v1' | 'v2'): RekorMetFault | undefined {
  return controller.meet(({ options }) => options.api === undefined || options.api === api);
}

const UNAVAILABLE: ServiceResponse = {
  status: 503,
  headers: { 'content-type': 'text/plain' },
  body: 'service unavailable\n',
};

/** The answer the client gets: `answer`, or 503 when the met fault is `lostAnswer`. */
export function deliverAnswer(met: RekorMetFault | undefined, answer: ServiceResponse | undefined) {
  return met?.kind === 'lostAnswer' && answer !== undefined ? UNAVAILABLE : answer;
}

/** What a garbage answer carries: neither JSON nor anything else a client can read. */
const GARBAGE = '\u0000\u00ff<<not json {"';

/**
 * The answer a met fault forces, if any: 503 for `unavailable` (and for `hang` once cleared),
 * bytes that parse as nothing with the success status for `garbage`; after `slow`'s delay, and for
 * the tampering faults, undefined (the request goes on).
 */
export async function answerFault(
  controller: RekorFaultController,
  met: RekorMetFault | undefined,
  successStatus: number,
): Promise<ServiceResponse | undefined> {
  if (met === undefined) return undefined;
  const unavailable = UNAVAILABLE;
  switch (met.kind) {
    case 'unavailable':
      return unavailable;
    case 'hang':
      await controller.released();
      return unavailable;
    case 'garbage':
      return { status: successStatus, headers: { 'content-type': 'application/json' }, body: GARBAGE };
    case 'slow':
      await delay(met.delayMs);
      return undefined;
    default:
      return undefined;
  }
}

/** The evidence a met fault tampers with, if it is one of the tampering faults. */
export function tamperingOf(met: RekorMetFault | undefined): EvidenceTampering | undefined {
  const kind = met?.kind;
  return kind === 'wrongSet' || kind === 'wrongProof' || kind === 'wrongCheckpoint' ? kind : undefined;
}
