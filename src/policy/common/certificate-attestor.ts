/**
 * What a `keyless` or `certificates` attestor (or the implicit empty attestor of an attestation
 * without attestors) asks for, read the way Kyverno reads it (`buildCosignVerifier` in
 * `pkg/engine/internal/imageverifier.go`, `buildCosignOptions` and `sigstore.go` in
 * `pkg/image/verifiers/cpol/cosign`), and the trusted root that stands for it:
 *
 * - `type: Cosign` (cosign's legacy path): `keyless.roots` are the Fulcio anchors, every certificate
 *   of them (unset: the trusted root's Fulcio CAs), with intermediates from each signature's `chain`
 *   annotation, and replace the entry-level `roots` even when empty; `certificates.certChain`
 *   alone is a roots pool; `certificates` with neither field, and the implicit attestor, use the
 *   entry-level `roots` or the trusted root's CAs; `certificates.cert` alone is the certificate's
 *   bare public key; `cert` with `certChain` always fails (Kyverno validates that certificate before
 *   its `ctlog` settings apply, demanding an SCT with no CT log key loaded). No identity is passed to
 *   cosign: Kyverno matches it afterwards (`keyless-match.ts`).
 * - `rekor` absent: tlog required; `rekor.pubkey` the only Rekor key; `ctlog` absent: SCT required
 *   (the implicit attestor of an attestation skips SCTs); `ctlog.pubkey` the only CT key;
 *   `ctlog.tsaCertChain` the only TSA, and signing times then come from RFC 3161 timestamps.
 * - `type: SigstoreBundle` (sigstore-go): the trusted root as it is (roots, pubkeys and
 *   `additionalExtensions` ignored), an identity only when both an issuer and a subject are given —
 *   otherwise no bundle verifies — exact or RE2, and SCTs never required.
 *
 * Pure: no I/O. Deliberately not here: running the verification (`registry-backend.ts`,
 * `fixture-backend.ts`).
 */
import { InvalidArgumentError } from '../../errors/base.js';
import { toBase64 } from '../../internal/bytes.js';
import { importPublicKey } from '../../keys/import.js';
import type { PublicKey } from '../../keys/key-objects.js';
import { decodePemBlocks } from '../../keys/pem.js';
import { trustedRootFromPems } from '../../sigstore/from-pems.js';
import { parseCertificate, parseTrustedRoot, type TrustedRoot } from '../../sigstore/trusted-root.js';
import type { CertificateIdentity } from '../../verify/keyless/identity.js';
import type { SignatureCheck } from './backend.js';
import type { KeylessConstraints } from './keyless-match.js';
import type { CtlogSettings, RekorSettings } from './types.js';

/** The transparency-log, CT log and TSA settings of one attestor. */
export interface EvidenceSettings {
  readonly ignoreTlog: boolean;
  /** The only Rekor key (PEM), when `rekor.pubkey` names one. */
  readonly rekorPubkey: string | undefined;
  readonly ignoreSct: boolean;
  /** The only CT log key (PEM), when `ctlog.pubkey` names one. */
  readonly ctlogPubkey: string | undefined;
  /** The only TSA's chain (PEM), when `ctlog.tsaCertChain` names one; timestamps are then required. */
  readonly tsaCertChain: string | undefined;
}

/** How an attestor's certificates are checked. */
export type CertificatePlan =
  /** The certificate must chain to `roots` (undefined: the trusted root's CAs); then `constraints`. */
  | {
      readonly mode: 'chain';
      readonly roots: string | undefined;
      readonly evidence: EvidenceSettings;
      readonly constraints: KeylessConstraints;
    }
  /** `certificates.cert` alone: the signature must verify with the certificate's public key. */
  | { readonly mode: 'bare-key'; readonly cert: string; readonly evidence: EvidenceSettings }
  /** `type: SigstoreBundle`: sigstore-go with this identity. */
  | { readonly mode: 'bundle'; readonly identity: CertificateIdentity; readonly ignoreTlog: boolean }
  /** Kyverno can never verify this attestor: why, and the failure reason it amounts to. */
  | {
      readonly mode: 'refused';
      readonly reason: 'identity-mismatch' | 'certificate-invalid';
      readonly message: string;
    };

/** Kyverno's cap on a user-given chain (CVE-2026-32280 guard): ten intermediates and the root. */
const MAX_CHAIN_CERTIFICATES = 11;
/** Kyverno's cap on `tsaCertChain`: a leaf, ten intermediates and a root. */
const MAX_TSA_CERTIFICATES = 12;

const given = (text: string | undefined): text is string => text !== undefined && text !== '';

/** `rekor` / `ctlog` as Kyverno applies them: absent blocks require tlog and SCT. */
function evidenceSettings(
  rekor: RekorSettings | undefined,
  ctlog: CtlogSettings | undefined,
): EvidenceSettings {
  return {
    ignoreTlog: rekor?.ignoreTlog === true,
    rekorPubkey: given(rekor?.pubkey) ? rekor.pubkey : undefined,
    ignoreSct: ctlog?.ignoreSCT === true,
    ctlogPubkey: given(ctlog?.pubkey) ? ctlog.pubkey : undefined,
    tsaCertChain: given(ctlog?.tsaCertChain) ? ctlog.tsaCertChain : undefined,
  };
}

function bundlePlan(check: SignatureCheck): CertificatePlan {
  const keyless = check.attestor.keyless;
  const c = keyless ?? {};
  const ignoreTlog = (keyless?.rekor ?? check.attestor.certificates?.rekor)?.ignoreTlog === true;
  const hasIssuer = given(c.issuer) || given(c.issuerRegExp);
  const hasSubject = given(c.subject) || given(c.subjectRegExp);
  if (!(hasIssuer && hasSubject))
    return {
      mode: 'refused',
      reason: 'identity-mismatch',
      message:
        "sigstore bundle verification failed: type: SigstoreBundle verifies a certificate identity only when both an issuer and a subject are given (sigstore-go: can't verify identities without providing at least one identity)",
    };
  const identity: Record<string, string> = {};
  for (const field of ['issuer', 'issuerRegExp', 'subject', 'subjectRegExp'] as const) {
    const value = c[field];
    if (given(value)) identity[field] = value;
  }
  return { mode: 'bundle', identity, ignoreTlog };
}

/**
 * How the attestor of `check` is verified. `forAttestations`: the implicit empty attestor of an
 * attestation skips SCTs, as Kyverno's attestation path does.
 */
export function certificatePlan(check: SignatureCheck, forAttestations: boolean): CertificatePlan {
  if (check.type === 'SigstoreBundle') return bundlePlan(check);
  const { keyless, certificates } = check.attestor;
  const entryRoots = given(check.roots) ? check.roots : undefined;
  if (keyless !== undefined) {
    return {
      mode: 'chain',
      // The attestor's roots replace the entry's, even when empty.
      roots: given(keyless.roots) ? keyless.roots : undefined,
      evidence: evidenceSettings(keyless.rekor, keyless.ctlog),
      constraints: keyless,
    };
  }
  if (certificates !== undefined) {
    const evidence = evidenceSettings(certificates.rekor, certificates.ctlog);
    const { cert, certChain } = certificates;
    if (given(cert) && given(certChain)) {
      const blocks = certChain.split('-----BEGIN CERTIFICATE-----').length - 1;
      return {
        mode: 'refused',
        reason: 'certificate-invalid',
        message:
          blocks > MAX_CHAIN_CERTIFICATES
            ? `certificate chain too long (${blocks}), maximum allowed is ${MAX_CHAIN_CERTIFICATES}`
            : 'failed to load validate certificate chain: Kyverno validates certificates.cert against certChain before its ctlog settings apply, so an SCT is required and no CT log key is loaded: this combination never verifies (use certChain alone, or cert alone)',
      };
    }
    if (given(cert)) return { mode: 'bare-key', cert, evidence };
    return { mode: 'chain', roots: given(certChain) ? certChain : entryRoots, evidence, constraints: {} };
  }
  // The implicit attestor of an attestation without attestors: any certificate under the roots.
  return {
    mode: 'chain',
    roots: entryRoots,
    evidence: { ...evidenceSettings(undefined, undefined), ignoreSct: forAttestations },
    constraints: {},
  };
}

/** The certificates of PEM text (Go's `pem.Decode` loop keeps only `CERTIFICATE` blocks). */
function certificateBlocks(pem: string): Uint8Array[] {
  return decodePemBlocks(pem)
    .filter((b) => b.type === 'CERTIFICATE')
    .map((b) => b.bytes);
}

/** Kyverno's checks on `tsaCertChain` before it splits it into leaf, intermediates and roots. */
function checkedTsaChain(pem: string): string {
  const blocks = pem.split('-----BEGIN CERTIFICATE-----').length - 1;
  if (blocks > MAX_TSA_CERTIFICATES)
    throw new InvalidArgumentError(
      `TSA certificate chain contains too many certificates (${blocks}), maximum allowed is ${MAX_TSA_CERTIFICATES}`,
    );
  const certs = certificateBlocks(pem).map((der, i) =>
    parseCertificate(der, `ctlog.tsaCertChain: certificate ${i + 1}`),
  );
  if (certs.filter((c) => !c.isCA).length > 1)
    throw new InvalidArgumentError('certificate chain must contain at most one TSA certificate');
  const intermediates = certs.filter((c) => c.isCA && !c.subject.equals(c.issuer)).length;
  if (intermediates > MAX_CHAIN_CERTIFICATES - 1)
    throw new InvalidArgumentError(
      `TSA certificate chain contains too many intermediate certificates (${intermediates}), maximum allowed is ${MAX_CHAIN_CERTIFICATES - 1}`,
    );
  return pem;
}

/**
 * `root` without timestamp authorities: cosign's legacy path reads RFC 3161 timestamps only from a
 * `tsaCertChain`, so no TSA of the trusted root may lend a signature its time.
 */
function withoutTimestampAuthorities(root: TrustedRoot): TrustedRoot {
  if (root.timestampAuthorities.length === 0) return root;
  // protojson accepts either spelling of the member.
  const {
    timestampAuthorities: _camel,
    timestamp_authorities: _snake,
    ...rest
  } = root.json as Record<string, unknown>;
  return parseTrustedRoot({ ...rest, timestampAuthorities: [] });
}

/**
 * Roots built per base root and attestor PEMs: every check of an attestor needs the same one, and
 * building it parses every certificate again. Bounded, though the keys come from policies alone.
 */
const composed = /* @__PURE__ */ new WeakMap<TrustedRoot, Map<string, TrustedRoot>>();
const MAX_COMPOSED_ROOTS = 256;

/**
 * The trusted root a `chain` plan is verified against: `base` with the attestor's roots, Rekor
 * key, CT key and TSA chain in place of the base's — and no
 * TSA at all without a `tsaCertChain`. Throws InvalidArgumentError naming the field when a PEM is
 * not what it should be.
 */
export function attestorTrustedRoot(
  roots: string | undefined,
  evidence: EvidenceSettings,
  base: TrustedRoot,
): TrustedRoot {
  const key = JSON.stringify([roots, evidence.rekorPubkey, evidence.ctlogPubkey, evidence.tsaCertChain]);
  let built = composed.get(base);
  if (built === undefined) {
    built = new Map();
    composed.set(base, built);
  }
  const known = built.get(key);
  if (known !== undefined) return known;
  const root = composeTrustedRoot(roots, evidence, base);
  if (built.size >= MAX_COMPOSED_ROOTS) built.clear();
  built.set(key, root);
  return root;
}

/**
 * `root` with each CA chain cut to its anchor, its last certificate: without `roots`, Kyverno trusts
 * the Fulcio roots alone (`sigstoretuf.FulcioRoots`, intermediates discarded) and takes
 * intermediates from each signature's chain annotation. The CA windows stay.
 */
function anchorsOf(root: TrustedRoot): TrustedRoot {
  if (root.certificateAuthorities.every((ca) => ca.certChain.certificates.length === 1)) return root;
  const certificateAuthorities = root.certificateAuthorities.map((ca) => {
    const anchor = ca.certChain.certificates[ca.certChain.certificates.length - 1] as {
      rawBytes: Uint8Array;
    };
    const { start, end } = ca.validFor ?? {};
    return {
      ...(ca.subject === undefined ? {} : { subject: ca.subject }),
      uri: ca.uri,
      certChain: { certificates: [{ rawBytes: toBase64(anchor.rawBytes) }] },
      ...(ca.validFor === undefined
        ? {}
        : {
            validFor: {
              ...(start === undefined ? {} : { start: start.toISOString() }),
              ...(end === undefined ? {} : { end: end.toISOString() }),
            },
          }),
      operator: ca.operator,
    };
  });
  // protojson accepts either spelling of the member.
  const {
    certificateAuthorities: _camel,
    certificate_authorities: _snake,
    ...rest
  } = root.json as Record<string, unknown>;
  return parseTrustedRoot({ ...rest, certificateAuthorities });
}

function composeTrustedRoot(
  roots: string | undefined,
  evidence: EvidenceSettings,
  base: TrustedRoot,
): TrustedRoot {
  const { rekorPubkey, ctlogPubkey, tsaCertChain } = evidence;
  // Every certificate of the roots given is an anchor (no `roots`: the base's CA roots alone); the
  // verification is asked for cosign's legacy chain rules, which take intermediates from each
  // signature's chain annotation.
  const anchored = roots === undefined ? anchorsOf(base) : base;
  if (
    tsaCertChain === undefined &&
    roots === undefined &&
    rekorPubkey === undefined &&
    ctlogPubkey === undefined
  )
    return withoutTimestampAuthorities(anchored);
  const root = trustedRootFromPems({
    base: anchored,
    ...(roots === undefined ? {} : { fulcio: roots }),
    ...(rekorPubkey === undefined ? {} : { rekor: rekorPubkey }),
    ...(ctlogPubkey === undefined ? {} : { ctlog: ctlogPubkey }),
    ...(tsaCertChain === undefined ? {} : { tsa: checkedTsaChain(tsaCertChain) }),
  });
  return tsaCertChain === undefined ? withoutTimestampAuthorities(root) : root;
}

/** Kyverno's `loadCert`: PEM, or base64 of PEM; the first certificate. */
function firstCertificate(text: string): Uint8Array {
  const compact = text.replace(/[\r\n]/g, '');
  const pem =
    !text.includes('-----BEGIN') && /^[A-Za-z0-9+/]*={0,2}$/.test(compact) && compact.length % 4 === 0
      ? Buffer.from(compact, 'base64').toString('utf8')
      : text;
  const [der] = certificateBlocks(pem);
  if (der === undefined)
    throw new InvalidArgumentError('certificates.cert holds no PEM certificate (nor base64 of one)');
  return der;
}

/** The public key of `certificates.cert`: what Kyverno verifies signatures with (`cert.PublicKey`). */
export function certificatePublicKey(text: string): PublicKey {
  const cert = parseCertificate(firstCertificate(text), 'certificates.cert');
  try {
    return importPublicKey(new Uint8Array(cert.publicKey));
  } catch (cause) {
    throw new InvalidArgumentError('certificates.cert holds a public key ocisign cannot use', { cause });
  }
}
