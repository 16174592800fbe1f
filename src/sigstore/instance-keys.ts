/**
 * Trust on first use for a Sigstore instance that no trusted root names: a Rekor v1 log's key from
 * its own `GET /api/v1/log/publicKey`, a TSA's chain from its own `GET …/certchain` — what cosign
 * falls back to for a private log when no TUF root names it. Evidence checked against keys read
 * this way proves only that the answers agree with the service's own key; a verifier with its own
 * trusted root is still the judge. Every answer is bounded and read through the PEM decoder.
 *
 * Deliberately not here: deciding when to fall back to this (`sign/sign-evidence.ts`).
 */
import { RekorResponseError, TsaResponseError } from '../errors/sigstore.js';
import { fromUtf8 } from '../internal/bytes.js';
import { decodePemBlocks } from '../keys/pem.js';
import { trustedRootFromPems } from './from-pems.js';
import { rekorRequest } from './rekor-http.js';
import { serviceBaseUrl } from './service-options.js';
import { shippedTrustedRoot } from './shipped.js';
import type { TrustedRoot } from './trusted-root.js';
import { getTsaCertChain } from './tsa-http.js';

/** What a first-use read is bounded by. */
export interface FirstUseOptions {
  readonly signal: AbortSignal;
  /** Most bytes the answer may have. */
  readonly maxBytes?: number;
}

const MAX_KEY_ANSWER = 64 * 1024;

/**
 * The PEM public key the Rekor v1 log at `rekorUrl` (a base URL) serves as its own.
 *
 * @throws RekorUnavailableError when it cannot be reached or answers 5xx; RekorResponseError when
 * the answer is not one PEM public key.
 */
export async function rekorKeyFromLog(rekorUrl: string, options: FirstUseOptions): Promise<string> {
  const url = new URL('api/v1/log/publicKey', serviceBaseUrl(rekorUrl, 'rekorUrl')).href;
  const answer = await rekorRequest(url, undefined, {
    signal: options.signal,
    maxBytes: options.maxBytes ?? MAX_KEY_ANSWER,
    what: `reading the log key of ${url}`,
  });
  if (answer.status !== 200)
    throw new RekorResponseError(`${url} answered HTTP ${answer.status}, not its public key`);
  const text = fromUtf8(answer.body);
  const blocks = decodePemBlocks(text);
  if (blocks.length !== 1 || blocks[0]?.type !== 'PUBLIC KEY')
    throw new RekorResponseError(`${url} did not answer one PEM public key`);
  return text;
}

/**
 * A trusted root holding only the chain the TSA at `tsaUrl` (its timestamp endpoint) serves as
 * its own at `<tsaUrl>/certchain`.
 *
 * @throws TsaUnavailableError when it cannot be reached; TsaResponseError when the answer is not a
 * PEM certificate chain a trusted root can hold.
 */
export async function tsaRootFromTsa(tsaUrl: string, options: FirstUseOptions): Promise<TrustedRoot> {
  const url = `${tsaUrl.replace(/\/+$/, '')}/certchain`;
  const answer = await getTsaCertChain(url, {
    signal: options.signal,
    maxBytes: options.maxBytes ?? MAX_KEY_ANSWER,
    what: `reading the certificate chain of ${url}`,
  });
  if (answer.status !== 200)
    throw new TsaResponseError(`${url} answered HTTP ${answer.status}, not its certificate chain`);
  const text = fromUtf8(answer.body);
  if (decodePemBlocks(text).some((b) => b.type !== 'CERTIFICATE') || decodePemBlocks(text).length === 0)
    throw new TsaResponseError(`${url} did not answer a PEM certificate chain`);
  try {
    return trustedRootFromPems({ tsa: text, base: shippedTrustedRoot() });
  } catch (cause) {
    throw new TsaResponseError(`${url} answered a certificate chain that cannot be trusted as a TSA`, {
      cause,
    });
  }
}
