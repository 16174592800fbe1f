/**
 * `requestTimestamp`: an RFC 3161 timestamp over some bytes (a signature, or a classic
 * attestation's envelope) from a Sigstore timestamp authority, as cosign asks for one with
 * `--timestamp-server-url` (cosign `internal/pkg/cosign/tsa/client`: POST the DER query to the
 * URL as given, 200 or 201 accepted), and verified before it is returned: nonce and imprint
 * against the request (`tsa-messages.ts`), then the signature, the chain and its validity at the
 * stamped time against the trusted root's timestamp authorities with @sigstore/verify's
 * `getTSATimestamp` — the check ocisign's verifier makes of stored timestamps
 * (`verify/keyless/sigstore-checks.ts`). The answer is returned as cosign stores it.
 *
 * Deliberately not here: retries (asking again is the caller's call), choosing the TSA from a
 * signing config, storing the timestamp in a bundle or a layer.
 */
import { RFC3161Timestamp } from '@sigstore/core';
import { getTSATimestamp } from '@sigstore/verify/dist/timestamp/index.js';
import { InvalidArgumentError, OcisignError } from '../errors/base.js';
import { TsaRejectedError, TsaResponseError, TsaUnavailableError } from '../errors/sigstore.js';
import { throwIfAborted } from '../internal/abort.js';
import { fromUtf8, toBase64 } from '../internal/bytes.js';
import { isJsonObject, own } from '../internal/shape.js';
import { positiveOption } from './service-options.js';
import { trustMaterialOf } from './trust-material.js';
import { isTrustedRoot, type TrustedRoot } from './trusted-root.js';
import { postTimestampQuery } from './tsa-http.js';
import { readTimestampAnswer, timestampQuery } from './tsa-messages.js';

/** Default deadline of one timestamp request, as cosign's TSA client (10 seconds). */
export const DEFAULT_TSA_TIMEOUT_MS = 10_000;
/** Most bytes a timestamp answer may have (128 KiB): a real one, chain included, is a few KiB. */
export const DEFAULT_TSA_RESPONSE_LIMIT = 128 * 1024;

/** Options of {@link requestTimestamp}. */
export interface RequestTimestampOptions {
  /**
   * The TSA's timestamp endpoint, used as given (`https://timestamp.sigstore.dev/api/v1/timestamp`,
   * or a signing config's `tsaUrls[].url`): http or https, no credentials.
   */
  readonly tsaUrl: string;
  /** The trusted root whose `timestampAuthorities` the answer must verify against (at least one). */
  readonly trustedRoot: TrustedRoot;
  /** Cancels the request: it ends, and the call rejects with `AbortedError`. */
  readonly signal?: AbortSignal;
  /** Deadline of the request and its answer. Default {@link DEFAULT_TSA_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Most bytes the answer may have. Default {@link DEFAULT_TSA_RESPONSE_LIMIT}. */
  readonly maxResponseBytes?: number;
}

/** A verified RFC 3161 timestamp, in the forms cosign stores it. */
export interface VerifiedTimestamp {
  /** The DER `TimeStampResp` exactly as the TSA sent it. */
  readonly der: Uint8Array;
  /** The time the TSA stamped, verified (`TSTInfo.genTime`). */
  readonly time: Date;
  /** `der` in base64: a bundle's `timestampVerificationData.rfc3161Timestamps[].signedTimestamp`. */
  readonly signedTimestamp: string;
  /**
   * The value of a classic signature layer's `dev.sigstore.cosign/rfc3161timestamp` annotation:
   * `{"SignedRFC3161Timestamp":"<base64 DER>"}` (cosign `pkg/cosign/bundle/tsa.go`, marshalled
   * by `pkg/oci/static`).
   */
  readonly annotation: string;
}

interface Plan {
  readonly url: string;
  readonly trustedRoot: TrustedRoot;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

/** The URL as given, once it is an http(s) URL without credentials (so none reach a message). */
function tsaUrlOf(tsaUrl: unknown): string {
  if (typeof tsaUrl !== 'string') throw new InvalidArgumentError('tsaUrl must be a URL string');
  let url: URL;
  try {
    url = new URL(tsaUrl);
  } catch {
    throw new InvalidArgumentError('tsaUrl must be an http or https URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new InvalidArgumentError(`tsaUrl must be an http or https URL, got ${url.protocol}`);
  if (url.username !== '' || url.password !== '')
    throw new InvalidArgumentError('tsaUrl must not carry credentials');
  if (url.hash !== '') throw new InvalidArgumentError('tsaUrl must not have a fragment');
  return url.href;
}

function planOf(data: unknown, options: RequestTimestampOptions): Plan {
  if (!(data instanceof Uint8Array))
    throw new InvalidArgumentError('the bytes to timestamp must be a Uint8Array');
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('requestTimestamp options must be an object');
  const url = tsaUrlOf(options.tsaUrl);
  if (!isTrustedRoot(options.trustedRoot))
    throw new InvalidArgumentError('trustedRoot must be a TrustedRoot (parseTrustedRoot, getTrustedRoot)');
  if (options.trustedRoot.timestampAuthorities.length === 0)
    throw new InvalidArgumentError('trustedRoot has no timestampAuthorities: no timestamp could be verified');
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    throw new InvalidArgumentError('signal must be an AbortSignal');
  return {
    url,
    trustedRoot: options.trustedRoot,
    timeoutMs: positiveOption(options.timeoutMs, 'timeoutMs', DEFAULT_TSA_TIMEOUT_MS),
    maxBytes: positiveOption(options.maxResponseBytes, 'maxResponseBytes', DEFAULT_TSA_RESPONSE_LIMIT),
  };
}

/** The TSA's own words from an error answer (`{"code":…,"message":…}`), short, when it sent any. */
function serverMessage(body: Uint8Array): string {
  try {
    const doc: unknown = JSON.parse(fromUtf8(body));
    const message = isJsonObject(doc) ? own(doc, 'message') : undefined;
    return typeof message === 'string' && message !== '' ? `: ${message.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}

/** What an answer's HTTP status means: 200/201 go on; 5xx and 429 are the TSA's trouble, other statuses a refusal. */
function checkStatus(status: number, body: Uint8Array, url: string): void {
  if (status === 200 || status === 201) return;
  const message = `${url} answered HTTP ${status}${serverMessage(body)}`;
  if (status >= 500 || status === 429) throw new TsaUnavailableError(message, { status });
  throw new TsaRejectedError(message, { status });
}

/** The stamped time, once the token verifies against one of the trusted root's TSAs. */
function verifiedTime(der: Uint8Array, data: Uint8Array, trustedRoot: TrustedRoot, url: string): Date {
  try {
    const timestamp = RFC3161Timestamp.parse(Buffer.from(der));
    return getTSATimestamp(timestamp, Buffer.from(data), trustMaterialOf(trustedRoot).timestampAuthorities)
      .timestamp;
  } catch (error) {
    if (error instanceof OcisignError && !(error instanceof TsaResponseError)) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new TsaResponseError(
      `the timestamp from ${url} does not verify against the trusted root's timestamp authorities: ${detail}`,
      { cause: error },
    );
  }
}

/**
 * Asks the TSA at `tsaUrl` for an RFC 3161 timestamp over `data` (the signature bytes, as cosign
 * timestamps them), and returns it once it verifies: granted, the request's nonce and SHA-256
 * imprint, signed by a timestamp authority of `trustedRoot` whose chain was valid at the stamped
 * time.
 *
 * @throws InvalidArgumentError for options that are not ones (a URL with credentials, a trusted
 * root without timestamp authorities); TsaUnavailableError when the TSA cannot be reached, breaks
 * off, or answers 5xx/429; TsaRejectedError for a 4xx answer or a refused status;
 * TsaResponseError when the answer is not a timestamp, is larger than `maxResponseBytes`, echoes
 * another nonce or imprint, or does not verify; OperationTimeoutError past `timeoutMs`;
 * AbortedError when `signal` fires.
 */
export async function requestTimestamp(
  data: Uint8Array,
  options: RequestTimestampOptions,
): Promise<VerifiedTimestamp> {
  const plan = planOf(data, options);
  const what = `requesting a timestamp from ${plan.url}`;
  throwIfAborted(options.signal, what);
  const deadline = AbortSignal.timeout(plan.timeoutMs);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
  const query = timestampQuery(data);
  const answer = await postTimestampQuery(plan.url, query.der, { signal, maxBytes: plan.maxBytes, what });
  checkStatus(answer.status, answer.body, plan.url);
  readTimestampAnswer(answer.body, query, plan.url, answer.status);
  const time = verifiedTime(answer.body, data, plan.trustedRoot, plan.url);
  const signedTimestamp = toBase64(answer.body);
  return {
    der: answer.body,
    time,
    signedTimestamp,
    annotation: JSON.stringify({ SignedRFC3161Timestamp: signedTimestamp }),
  };
}
