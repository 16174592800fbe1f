/**
 * `requestSigningCertificate`: a code-signing certificate from a Fulcio CA for a signer's key and
 * an OIDC identity token, asked as @sigstore/sign and sigstore-go ask (`POST
 * {fulcioUrl}/api/v2/signingCert`: `credentials.oidcIdentityToken`, `publicKeyRequest { publicKey
 * { algorithm, content: PEM }, proofOfPossession }`, the proof a signature over the token's
 * subject, `identity-token.ts`), and returned only once checked (`fulcio-answer.ts`): the leaf
 * certifies the signer's key and, with a trusted root, chains to its Fulcio CA and carries an SCT
 * from its CT logs. One deadline and the caller's AbortSignal end the request; the answer is
 * bounded in bytes. Statuses are read as grpc-gateway maps Fulcio's gRPC codes: 5xx, 429 and 408
 * are the CA's trouble, other 4xx a refusal.
 *
 * The token is a bearer credential: it goes in the request body only, and no message holds it,
 * even when Fulcio's own words quote it.
 *
 * Deliberately not here: retries (asking again is the caller's call; it gets a new certificate),
 * choosing the CA from a signing config, renewing certificates (`fulcio-signer.ts`).
 */
import { InvalidArgumentError, type OcisignError } from '../errors/base.js';
import { FulcioRejectedError, FulcioResponseError, FulcioUnavailableError } from '../errors/sigstore.js';
import { throwIfAborted } from '../internal/abort.js';
import { fromUtf8, toBase64, utf8 } from '../internal/bytes.js';
import { isJsonObject, own } from '../internal/shape.js';
import type { KeyAlgorithm } from '../keys/algorithms.js';
import type { Signer } from '../keys/signer.js';
import { type IssuedCertificate, readIssuedCertificate } from './fulcio-answer.js';
import { proofOfPossessionSubject } from './identity-token.js';
import { type ServiceAnswer, type ServiceErrors, serviceRequest } from './service-http.js';
import { positiveOption, serviceBaseUrl } from './service-options.js';
import { isTrustedRoot, parseTrustedRoot, type TrustedRoot } from './trusted-root.js';

export type { IssuedCertificate } from './fulcio-answer.js';

/** Default deadline of one certificate request: sigstore-go's Fulcio client's (30 seconds). */
export const DEFAULT_FULCIO_TIMEOUT_MS = 30_000;

/** Most bytes a Fulcio answer may have (1 MiB, as sigstore-go reads it); a real chain is a few KiB. */
export const DEFAULT_FULCIO_RESPONSE_LIMIT = 1024 * 1024;

/** Options of {@link requestSigningCertificate}. */
export interface RequestSigningCertificateOptions {
  /** Fulcio's base URL (`https://fulcio.sigstore.dev`): http or https, no credentials, query or fragment. */
  readonly fulcioUrl: string;
  /** The OIDC identity token (a JWT) whose identity the certificate binds the key to. */
  readonly identityToken: string;
  /** Holds the key to certify: it signs the proof of possession, and the leaf must certify its `publicKey()`. */
  readonly signer: Signer;
  /**
   * The trusted root the answer must verify against: the leaf chains to one of its Fulcio CAs and
   * its embedded SCT verifies against one of its CT logs. Without it only the key is checked.
   */
  readonly trustedRoot?: TrustedRoot;
  /** Cancels the request: it ends, and the call rejects with `AbortedError`. */
  readonly signal?: AbortSignal;
  /** Deadline of the request and its answer. Default {@link DEFAULT_FULCIO_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Most bytes the answer may have. Default {@link DEFAULT_FULCIO_RESPONSE_LIMIT}. */
  readonly maxResponseBytes?: number;
}

/** Fulcio's `PublicKeyAlgorithm` for a key (a field Fulcio ignores: it reads the key itself). */
const PUBLIC_KEY_ALGORITHMS: Readonly<Record<KeyAlgorithm, string>> = {
  'ecdsa-p256': 'ECDSA',
  'ecdsa-p384': 'ECDSA',
  'ecdsa-p521': 'ECDSA',
  'rsa-2048': 'RSA_PSS',
  'rsa-3072': 'RSA_PSS',
  'rsa-4096': 'RSA_PSS',
  ed25519: 'ED25519',
};

/** `text` with the token, and each long part of it, replaced: a server may quote what it was sent. */
export function withoutToken(text: string, token: string): string {
  let out = text.split(token).join('[identity token]');
  for (const part of token.split('.')) if (part.length >= 8) out = out.split(part).join('[…]');
  return out;
}

/** Fulcio's own words from an error answer (grpc-gateway's `{code, message}`), bounded, token-free. */
function fulcioMessage(answer: ServiceAnswer, token: string): string {
  const fallback = `HTTP ${answer.status}`;
  try {
    const doc: unknown = JSON.parse(fromUtf8(answer.body.subarray(0, 4096)));
    const message = isJsonObject(doc) ? own(doc, 'message') : undefined;
    return typeof message === 'string' && message !== ''
      ? withoutToken(message, token).slice(0, 300)
      : fallback;
  } catch {
    return fallback;
  }
}

/** The typed error for an answer that is not 200. */
function unexpected(answer: ServiceAnswer, url: string, token: string): OcisignError {
  const why = fulcioMessage(answer, token);
  const { status } = answer;
  if (status >= 500 || status === 429 || status === 408)
    return new FulcioUnavailableError(`${url} answered HTTP ${status}: ${why}`, { status });
  if (status >= 400)
    return new FulcioRejectedError(`${url} refused to issue a certificate (HTTP ${status}): ${why}`, {
      status,
    });
  return new FulcioResponseError(`${url} answered HTTP ${status}, not 200`);
}

function fulcioErrors(token: string): ServiceErrors {
  return {
    answerName: 'Fulcio answer',
    unavailable: (message, details) => new FulcioUnavailableError(withoutToken(message, token), details),
    response: (message) => new FulcioResponseError(withoutToken(message, token)),
  };
}

interface Plan {
  readonly endpoint: string;
  readonly token: string;
  readonly signer: Signer;
  readonly trustedRoot: TrustedRoot | undefined;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

function planOf(options: RequestSigningCertificateOptions): Plan {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('requestSigningCertificate options must be an object');
  const endpoint = new URL('api/v2/signingCert', serviceBaseUrl(options.fulcioUrl, 'fulcioUrl')).href;
  if (typeof options.identityToken !== 'string' || options.identityToken === '')
    throw new InvalidArgumentError('identityToken must be a non-empty string');
  const signer = options.signer;
  if (typeof signer?.sign !== 'function' || typeof signer.publicKey !== 'function')
    throw new InvalidArgumentError('signer must be a Signer with sign() and publicKey()');
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    throw new InvalidArgumentError('signal must be an AbortSignal');
  const root = options.trustedRoot;
  return {
    endpoint,
    token: options.identityToken,
    signer,
    trustedRoot: root === undefined || isTrustedRoot(root) ? root : parseTrustedRoot(root),
    timeoutMs: positiveOption(options.timeoutMs, 'timeoutMs', DEFAULT_FULCIO_TIMEOUT_MS),
    maxBytes: positiveOption(options.maxResponseBytes, 'maxResponseBytes', DEFAULT_FULCIO_RESPONSE_LIMIT),
  };
}

/**
 * Asks the Fulcio CA at `fulcioUrl` for a certificate binding `signer`'s key to the identity of
 * `identityToken`, and returns it once checked: the leaf certifies `signer.publicKey()` and is not
 * expired; with `trustedRoot`, it chains to one of the root's Fulcio CAs (the chain sent being
 * that path) and its embedded SCT verifies against the root's CT logs.
 *
 * @throws InvalidArgumentError for options that are not ones; IdentityTokenError when the token
 * is not a JWT naming a subject; FulcioUnavailableError when Fulcio cannot be reached, breaks off
 * or answers 5xx/429/408; FulcioRejectedError for another 4xx (the token or the key refused);
 * FulcioResponseError when the answer is malformed, too large, for another key, or does not
 * verify; OperationTimeoutError past `timeoutMs`; AbortedError when `signal` fires. No message
 * holds the token.
 */
export async function requestSigningCertificate(
  options: RequestSigningCertificateOptions,
): Promise<IssuedCertificate> {
  const plan = planOf(options);
  const what = `requesting a certificate from ${plan.endpoint}`;
  throwIfAborted(options.signal, what);
  const challenge = proofOfPossessionSubject(plan.token);
  const publicKey = await plan.signer.publicKey();
  const proof = await plan.signer.sign(
    utf8(challenge),
    options.signal === undefined ? {} : { signal: options.signal },
  );
  const deadline = AbortSignal.timeout(plan.timeoutMs);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
  const request = {
    credentials: { oidcIdentityToken: plan.token },
    publicKeyRequest: {
      publicKey: { algorithm: PUBLIC_KEY_ALGORITHMS[publicKey.algorithm], content: publicKey.toPem() },
      proofOfPossession: toBase64(proof),
    },
  };
  const answer = await serviceRequest(
    plan.endpoint,
    {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(request),
    },
    { signal, maxBytes: plan.maxBytes, what },
    fulcioErrors(plan.token),
  );
  if (answer.status !== 200) throw unexpected(answer, plan.endpoint, plan.token);
  return readIssuedCertificate(answer.body, publicKey.toDer(), plan.trustedRoot, plan.endpoint, new Date());
}
