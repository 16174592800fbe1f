/**
 * How the Rekor client talks HTTP: JSON over `serviceRequest` (service-http.ts), with Rekor's
 * errors: no answer or a broken one is {@link RekorUnavailableError}, an answer over the bound
 * {@link RekorResponseError}.
 *
 * Deliberately not here: what the statuses mean (`rekor-client.ts`), parsing the answers
 * (`rekor-answer.ts`), retries.
 */
import { RekorResponseError, RekorUnavailableError } from '../errors/sigstore.js';
import {
  type ServiceAnswer,
  type ServiceBounds,
  type ServiceErrors,
  serviceRequest,
} from './service-http.js';

/** What every request of one upload shares. */
export type RekorBounds = ServiceBounds;

/** One answer, read whole. */
export type RekorAnswer = ServiceAnswer;

const REKOR_ERRORS: ServiceErrors = {
  answerName: 'Rekor answer',
  unavailable: (message, options) => new RekorUnavailableError(message, options),
  response: (message) => new RekorResponseError(message),
};

/**
 * Sends one request (`body`: JSON to POST, or none for a GET) and reads its whole answer.
 *
 * @throws RekorUnavailableError when no answer arrives or it breaks off; RekorResponseError past
 * `maxBytes`; OperationTimeoutError / AbortedError when `bounds.signal` fires.
 */
export function rekorRequest(url: string, body: unknown, bounds: RekorBounds): Promise<RekorAnswer> {
  return serviceRequest(
    url,
    body === undefined
      ? { method: 'GET', headers: { accept: 'application/json' } }
      : {
          method: 'POST',
          headers: { accept: 'application/json', 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
    bounds,
    REKOR_ERRORS,
  );
}
