/**
 * Faults a test can make the Rekor double show, to exercise a client's failure paths: the log down
 * (503), hanging until the client gives up, slow, answering garbage, or answering with evidence
 * that must not verify — a wrong SET (Rekor v1), an inclusion proof that does not lead to its root,
 * a checkpoint signed by another key. A fault lasts until {@link RekorFaults.clear} or for the
 * next `times` requests, on both APIs or the one named. Requests that meet `unavailable`, `hang`
 * or `garbage` are not processed (nothing is logged); the tampering faults log the entry and lie
 * about it. Deliberately not here: network-level faults (resets, TLS), which the loopback server
 * does not model.
 */
import type { ServiceResponse } from '../service.js';

/** What a fault does; see the module documentation. */
export type RekorFaultKind =
  | 'unavailable'
  | 'hang'
  | 'slow'
  | 'garbage'
  | 'wrongSet'
  | 'wrongProof'
  | 'wrongCheckpoint';

/** The faults that alter the evidence of an answer rather than the answer itself. */
export type EvidenceTampering = 'wrongSet' | 'wrongProof' | 'wrongCheckpoint';

/** Options of {@link RekorFaults.inject}. */
export interface RekorFaultOptions {
  /** How many requests meet the fault; default: all until {@link RekorFaults.clear}. */
  readonly times?: number;
  /** Only requests to this API meet it; default: both. */
  readonly api?: 'v1' | 'v2';
  /** `slow` only: how long each answer is held back, in milliseconds (default 1000). */
  readonly delayMs?: number;
}

/** The fault controls of a Rekor double. */
export interface RekorFaults {
  /** From now on, requests meet `kind` (replacing any fault injected before). */
  inject(kind: RekorFaultKind, options?: RekorFaultOptions): void;
  /** Ends the fault; requests that hang are answered 503. */
  clear(): void;
  /** The fault in force, if any. */
  readonly active: RekorFaultKind | undefined;
}

/** A fault met by one request. */
export interface MetFault {
  readonly kind: RekorFaultKind;
  readonly delayMs: number;
}

const DEFAULT_DELAY_MS = 1000;

/** The controller behind {@link RekorFaults}: the handlers ask it, per request, which fault they meet. */
export class FaultController implements RekorFaults {
  #fault:
    | { kind: RekorFaultKind; remaining: number; api: 'v1' | 'v2' | undefined; delayMs: number }
    | undefined;
  #hanging: (() => void)[] = [];

  get active(): RekorFaultKind | undefined {
    return this.#fault?.kind;
  }

  inject(kind: RekorFaultKind, options: RekorFaultOptions = {}): void {
    const times = options.times ?? Number.POSITIVE_INFINITY;
    if (!(times > 0)) throw new RangeError('times must be a positive number');
    this.#fault = { kind, remaining: times, api: options.api, delayMs: options.delayMs ?? DEFAULT_DELAY_MS };
  }

  clear(): void {
    this.#fault = undefined;
    const hanging = this.#hanging;
    this.#hanging = [];
    for (const release of hanging) release();
  }

  /** The fault a request to `api` meets now, counting it against `times`. */
  meet(api: 'v1' | 'v2'): MetFault | undefined {
    const fault = this.#fault;
    if (fault === undefined || (fault.api !== undefined && fault.api !== api)) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#fault = undefined;
    return { kind: fault.kind, delayMs: fault.delayMs };
  }

  /** Resolves when the fault is cleared (a hanging request's wait; no timer keeps the process up). */
  released(): Promise<void> {
    return new Promise((resolve) => this.#hanging.push(resolve));
  }
}

/** What a garbage answer carries: neither JSON nor anything else a client can read. */
const GARBAGE = '\u0000\u00ff<<not json {"';

/**
 * The answer a met fault forces, if any: 503 for `unavailable` (and for `hang` once cleared),
 * bytes that parse as nothing with the success status for `garbage`; after `slow`'s delay, and for
 * the tampering faults, undefined (the request goes on).
 */
export async function answerFault(
  controller: FaultController,
  met: MetFault | undefined,
  successStatus: number,
): Promise<ServiceResponse | undefined> {
  if (met === undefined) return undefined;
  const unavailable: ServiceResponse = {
    status: 503,
    headers: { 'content-type': 'text/plain' },
    body: 'service unavailable\n',
  };
  switch (met.kind) {
    case 'unavailable':
      return unavailable;
    case 'hang':
      await controller.released();
      return unavailable;
    case 'garbage':
      return { status: successStatus, headers: { 'content-type': 'application/json' }, body: GARBAGE };
    case 'slow':
      await new Promise((resolve) => setTimeout(resolve, met.delayMs));
      return undefined;
    default:
      return undefined;
  }
}

/** The evidence a met fault tampers with, if it is one of the tampering faults. */
export function tamperingOf(met: MetFault | undefined): EvidenceTampering | undefined {
  const kind = met?.kind;
  return kind === 'wrongSet' || kind === 'wrongProof' || kind === 'wrongCheckpoint' ? kind : undefined;
}
