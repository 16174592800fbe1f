/**
 * `fulcioSigner`: a keyless {@link Signer} — an ephemeral P-256 key that lives in memory only, and
 * a short-lived Fulcio certificate binding it to the identity of an OIDC token, renewed when it is
 * about to expire. Usable wherever a `Signer` is: `signImage` and `attestImage` read its
 * `certificateChain()` before each signature and store that chain with it.
 *
 * One key for the signer's life, a new certificate for it on renewal — as @sigstore/sign's
 * `FulcioSigner` keeps one ephemeral key and asks a certificate for it per signature. So
 * `publicKey()` never changes, every chain ever handed out certifies it, and a signature made
 * while a renewal runs concurrently is certified by whichever chain its caller read: no caller can
 * pair a key with a certificate for another one. (A new key per certificate would leave a window
 * in which `publicKey()`, read before `certificateChain()`, names a key no longer signing.)
 *
 * Renewal: a chain with less than `renewBeforeMs` of its life left is renewed first (a new token
 * from `identityToken`, a new certificate); concurrent callers share one renewal. A renewal that
 * fails fails the call: the old certificate is not handed out past the margin. A certificate Fulcio
 * issues with less life than the margin is still handed out (there is no better one).
 *
 * Deliberately not here: the Fulcio protocol (`fulcio-client.ts`), where tokens come from
 * (`identity-token.ts`), choosing the CA (`signing-config-select.ts`), storing the chain (`sign`).
 */
import { InvalidArgumentError, OcisignError } from '../errors/base.js';
import { IdentityTokenError } from '../errors/sigstore.js';
import { SharedWork, throwIfAborted, untilAborted } from '../internal/abort.js';
import { generateKeyPair } from '../keys/generate.js';
import type { PublicKey } from '../keys/key-objects.js';
import { createSigner, type Signer } from '../keys/signer.js';
import { type IssuedCertificate, requestSigningCertificate } from './fulcio-client.js';
import { identityTokenFromEnvironment } from './identity-token.js';
import { shippedTrustedRoot } from './shipped.js';
import { PUBLIC_GOOD_SIGNING_CONFIG, parseSigningConfig } from './signing-config.js';
import { selectFulcioUrl } from './signing-config-select.js';
import { isTrustedRoot, parseTrustedRoot, type TrustedRoot } from './trusted-root.js';

/**
 * Default renewal margin: two minutes. After `certificateChain()` a signature still needs its
 * evidence, and the time the TSA stamps or the log integrates must fall inside the certificate for
 * it to verify. With ocisign's defaults that takes at most about 100 s: a timestamp (10 s deadline)
 * and up to three Rekor uploads (30 s deadline each, short pauses). With Fulcio's ten-minute
 * certificates, a signer renews every eight minutes.
 */
export const DEFAULT_RENEW_BEFORE_MS = 120_000;

/** Where identity tokens come from: a token, or a function giving a fresh one per certificate. */
export type IdentityTokenSource = string | ((options: { signal?: AbortSignal }) => Promise<string>);

/** Options of {@link fulcioSigner}. */
export interface FulcioSignerOptions {
  /** Fulcio's base URL. Default: the CA `signingConfig` selects (`https://fulcio.sigstore.dev`). */
  readonly fulcioUrl?: string;
  /**
   * The OIDC identity token (audience `sigstore`), or a function returning a fresh one, called for
   * each certificate (a string is reused on renewal, and Fulcio refuses it once it expires: pass a
   * function to a signer that outlives its token). Default {@link identityTokenFromEnvironment}:
   * `SIGSTORE_ID_TOKEN`, else the GitHub Actions token endpoint.
   */
  readonly identityToken?: IdentityTokenSource;
  /**
   * The signing config choosing the CA when `fulcioUrl` is not given: a `parseSigningConfig`
   * value or the JSON it reads. Default `PUBLIC_GOOD_SIGNING_CONFIG`.
   */
  readonly signingConfig?: object | string;
  /**
   * The trusted root each certificate must verify against (chain to its Fulcio CAs, SCT against its
   * CT logs). Default: the public-good root shipped with ocisign when it lists the CA at
   * `fulcioUrl`; for another CA without a trusted root, only the certified key is checked.
   */
  readonly trustedRoot?: TrustedRoot;
  /** Cancels the first certificate request (the call rejects with `AbortedError`). */
  readonly signal?: AbortSignal;
  /** Renew a certificate with less than this much life left. Default {@link DEFAULT_RENEW_BEFORE_MS}. */
  readonly renewBeforeMs?: number;
  /** Deadline of each certificate request. Default: `requestSigningCertificate`'s (30 s). */
  readonly timeoutMs?: number;
}

interface Plan {
  readonly fulcioUrl: string;
  readonly tokens: IdentityTokenSource | undefined;
  readonly trustedRoot: TrustedRoot | undefined;
  readonly renewBeforeMs: number;
  readonly timeoutMs: number | undefined;
}

function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => u.replace(/\/+$/, '');
  return a !== '' && norm(a) === norm(b);
}

function nonNegative(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0)
    throw new InvalidArgumentError(`${name} must be a non-negative number of milliseconds, got ${value}`);
  return value;
}

/** The caller's root; else the shipped public-good root when it lists this CA; else none. */
function trustFor(fulcioUrl: string, given: unknown): TrustedRoot | undefined {
  if (given !== undefined) return isTrustedRoot(given) ? given : parseTrustedRoot(given);
  const shipped = shippedTrustedRoot();
  return shipped.certificateAuthorities.some((ca) => sameUrl(ca.uri, fulcioUrl)) ? shipped : undefined;
}

function planOf(options: FulcioSignerOptions): Plan {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('fulcioSigner options must be an object');
  const tokens = options.identityToken;
  if (tokens !== undefined && typeof tokens !== 'function' && (typeof tokens !== 'string' || tokens === ''))
    throw new InvalidArgumentError('identityToken must be a non-empty string or a function returning one');
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    throw new InvalidArgumentError('signal must be an AbortSignal');
  let fulcioUrl = options.fulcioUrl;
  if (fulcioUrl === undefined) {
    const config = parseSigningConfig(options.signingConfig ?? PUBLIC_GOOD_SIGNING_CONFIG);
    fulcioUrl = selectFulcioUrl(config, new Date());
    if (fulcioUrl === undefined)
      throw new InvalidArgumentError('the signing config lists no Fulcio CA: pass fulcioUrl');
  } else if (typeof fulcioUrl !== 'string') throw new InvalidArgumentError('fulcioUrl must be a URL string');
  return {
    fulcioUrl,
    tokens,
    trustedRoot: trustFor(fulcioUrl, options.trustedRoot),
    renewBeforeMs: nonNegative(options.renewBeforeMs, 'renewBeforeMs', DEFAULT_RENEW_BEFORE_MS),
    timeoutMs: options.timeoutMs,
  };
}

/** A token from the source, or IdentityTokenError (never holding a token) when it gives none. */
async function tokenFrom(
  source: IdentityTokenSource | undefined,
  signal: AbortSignal | undefined,
): Promise<string> {
  const options = signal === undefined ? {} : { signal };
  if (source === undefined) return identityTokenFromEnvironment(options);
  if (typeof source === 'string') return source;
  let token: unknown;
  try {
    token = await untilAborted(Promise.resolve(source(options)), signal, 'getting an identity token');
  } catch (error) {
    if (error instanceof OcisignError) throw error;
    throw new IdentityTokenError('the identityToken function failed (see cause)', { cause: error });
  }
  if (typeof token !== 'string' || token === '')
    throw new IdentityTokenError('the identityToken function did not return a non-empty string');
  return token;
}

/** A fresh copy of the chain, so that no caller can change the one the signer holds. */
function copyOf(chain: readonly Uint8Array[]): Uint8Array[] {
  return chain.map((der) => der.slice());
}

/**
 * Creates a keyless signer: generates an ephemeral P-256 key, gets its first Fulcio certificate
 * (so a missing token or an unreachable CA fails here, before anything is signed), and returns a
 * `Signer` whose `certificateChain()` hands out a chain valid for at least `renewBeforeMs` more,
 * renewing it first when needed. `sign()` signs with ECDSA P-256 SHA-256, as cosign's ephemeral
 * keys do.
 *
 * @throws InvalidArgumentError for options that are not ones (or a signing config without a CA);
 * SigningConfigError for a signing config that is not one; IdentityTokenError when no token can be
 * had; FulcioUnavailableError, FulcioRejectedError, FulcioResponseError as `requestSigningCertificate`
 * throws them; OperationTimeoutError, AbortedError. `certificateChain()` throws the same on renewal.
 */
export async function fulcioSigner(options: FulcioSignerOptions = {}): Promise<Signer> {
  const plan = planOf(options);
  throwIfAborted(options.signal, 'creating a Fulcio signer');
  const { privateKey } = await generateKeyPair({ algorithm: 'ecdsa-p256' });
  const keySigner = createSigner(privateKey);
  const publicKey: PublicKey = privateKey.publicKey;

  const issue = async (signal: AbortSignal | undefined): Promise<IssuedCertificate> =>
    requestSigningCertificate({
      fulcioUrl: plan.fulcioUrl,
      identityToken: await tokenFrom(plan.tokens, signal),
      signer: keySigner,
      ...(plan.trustedRoot === undefined ? {} : { trustedRoot: plan.trustedRoot }),
      ...(signal === undefined ? {} : { signal }),
      ...(plan.timeoutMs === undefined ? {} : { timeoutMs: plan.timeoutMs }),
    });

  let current = await issue(options.signal);
  let renewal: SharedWork<IssuedCertificate> | undefined;

  const renew = (signal: AbortSignal | undefined): Promise<IssuedCertificate> => {
    if (renewal === undefined) {
      const work = new SharedWork((own) => issue(own));
      renewal = work;
      work.outcome.then(
        (issued) => {
          current = issued;
          renewal = undefined;
        },
        () => {
          renewal = undefined;
        },
      );
    }
    return renewal.join(signal, 'renewing the Fulcio certificate');
  };

  return {
    publicKey: async () => publicKey,
    sign: (data, signOptions) => keySigner.sign(data, signOptions),
    async certificateChain(chainOptions) {
      const signal = chainOptions?.signal;
      throwIfAborted(signal, 'reading the Fulcio certificate chain');
      if (current.notAfter.getTime() - Date.now() > plan.renewBeforeMs) return copyOf(current.chain);
      return copyOf((await renew(signal)).chain);
    },
  };
}
