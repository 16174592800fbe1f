/**
 * `uploadToRekor`: proposes one entry to a Rekor transparency log — v1 (`POST /api/v1/log/entries`)
 * or v2 (`POST /api/v2/log/entries`) — and returns it only once verified: the answer read through
 * its API's schema, the logged body the one proposed, and its evidence checked against the log key
 * the caller trusts with the verifier's own checks (`sigstore/tlog/tlog-entry.ts`): on v1 the signed entry
 * timestamp and the inclusion proof with its signed checkpoint, on v2 the inclusion proof and
 * checkpoint. A v1 409 (the entry is already logged) fetches the existing entry from `Location`, so
 * a retried upload never logs a signature twice. One deadline and the caller's AbortSignal end
 * every request; every answer is bounded in bytes.
 *
 * Deliberately not here: retries, choosing a log from a signing config, timestamps.
 */
import { InvalidArgumentError, type OcisignError } from '../errors/base.js';
import { RekorRejectedError, RekorResponseError, RekorUnavailableError } from '../errors/sigstore.js';
import { throwIfAborted } from '../internal/abort.js';
import { fromUtf8 } from '../internal/bytes.js';
import type { PublicKey } from '../keys/key-objects.js';
import type { TlogEntry } from '../payload/bundle.js';
import type { RekorBundle } from '../payload/signature-layer.js';
import { readV1LogEntry, readV2LogEntry } from './rekor-answer.js';
import { type RekorAnswer, type RekorBounds, rekorRequest } from './rekor-http.js';
import {
  loggedAsProposed,
  type PreparedProposal,
  prepareProposal,
  type RekorProposal,
  v1ProposedEntry,
  v2CreateEntryRequest,
} from './rekor-proposal.js';
import { positiveOption, serviceBaseUrl } from './service-options.js';
import { type RekorKeys, rekorKeysFor } from './tlog/rekor-keys.js';
import { verifyTlogEntry } from './tlog/tlog-entry.js';

export type { DsseProposal, HashedRekordProposal, RekorProposal, RekorVerifier } from './rekor-proposal.js';

/** Default deadline of one upload, every request included. */
export const DEFAULT_REKOR_TIMEOUT_MS = 30_000;
/** Most bytes one Rekor answer may have (1 MiB: an entry with its proof is a few KiB). */
export const DEFAULT_REKOR_RESPONSE_LIMIT = 1024 * 1024;

/** Options of {@link uploadToRekor}. */
export interface UploadToRekorOptions {
  /** The log's base URL (http or https, no credentials, query or fragment), e.g. `https://rekor.sigstore.dev`. */
  readonly rekorUrl: string;
  /** Which API to propose to: 1 (`/api/v1/log/entries`) or 2 (rekor-tiles, `/api/v2/log/entries`). Default 1. */
  readonly apiVersion?: 1 | 2;
  /** A trusted root whose `tlogs` hold the log's key (its `validFor` window is honoured). */
  readonly trustedRoot?: unknown;
  /** The log's public keys given directly (PEM or `PublicKey`), trusted at any time. */
  readonly rekorPublicKeys?: ReadonlyArray<PublicKey | string>;
  /** Deadline of the whole upload. Default {@link DEFAULT_REKOR_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Most bytes one answer may have. Default {@link DEFAULT_REKOR_RESPONSE_LIMIT}. */
  readonly maxResponseBytes?: number;
  /** Cancels the upload: the request ends and the call rejects with `AbortedError`. */
  readonly signal?: AbortSignal;
}

/** A verified Rekor entry, in the forms ocisign stores it. */
export interface UploadedEntry {
  /** The entry as a Sigstore bundle's `verificationMaterial.tlogEntries[]` holds it. */
  readonly tlogEntry: TlogEntry;
  /**
   * The classic `dev.sigstore.cosign/bundle` annotation's value (Rekor v1 only: it is built on the
   * SET, which Rekor v2 does not give); undefined for v2.
   */
  readonly rekorBundle: RekorBundle | undefined;
  /** Whether the log already held the entry (v1's 409) and this is the one it had. */
  readonly alreadyLogged: boolean;
}

function trustedKeys(options: UploadToRekorOptions): RekorKeys {
  const keys = rekorKeysFor(options);
  if (keys === undefined || keys.size === 0)
    throw new InvalidArgumentError(
      "uploadToRekor needs the log's key to verify its answer: pass trustedRoot or rekorPublicKeys",
    );
  return keys;
}

/** Rekor's own words from an error answer (go-openapi or gRPC `{code, message}`), bounded. */
function rekorMessage(answer: RekorAnswer): string {
  const text = fromUtf8(answer.body.subarray(0, 2048));
  try {
    const doc: unknown = JSON.parse(text);
    const message = (doc as { message?: unknown } | null)?.message;
    if (typeof message === 'string') return message.slice(0, 500);
  } catch {
    // not JSON: the status says enough
  }
  return `HTTP ${answer.status}`;
}

/** An answer that is not the success the API defines, as our error. */
function unexpected(answer: RekorAnswer, url: string): OcisignError {
  const why = rekorMessage(answer);
  if (answer.status >= 500 || answer.status === 429 || answer.status === 408)
    return new RekorUnavailableError(`${url} answered HTTP ${answer.status}: ${why}`, {
      status: answer.status,
    });
  if (answer.status >= 400)
    return new RekorRejectedError(`${url} refused the entry (HTTP ${answer.status}): ${why}`, {
      status: answer.status,
    });
  return new RekorResponseError(`${url} answered HTTP ${answer.status}, not 201 Created`);
}

/** The v1 entry a 409 names in `Location`, which must be on the same log. */
async function existingV1Entry(
  answer: RekorAnswer,
  base: URL,
  bounds: RekorBounds,
): Promise<RekorAnswer & { url: string }> {
  const location = answer.headers.get('location');
  if (location === null)
    throw new RekorResponseError(`${base.href} answered 409 (already logged) without a Location header`);
  let url: URL;
  try {
    url = new URL(location, base);
  } catch (cause) {
    throw new RekorResponseError(`${base.href} answered 409 with a Location that is not a URL`, { cause });
  }
  if (url.origin !== base.origin || !url.pathname.startsWith(`${base.pathname}api/v1/log/entries/`))
    throw new RekorResponseError(
      `${base.href} answered 409 with a Location outside its entries: ${JSON.stringify(location)}`,
    );
  const existing = await rekorRequest(url.href, undefined, bounds);
  if (existing.status !== 200) throw unexpected(existing, url.href);
  return { ...existing, url: url.href };
}

/** Checks the entry against the proposal and the trusted keys; RekorResponseError when it fails. */
function verified(
  entry: TlogEntry,
  p: PreparedProposal,
  apiVersion: 1 | 2,
  keys: RekorKeys,
  url: string,
): TlogEntry {
  if (apiVersion === 1 && (entry.inclusionPromise === undefined || entry.inclusionProof === undefined))
    throw new RekorResponseError(`${url}: a Rekor v1 entry must carry a SET and an inclusion proof`);
  const check = verifyTlogEntry(entry, keys, loggedAsProposed(p, apiVersion, entry.canonicalizedBody));
  if (!check.ok) throw new RekorResponseError(`the entry from ${url} is refused: ${check.message}`);
  return entry;
}

async function upload(
  p: PreparedProposal,
  base: URL,
  apiVersion: 1 | 2,
  keys: RekorKeys,
  bounds: RekorBounds,
): Promise<UploadedEntry> {
  const url = new URL(`api/v${apiVersion}/log/entries`, base).href;
  const body = apiVersion === 1 ? v1ProposedEntry(p) : v2CreateEntryRequest(p);
  const answer = await rekorRequest(url, body, bounds);
  if (apiVersion === 2) {
    if (answer.status !== 201) throw unexpected(answer, url);
    const entry = readV2LogEntry(answer.body, `the Rekor v2 answer from ${url}`);
    return { tlogEntry: verified(entry, p, 2, keys, url), rekorBundle: undefined, alreadyLogged: false };
  }
  const alreadyLogged = answer.status === 409;
  if (!alreadyLogged && answer.status !== 201) throw unexpected(answer, url);
  const got = alreadyLogged ? await existingV1Entry(answer, base, bounds) : { ...answer, url };
  const entry = readV1LogEntry(got.body, `the Rekor v1 answer from ${got.url}`);
  return {
    tlogEntry: verified(entry.tlogEntry, p, 1, keys, got.url),
    rekorBundle: entry.rekorBundle,
    alreadyLogged,
  };
}

/**
 * Proposes `entry` to the Rekor log at `rekorUrl` and returns the logged entry once it verified
 * against the log key the caller trusts (`trustedRoot` and/or `rekorPublicKeys`) and is shown to
 * log exactly this signature, verifier and artifact (or envelope).
 *
 * - `apiVersion: 1`: `hashedrekord` or `dsse` v0.0.1; the answer's SET and inclusion proof (with
 *   its signed checkpoint) must both verify; 409 (already logged) returns the existing entry
 *   (`alreadyLogged: true`). The result carries the classic `dev.sigstore.cosign/bundle` value.
 * - `apiVersion: 2`: `hashedrekord` or `dsse` v0.0.2 (rekor-tiles); the inclusion proof and
 *   checkpoint must verify. No SET and no integrated time: a v2 entry needs a timestamp to prove
 *   when it was signed, and has no classic bundle annotation. A 409 is a `RekorRejectedError`.
 *
 * @throws InvalidArgumentError for a malformed entry or options (no trusted key, a bad URL, a
 * pure Ed25519 key with a v2 hashedrekord); RekorUnavailableError when the log cannot be reached,
 * breaks off or answers 5xx/429; RekorRejectedError when it refuses the entry (4xx);
 * RekorResponseError when the answer is malformed, too large, or does not verify;
 * OperationTimeoutError past `timeoutMs`; AbortedError when `signal` fires.
 */
export async function uploadToRekor(
  entry: RekorProposal,
  options: UploadToRekorOptions,
): Promise<UploadedEntry> {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('uploadToRekor options must be an object');
  const apiVersion = options.apiVersion ?? 1;
  if (apiVersion !== 1 && apiVersion !== 2)
    throw new InvalidArgumentError(`apiVersion must be 1 or 2, got ${JSON.stringify(apiVersion)}`);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    throw new InvalidArgumentError('signal must be an AbortSignal');
  const base = serviceBaseUrl(options.rekorUrl, 'rekorUrl', `, got ${JSON.stringify(options.rekorUrl)}`);
  const timeoutMs = positiveOption(options.timeoutMs, 'timeoutMs', DEFAULT_REKOR_TIMEOUT_MS);
  const maxBytes = positiveOption(options.maxResponseBytes, 'maxResponseBytes', DEFAULT_REKOR_RESPONSE_LIMIT);
  const keys = trustedKeys(options);
  const proposal = prepareProposal(entry);
  const what = `uploading to Rekor at ${base.origin}`;
  throwIfAborted(options.signal, what);
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
  return upload(proposal, base, apiVersion, keys, { signal, maxBytes, what });
}
