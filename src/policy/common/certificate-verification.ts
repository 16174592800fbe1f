/**
 * Verifies an image against a `keyless` or `certificates` attestor (or the implicit one of an
 * attestation), once `certificate-attestor.ts` has said how: the certificate chained to the
 * attestor's roots with cosign's evidence rules and legacy chain rules (`verifyImage` with
 * `anyIdentity` and the internal `LEGACY_CHAIN` opt-in, then Kyverno's own identity match on each
 * verified certificate), the bare key of `certificates.cert`, or
 * sigstore-go's bundle path with its identity. Failures are `VerificationError`s worded as
 * Kyverno words them (`subject mismatch: …`).
 *
 * Deliberately not here: key attestors and key lookups (`registry-backend.ts`), what an attestor
 * means (`certificate-attestor.ts`), Kyverno's matching rules (`keyless-match.ts`).
 */
import { PolicyUnsupportedError } from '../../errors/policy.js';
import { type FailureReason, VerificationError } from '../../errors/verify.js';
import { repositoryName } from '../../internal/reference.js';
import type { DigestAlgorithm } from '../../keys/algorithms.js';
import type { PublicKey } from '../../keys/key-objects.js';
import type { RegistryClient } from '../../registry/client.js';
import { resolveImage } from '../../registry/image-target.js';
import type { TrustedRoot } from '../../sigstore/trusted-root.js';
import {
  discoverAttestations,
  discoverSignatures,
  verifyAttestationEvidence,
  verifyImage,
  verifyImageAttestations,
  verifySignatureEvidence,
} from '../../verify/index.js';
import type { CertificateSummary } from '../../verify/keyless/identity-match.js';
import { LEGACY_CHAIN } from '../../verify/keyless/keyless-trust.js';
import type { SignatureCheck, VerifiedStatements } from './backend.js';
import {
  attestorTrustedRoot,
  type CertificatePlan,
  certificatePublicKey,
  type EvidenceSettings,
} from './certificate-attestor.js';
import { cosignWording } from './cosign-wording.js';
import { kyvernoCertificate, signaturesMismatch } from './keyless-match.js';

/** What one verification needs besides the check: the client, the base trusted root, the hash. */
export interface CertificateContext {
  readonly client: RegistryClient;
  /** The trusted root the attestor's PEMs are laid over (the caller's, or the shipped one). */
  readonly baseRoot: TrustedRoot;
  readonly digestAlgorithm: DigestAlgorithm | undefined;
}

type Verified = { readonly digest: string; readonly statements?: VerifiedStatements['statements'] };

function refusal(digest: string, reason: FailureReason, message: string): VerificationError {
  return new VerificationError(digest, [{ candidate: 'policy', reason, message }], message);
}

/** Kyverno's `checkAnnotations`: one verified payload must carry every wanted annotation, as a string. */
function checkAnnotations(
  digest: string,
  payloads: ReadonlyArray<Readonly<Record<string, unknown>> | null>,
  wanted: Readonly<Record<string, string>> | undefined,
): void {
  const entries = Object.entries(wanted ?? {});
  if (entries.length === 0) return;
  if (payloads.some((p) => entries.every(([key, value]) => p !== null && p[key] === value))) return;
  throw refusal(digest, 'annotation-mismatch', 'no signature matched the required annotations');
}

function identityCheck(
  digest: string,
  certificates: ReadonlyArray<CertificateSummary | undefined>,
  plan: CertificatePlan,
): void {
  if (plan.mode !== 'chain') return;
  const mismatch = signaturesMismatch(
    certificates.map((c) => (c === undefined ? undefined : kyvernoCertificate(c))),
    plan.constraints,
  );
  if (mismatch !== undefined) throw refusal(digest, 'identity-mismatch', mismatch);
}

/** The statements of verified attestations, as the engine reads them. */
function statementsOf(
  verified: ReadonlyArray<{ readonly statement: object }>,
): VerifiedStatements['statements'] {
  return verified.map((a) => a.statement as unknown as Readonly<Record<string, unknown>>);
}

/** Where to look and with what: the options every verification of the check shares. */
function common(check: SignatureCheck, ctx: CertificateContext) {
  return {
    registry: ctx.client,
    ...(check.repository === undefined ? {} : { repository: check.repository }),
    signal: check.signal,
  };
}

/**
 * A `chain` plan's trust: its trusted root and cosign's flags, on cosign's legacy chain rules
 * (Kyverno builds cosign's options without a trusted root): every certificate of the roots is an
 * anchor, and intermediates come from each signature's `chain` annotation.
 */
function chainTrust(roots: string | undefined, evidence: EvidenceSettings, ctx: CertificateContext) {
  return {
    [LEGACY_CHAIN]: true,
    anyIdentity: true,
    trustedRoot: attestorTrustedRoot(roots, evidence, ctx.baseRoot),
    ignoreTlog: evidence.ignoreTlog,
    ignoreSct: evidence.ignoreSct,
    useSignedTimestamps: evidence.tsaCertChain !== undefined,
    formats: ['simple-signing'] as const,
  };
}

/** `certificates.cert`: the signatures (or attestations) that verify with its bare public key. */
async function verifyWithBareKey(
  check: SignatureCheck,
  plan: Extract<CertificatePlan, { mode: 'bare-key' }>,
  ctx: CertificateContext,
  predicateType: string | undefined,
): Promise<Verified> {
  if (plan.evidence.tsaCertChain !== undefined)
    throw new PolicyUnsupportedError(
      'ctlog.tsaCertChain with certificates.cert is not evaluated by ocisign (RFC 3161 timestamps are checked for certificate chains only)',
    );
  const key: PublicKey = certificatePublicKey(plan.cert);
  const resolved = await resolveImage(ctx.client, check.image, {
    repository: check.repository,
    signal: check.signal,
  });
  const discovery = {
    signatureRepository: repositoryName(resolved.signatureRepository),
    formats: ['simple-signing'] as const,
    signal: check.signal,
  };
  const found =
    predicateType === undefined
      ? await discoverSignatures(ctx.client, resolved.digest, discovery)
      : await discoverAttestations(ctx.client, resolved.digest, { ...discovery, predicateType });
  const trust = {
    keys: [key],
    ignoreTlog: plan.evidence.ignoreTlog,
    // `rekor.pubkey` is the only Rekor key; otherwise the trusted root's.
    ...(plan.evidence.rekorPubkey === undefined
      ? { trustedRoot: ctx.baseRoot }
      : { rekorPublicKeys: [plan.evidence.rekorPubkey] }),
    ...(ctx.digestAlgorithm === undefined ? {} : { digestAlgorithm: ctx.digestAlgorithm }),
  };
  // The judge holds a layer that carries a certificate to cosign's rules for a key: the Rekor entry
  // names that certificate, which was valid at the entry's time (or now, with ignoreTlog).
  const result = await cosignWording(predicateType === undefined ? 'signatures' : 'attestations', async () =>
    predicateType === undefined
      ? verifySignatureEvidence(found, trust)
      : verifyAttestationEvidence(found, { ...trust, predicateType }),
  );
  if (!Array.isArray(result)) {
    checkAnnotations(
      result.digest,
      result.signatures.map((s) => s.annotations),
      check.attestor.annotations,
    );
    return { digest: result.digest };
  }
  checkAnnotations(resolved.digest, [null], check.attestor.annotations);
  return { digest: result[0]?.digest ?? resolved.digest, statements: statementsOf(result) };
}

/** The `verifyImage` options of a `chain` or `bundle` plan. */
function verifyOptionsOf(
  check: SignatureCheck,
  plan: Extract<CertificatePlan, { mode: 'chain' | 'bundle' }>,
  ctx: CertificateContext,
) {
  if (plan.mode === 'chain') return { ...common(check, ctx), ...chainTrust(plan.roots, plan.evidence, ctx) };
  return {
    ...common(check, ctx),
    identities: [plan.identity],
    trustedRoot: ctx.baseRoot,
    ignoreTlog: plan.ignoreTlog,
    // sigstore-go's path as Kyverno configures it never asks for SCTs.
    ignoreSct: true,
    formats: ['bundle'] as const,
  };
}

/**
 * Verifies the image's signatures (`predicateType` undefined) or its attestations of that type
 * against a certificate plan: resolves with the digest (and the statements), throws
 * `VerificationError` worded as Kyverno words it.
 */
export async function verifyCertificatePlan(
  check: SignatureCheck,
  plan: CertificatePlan,
  ctx: CertificateContext,
  predicateType?: string,
): Promise<Verified> {
  if (plan.mode === 'refused') throw refusal('', plan.reason, plan.message);
  if (plan.mode === 'bare-key') return verifyWithBareKey(check, plan, ctx, predicateType);
  const options = verifyOptionsOf(check, plan, ctx);
  const wanted = check.attestor.annotations;
  if (predicateType === undefined) {
    // Kyverno's sigstore path never reads annotations; as for keys, they are checked as claims there.
    const claims = plan.mode === 'bundle' && wanted !== undefined ? { annotations: wanted } : {};
    const result = await cosignWording('signatures', () =>
      verifyImage(check.image, { ...options, ...claims }),
    );
    identityCheck(
      result.digest,
      result.signatures.map((s) => s.certificate),
      plan,
    );
    if (plan.mode === 'chain')
      checkAnnotations(
        result.digest,
        result.signatures.map((s) => s.annotations),
        wanted,
      );
    return { digest: result.digest };
  }
  const verified = await cosignWording('attestations', () =>
    verifyImageAttestations(check.image, { ...options, predicateType }),
  );
  const digest = verified[0]?.digest ?? '';
  // Every verified attestation of the type must have the identity, not just one of them.
  for (const attestation of verified) identityCheck(digest, [attestation.certificate], plan);
  // Attestation payloads carry no `optional` map: in Kyverno, wanted annotations never match.
  if (plan.mode === 'chain') checkAnnotations(digest, [null], wanted);
  return { digest, statements: statementsOf(verified) };
}
