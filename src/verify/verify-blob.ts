/**
 * `verifyBlob`: cosign `verify-blob --bundle` for artifacts that are not images — a Sigstore bundle
 * (v0.1–v0.3) over the artifact's bytes, or over its SHA-256 digest when only that is known. Keyless
 * (a Fulcio certificate checked against the trusted root at the signing time, its SCT, the Rekor
 * entry or an RFC 3161 timestamp, then the certificate identity with sigstore-go's rules for
 * bundles) or with trusted keys. Pure and synchronous once its inputs are in hand: no registry.
 */
import { InvalidArgumentError, OcisignError } from '../errors/base.js';
import { VerificationError } from '../errors/verify.js';
import { fromHex } from '../internal/bytes.js';
import { parseBundle, type SigstoreBundle } from '../payload/bundle.js';
import { sha256Digest } from '../payload/digest.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../payload/dsse.js';
import { parseStatement, statementSubjectFor } from '../payload/intoto.js';
import { shippedTrustedRoot } from '../sigstore/shipped.js';
import { trustMaterialOf } from '../sigstore/trust-material.js';
import { parseTrustedRoot } from '../sigstore/trusted-root.js';
import { readFulcioCertificate } from './keyless/certificate.js';
import { type CertificateIdentity, compileIdentities } from './keyless/identity.js';
import { type CertificateSummary, matchBundle, summarizeCertificate } from './keyless/identity-match.js';
import { bundleEntity } from './keyless/keyless-entity.js';
import { checkKeylessEvidence } from './keyless/sigstore-checks.js';
import { rekorKeysFromTrustedRoot } from './trusted-root.js';

/** Options of {@link verifyBlob}. */
export interface VerifyBlobOptions {
  /** The Sigstore bundle (JSON text, bytes or object), as `cosign sign-blob --bundle` writes it. */
  readonly bundle: unknown;
  /**
   * Who may have signed: any one entry suffices. Regexps are Go RE2 and **unanchored**, as in
   * cosign (`https://github.com/org/` also matches `https://evil.example/?https://github.com/org/`):
   * write `^…$`. Exact values compare as strings.
   */
  readonly identities: readonly CertificateIdentity[];
  /** The trusted root (`trusted_root.json`, parsed or not). Default: the one shipped with ocisign. */
  readonly trustedRoot?: unknown;
  /** `--insecure-ignore-tlog`: no Rekor entry required (the time is then a TSA's, or now). */
  readonly ignoreTlog?: boolean;
  /** `--insecure-ignore-sct`: no embedded SCT required. */
  readonly ignoreSct?: boolean;
  /** `--use-signed-timestamps`: the signing time comes from RFC 3161 timestamps. */
  readonly useSignedTimestamps?: boolean;
  /** Called with warnings a person should see (an unanchored regexp, an identity with no issuer). */
  readonly onWarning?: (message: string) => void;
}

/** What {@link verifyBlob} verified: who signed, per the certificate, and when. */
export interface VerifiedBlob {
  /** `sha256:<hex>` of the artifact the bundle signs. */
  readonly digest: string;
  /** Index in `identities` of the entry that matched. */
  readonly identityIndex: number;
  /** The signing certificate's names and Fulcio extensions. */
  readonly certificate: CertificateSummary;
  /** The times the certificate was checked at (Rekor integrated times, TSA times, or now). */
  readonly signedAt: readonly Date[];
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
 * Verifies a blob's Sigstore bundle keyless, as `cosign verify-blob --bundle` with
 * `--certificate-identity[-regexp]` / `--certificate-oidc-issuer[-regexp]`. Returns what verified;
 * throws VerificationError with the reason (`certificate-invalid`, `sct-invalid`, `tlog-invalid`,
 * `timestamp-missing`, `identity-mismatch`, `digest-mismatch`, `wrong-key`, `malformed`, …).
 */
export function verifyBlob(
  artifact: Uint8Array | { readonly digest: string },
  options: VerifyBlobOptions,
): VerifiedBlob {
  const { digest, bytes } = artifactDigest(artifact);
  const [algorithm, hex] = digest.split(':') as [string, string];
  if (options?.identities === undefined || options.identities.length === 0)
    throw new InvalidArgumentError('verifyBlob needs at least one identity in options.identities');
  const identities = compileIdentities(options.identities, options.onWarning);
  const root =
    options.trustedRoot === undefined ? shippedTrustedRoot() : parseTrustedRoot(options.trustedRoot);
  const trust = { material: trustMaterialOf(root), rekorKeys: rekorKeysFromTrustedRoot(root) };
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
  if (envelope === undefined && bytes === undefined && algorithm !== 'sha256')
    throw fail(
      'digest-mismatch',
      'a message signature is over a SHA-256 digest; give the artifact or its sha256',
    );
  const subject = bundleEntity(bundle, document, bytes ?? { digest: fromHex(hex) as Uint8Array });
  if ('reason' in subject) throw fail(subject.reason, subject.message);
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
  }
  const evidence = checkKeylessEvidence(subject, trust, {
    ignoreTlog: options.ignoreTlog === true,
    ignoreSct: options.ignoreSct === true,
    useSignedTimestamps: options.useSignedTimestamps === true,
  });
  if ('reason' in evidence) throw fail(evidence.reason, evidence.message);
  const certificate = readFulcioCertificate(new Uint8Array(evidence.leaf.root.toDER()));
  const matched = matchBundle(identities, certificate);
  if ('mismatch' in matched) throw fail('identity-mismatch', matched.mismatch);
  return {
    digest,
    identityIndex: matched.index,
    certificate: summarizeCertificate(certificate),
    signedAt: evidence.times,
  };
}

function failure(
  reason: ConstructorParameters<typeof VerificationError>[1][number]['reason'],
  message: string,
  digest: string,
): VerificationError {
  return new VerificationError(digest, [{ candidate: 'bundle', reason, message }]);
}
