/**
 * `verifyBlob`: cosign `verify-blob --bundle` for artifacts that are not images — a Sigstore bundle
 * (v0.1–v0.3) over the artifact's bytes, or over its SHA-256 digest when only that is known. Keyless
 * (a Fulcio certificate checked against the trusted root at the signing time, its SCT, the Rekor
 * entry or an RFC 3161 timestamp, then the certificate identity with sigstore-go's rules for
 * bundles) or with trusted keys. Pure and synchronous once its inputs are in hand: no registry.
 */
import { InvalidArgumentError, OcisignError } from '../errors/base.js';
import { VerificationError } from '../errors/verify.js';
import { fromHex, toBase64, toHex } from '../internal/bytes.js';
import { backend } from '../keys/backend/select.js';
import type { PublicKey } from '../keys/key-objects.js';
import { parseBundle, type SigstoreBundle } from '../payload/bundle.js';
import { sha256Digest } from '../payload/digest.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../payload/dsse.js';
import { parseStatement, statementSubjectFor } from '../payload/intoto.js';
import { shippedTrustedRoot } from '../sigstore/shipped.js';
import type { CertificateSummary } from './keyless/identity-match.js';
import { bundleEntity } from './keyless/keyless-entity.js';
import { judgeKeylessSubject } from './keyless/keyless-judge.js';
import { dsseKeyIndex, verifyingKey } from './signature-keys.js';
import { bundleTlog } from './tlog-evidence.js';
import { type TrustMaterial, trustMaterial } from './trust.js';
import type { CheckFailure, TrustOptions } from './verify-types.js';

/**
 * Options of {@link verifyBlob}: the bundle, and who may have signed it — certificate `identities`
 * (keyless) and/or trusted `keys` — with cosign's tlog, SCT and timestamp flags.
 */
export interface VerifyBlobOptions extends TrustOptions {
  /** The Sigstore bundle (JSON text, bytes or object), as `cosign sign-blob --bundle` writes it. */
  readonly bundle: unknown;
  /** Called with warnings a person should see (an unanchored regexp, an identity with no issuer). */
  readonly onWarning?: (message: string) => void;
}

/** What {@link verifyBlob} verified: who signed (a key, or a certificate's identity), and when. */
export interface VerifiedBlob {
  /** `sha256:<hex>` of the artifact the bundle signs. */
  readonly digest: string;
  /** Index in `keys` of the key that verified it; -1 when it was signed keyless. */
  readonly keyIndex: number;
  /** Keyless: index in `identities` of the entry that matched. */
  readonly identityIndex?: number;
  /** Keyless: the signing certificate's names and Fulcio extensions. */
  readonly certificate?: CertificateSummary;
  /** Keyless: the times the certificate was checked at (Rekor integrated times, TSA times, or now). */
  readonly signedAt?: readonly Date[];
}

const DIGEST = /^(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$/;

/** The artifact's digest (`algorithm:hex`), and its bytes when given. */
function artifactDigest(artifact: Uint8Array | { readonly digest: string }): {
  digest: string;
  bytes?: Uint8Array;
} {
  if (artifact instanceof Uint8Array) return { digest: sha256Digest(artifact), bytes: artifact };
  const digest = (artifact as { digest?: unknown })?.digest;
  if (typeof digest !== 'string' || !DIGEST.test(digest))
    throw new InvalidArgumentError(
      'verifyBlob: the artifact must be its bytes or { digest: "sha256:<hex>" } (sha384 and sha512 for in-toto subjects)',
    );
  return { digest };
}

/**
 * Verifies a blob's Sigstore bundle as `cosign verify-blob --bundle`: keyless with
 * `--certificate-identity[-regexp]` / `--certificate-oidc-issuer[-regexp]` (`identities`), or with
 * `--key` (`keys`; a key inside the bundle is never trusted). Returns what verified; throws
 * VerificationError with the reason (`certificate-invalid`, `sct-invalid`, `tlog-invalid`,
 * `timestamp-missing`, `identity-mismatch`, `digest-mismatch`, `wrong-key`, `malformed`, …), and
 * InvalidArgumentError for options that name no signer.
 */
export function verifyBlob(
  artifact: Uint8Array | { readonly digest: string },
  options: VerifyBlobOptions,
): VerifiedBlob {
  const { digest, bytes } = artifactDigest(artifact);
  const [algorithm, hex] = digest.split(':') as [string, string];
  const trust = trustMaterial(options, 'verifyBlob', shippedTrustedRoot);
  const fail = (reason: Parameters<typeof failure>[0], message: string) => failure(reason, message, digest);
  // Read once, strictly (ours); the library's model is built from the same document.
  const document = options.bundle;
  let bundle: SigstoreBundle;
  try {
    bundle = parseBundle(
      typeof document === 'string' || document instanceof Uint8Array ? document : JSON.stringify(document),
    );
  } catch (error) {
    if (!(error instanceof OcisignError)) throw error;
    throw fail('malformed', error.message);
  }
  const envelope = bundle.dsseEnvelope;
  // A DSSE envelope names the artifact in its statement; a message signature by its digest.
  if (envelope !== undefined) {
    if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
      throw fail('malformed', `unexpected DSSE payload type ${envelope.payloadType}`);
    try {
      statementSubjectFor(parseStatement(envelope.payload), digest);
    } catch (error) {
      if (!(error instanceof OcisignError)) throw error;
      throw fail('digest-mismatch', error.message);
    }
  } else if (bytes === undefined && algorithm !== 'sha256')
    throw fail(
      'digest-mismatch',
      'a message signature is over a SHA-256 digest; give the artifact or its sha256',
    );
  else if (bytes !== undefined) {
    // The digest the bundle states (and its Rekor entry logs) must be the artifact's, keyless or
    // not: a signature valid over both digests must not tie the log to another artifact.
    const stated = messageDigestMismatch(bundle, bytes);
    if (stated !== undefined) throw fail(stated.reason, stated.message);
  }
  const keyed = verifyWithKeys(bundle, bytes, trust);
  if (typeof keyed === 'number') return { digest, keyIndex: keyed };
  if (keyed !== undefined) throw fail(keyed.reason, keyed.message);
  const keyless = trust.keyless;
  if (keyless === undefined || bundle.certificate === undefined)
    throw fail(
      'wrong-key',
      'the bundle signature does not verify with any trusted key (a key inside a bundle is never trusted)',
    );
  const subject = bundleEntity(bundle, document, bytes ?? { digest: fromHex(hex) as Uint8Array });
  const verdict = judgeKeylessSubject(subject, keyless, 'bundle');
  if ('reason' in verdict) throw fail(verdict.reason, verdict.message);
  return { digest, keyIndex: -1, ...verdict };
}

/** Node's names of the hashes a bundle's `messageDigest` may name. */
const MESSAGE_DIGEST_HASHES: Readonly<Record<string, 'sha256' | 'sha384' | 'sha512'>> = {
  SHA2_256: 'sha256',
  SHA2_384: 'sha384',
  SHA2_512: 'sha512',
};

/**
 * Why a message signature's stated digest is not the artifact's (sigstore-go: "artifact digest
 * does not match message digest"); undefined when it is, or when the bundle states none.
 */
function messageDigestMismatch(bundle: SigstoreBundle, artifact: Uint8Array): CheckFailure | undefined {
  const stated = bundle.messageSignature?.messageDigest;
  if (stated === undefined) return undefined;
  const hash = MESSAGE_DIGEST_HASHES[stated.algorithm];
  if (hash === undefined)
    return {
      reason: 'malformed',
      message: `the bundle's message digest uses ${stated.algorithm}, which no verifier reads`,
    };
  if (toHex(backend().digest(hash, artifact)) !== toHex(stated.digest))
    return { reason: 'digest-mismatch', message: "the bundle's message digest is not the artifact's" };
  return undefined;
}

/**
 * The index of the trusted key that signed the bundle, once its tlog evidence holds; a failure
 * when a key signed it but the evidence does not hold; undefined when no trusted key signed it.
 */
function verifyWithKeys(
  bundle: SigstoreBundle,
  artifact: Uint8Array | undefined,
  trust: TrustMaterial,
): number | CheckFailure | undefined {
  if (trust.keys.length === 0) return undefined;
  const envelope = bundle.dsseEnvelope;
  let keyIndex: number;
  let logged: { signature: string; payload: Uint8Array };
  if (envelope !== undefined) {
    keyIndex = dsseKeyIndex(trust.keys, envelope, trust.digestAlgorithm);
    logged = { signature: envelope.signatures[0]?.sig ?? '', payload: envelope.payload };
  } else {
    const signature = bundle.messageSignature?.signature ?? new Uint8Array();
    if (artifact === undefined)
      return {
        reason: 'wrong-key',
        message: "verifying a message signature with a key needs the artifact's bytes, not only its digest",
      };
    keyIndex = verifyingKey(trust.keys, artifact, signature, trust.digestAlgorithm);
    logged = { signature: toBase64(signature), payload: artifact };
  }
  if (keyIndex < 0) return undefined;
  const tlog = bundleTlog(trust, bundle, { ...logged, key: trust.keys[keyIndex] as PublicKey });
  return tlog ?? keyIndex;
}

function failure(
  reason: ConstructorParameters<typeof VerificationError>[1][number]['reason'],
  message: string,
  digest: string,
): VerificationError {
  return new VerificationError(digest, [{ candidate: 'bundle', reason, message }]);
}
