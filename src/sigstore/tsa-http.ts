/**
 * How the TSA client talks HTTP: a DER `TimeStampReq` POSTed over `serviceRequest`
 * (service-http.ts), with the TSA's errors: no answer or a broken one is
 * {@link TsaUnavailableError}, an answer over the bound {@link TsaResponseError}.
 *
 * Deliberately not here: what the statuses mean and what the bytes say (`tsa-client.ts`,
 * `tsa-messages.ts`), retries.
 */
import { TsaResponseError, TsaUnavailableError } from '../errors/sigstore.js';
import {
  type ServiceAnswer,
  type ServiceBounds,
  type ServiceErrors,
  serviceRequest,
} from './service-http.js';

/** What one timestamp request is bounded by. */
export type TsaBounds = ServiceBounds;

/** The answer, read whole. */
export type TsaAnswer = ServiceAnswer;

const TSA_ERRORS: ServiceErrors = {
  answerName: 'timestamp answer',
  unavailable: (message, options) => new TsaUnavailableError(message, options),
  response: (message) => new TsaResponseError(message),
};

/**
 * POSTs the DER `TimeStampReq` as `application/timestamp-query` (as cosign's TSA client does) and
 * reads the whole answer, whatever its status.
 *
 * @throws TsaUnavailableError when no answer arrives or it breaks off; TsaResponseError past
 * `maxBytes`; OperationTimeoutError / AbortedError when `bounds.signal` fires.
 */
export function postTimestampQuery(url: string, query: Uint8Array, bounds: TsaBounds): Promise<TsaAnswer> {
  return serviceRequest(
    url,
    { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: query },
    bounds,
    TSA_ERRORS,
  );
}

/**
 * GETs the TSA's certificate chain (PEM, as timestamp-authority serves it at `…/certchain`).
 *
 * @throws TsaUnavailableError when no answer arrives; TsaResponseError past `maxBytes`;
 * OperationTimeoutError / AbortedError when `bounds.signal` fires.
 */
export function getTsaCertChain(url: string, bounds: TsaBounds): Promise<TsaAnswer> {
  return serviceRequest(
    url,
    { method: 'GET', headers: { accept: 'application/pem-certificate-chain' } },
    bounds,
    TSA_ERRORS,
  );
}
