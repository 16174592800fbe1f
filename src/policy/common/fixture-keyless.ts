/**
 * Keyless evidence as `fixtureBackend` records it — what a real signature's certificate and its
 * Rekor, CT and TSA evidence would show — and its verdict under a certificate plan
 * (`certificate-attestor.ts`), with the same Kyverno matcher `registryBackend` uses
 * (`keyless-match.ts`). Roots, Rekor, CT and TSA keys are compared by their PEM bodies, so a
 * fixture names exactly which CA, log or TSA produced each piece of evidence.
 *
 * Deliberately not here: cryptography. The fixture says what verified; this decides whether that
 * is what the attestor demands.
 */
import { type FailureReason, VerificationError } from '../../errors/verify.js';
import type { FulcioExtensionName } from '../../verify/keyless/fulcio-extensions.js';
import { FULCIO_EXTENSION_NAMES, FULCIO_EXTENSION_OIDS } from '../../verify/keyless/fulcio-extensions.js';
import { type CertificateIdentity, compileRegExp } from '../../verify/keyless/identity.js';
import type { CertificatePlan } from './certificate-attestor.js';
import { type KyvernoCertificate, kyvernoExtension, signaturesMismatch } from './keyless-match.js';

/** `chainsTo` of a certificate from Sigstore's public-good Fulcio (what an attestor without roots trusts). */
export const PUBLIC_GOOD = 'public-good';

/** One keyless signature (or attestation signature) as a fixture records it. */
export interface KeylessSignatureEvidence {
  /**
   * The root CA the certificate chains to: its PEM (or PEM body), matched against the attestor's
   * `roots` / `certChain` block by block, or {@link PUBLIC_GOOD} for Sigstore's Fulcio.
   */
  readonly chainsTo: string;
  /** Every subject alternative name of the certificate (URI, email, DNS, IP, otherName values). */
  readonly subjectAltNames?: readonly string[];
  /** One subject alternative name: shorthand for `subjectAltNames: [san]` (the shared vectors' spelling). */
  readonly san?: string;
  /** The raw `.1.1` OIDC issuer extension: shorthand for `extensions.oidcIssuer`. */
  readonly issuerExt?: string;
  /**
   * Fulcio extensions by Kyverno's name (`oidcIssuer`, `githubWorkflowRef`, …), OID
   * (`1.3.6.1.4.1.57264.1.14`) or ocisign's name (`sourceRepositoryRef`, `issuerV2`, …).
   */
  readonly extensions?: Readonly<Record<string, string>>;
  /** A Rekor entry with a SET: `true` from the public-good Rekor, or the PEM of the Rekor key that signed it. */
  readonly tlog?: boolean | string;
  /** An embedded SCT: `true` from a public-good CT log, or the PEM of the CT log key that signed it. */
  readonly sct?: boolean | string;
  /**
   * An RFC 3161 timestamp: the PEM of the TSA root (or signing certificate) it chains to, matched
   * against `ctlog.tsaCertChain`, or {@link PUBLIC_GOOD} for a TSA of the trusted root (which only
   * `type: SigstoreBundle` reads without a `tsaCertChain`).
   */
  readonly timestamp?: string;
  /** Whether the certificate is valid now (Fulcio certificates live ten minutes). Default false. */
  readonly validNow?: boolean;
}

/** The whitespace-free bodies of the PEM blocks of `text`, or `text` itself when it has none. */
function bodies(text: string): string[] {
  const found = [...text.matchAll(/-----BEGIN [^-]+-----([\s\S]*?)-----END [^-]+-----/g)].map((m) =>
    (m[1] ?? '').replace(/\s+/g, ''),
  );
  return found.length > 0 ? found : [text.replace(/\s+/g, '')];
}

/** Whether `wanted` (PEM text) holds the block `recorded` names. */
const holds = (wanted: string, recorded: string): boolean => {
  const [body] = bodies(recorded);
  return body !== undefined && bodies(wanted).includes(body);
};

/** Whether recorded log evidence came from the key the attestor trusts (`true`: the public-good log). */
function signedBy(recorded: boolean | string | undefined, pubkey: string | undefined): boolean {
  if (recorded === undefined || recorded === false) return false;
  if (pubkey === undefined) return recorded === true;
  return typeof recorded === 'string' && holds(pubkey, recorded);
}

const BY_NAME: ReadonlySet<string> = new Set(FULCIO_EXTENSION_NAMES);

/**
 * The Fulcio extension a recorded `extensions` key names — Kyverno's name, the OID or ocisign's
 * name — or undefined for a key that names none (the fixture loader refuses those).
 */
export function recordedExtensionName(key: string): FulcioExtensionName | undefined {
  return (
    kyvernoExtension(key) ??
    (BY_NAME.has(key)
      ? (key as FulcioExtensionName)
      : FULCIO_EXTENSION_NAMES.find((n) => FULCIO_EXTENSION_OIDS[n] === key))
  );
}

/** The certificate facts Kyverno reads, from the recorded evidence. */
export function recordedCertificate(sig: KeylessSignatureEvidence): KyvernoCertificate {
  const extensions: Partial<Record<FulcioExtensionName, string>> = {};
  for (const [key, value] of Object.entries(sig.extensions ?? {})) {
    const name = recordedExtensionName(key);
    if (name !== undefined) extensions[name] = value;
  }
  if (sig.issuerExt !== undefined) extensions.issuerV1 = sig.issuerExt;
  return {
    subjectAltNames: sig.subjectAltNames ?? (sig.san === undefined ? [] : [sig.san]),
    extensions,
  };
}

/** Why cosign (or sigstore-go) would not verify this signature under the plan, or undefined. */
function evidenceProblem(sig: KeylessSignatureEvidence, plan: CertificatePlan): string | undefined {
  if (plan.mode === 'bare-key' || plan.mode === 'refused') return 'the signature carries no key';
  const roots = plan.mode === 'chain' ? plan.roots : undefined;
  if (roots === undefined ? sig.chainsTo !== PUBLIC_GOOD : !holds(roots, sig.chainsTo))
    return 'x509: certificate signed by unknown authority';
  const evidence =
    plan.mode === 'chain'
      ? plan.evidence
      : {
          ignoreTlog: plan.ignoreTlog,
          rekorPubkey: undefined,
          ignoreSct: true,
          ctlogPubkey: undefined,
          tsaCertChain: undefined,
        };
  if (!evidence.ignoreSct && !signedBy(sig.sct, evidence.ctlogPubkey))
    return sig.sct === undefined || sig.sct === false
      ? 'certificate does not include required embedded SCT and no detached SCT was set'
      : 'error verifying embedded SCT: no trusted CT log key signed it';
  let signedTime = false;
  if (sig.timestamp !== undefined) {
    // cosign's legacy path reads timestamps only with a tsaCertChain; sigstore-go takes the trusted root's TSAs.
    if (evidence.tsaCertChain !== undefined) {
      if (!holds(evidence.tsaCertChain, sig.timestamp))
        return 'unable to verify RFC3161 timestamp bundle: it does not chain to ctlog.tsaCertChain';
      signedTime = true;
    } else signedTime = plan.mode === 'bundle' && sig.timestamp === PUBLIC_GOOD;
  }
  if (!evidence.ignoreTlog) {
    if (!signedBy(sig.tlog, evidence.rekorPubkey))
      return sig.tlog === undefined || sig.tlog === false
        ? 'signature not found in transparency log'
        : 'error verifying bundle: no trusted Rekor key signed its entry';
    signedTime = true;
  }
  if (!signedTime && sig.validNow !== true)
    return 'expected a signed timestamp to verify an expired certificate';
  return undefined;
}

/** sigstore-go's identity check on a bundle: the first name and the issuer, exact and RE2 alike. */
function bundleIdentityMismatch(cert: KyvernoCertificate, identity: CertificateIdentity): string | undefined {
  const [name] = cert.subjectAltNames;
  const issuer = cert.extensions.issuerV2 ?? cert.extensions.issuerV1 ?? '';
  const checks: Array<[string | undefined, string | undefined, string, string]> = [
    [identity.subject, identity.subjectRegExp, name ?? '', 'subject'],
    [identity.issuer, identity.issuerRegExp, issuer, 'issuer'],
  ];
  for (const [exact, regexp, value, field] of checks) {
    if (exact !== undefined && exact !== value) return `${field}: expected ${exact}, got ${value}`;
    if (regexp !== undefined && !compileRegExp(regexp, `keyless.${field}RegExp`).test(value))
      return `${field} regexp: ${regexp} does not match ${value}`;
  }
  return undefined;
}

function failure(
  what: string,
  message: string,
  reason: FailureReason = 'identity-mismatch',
): VerificationError {
  return new VerificationError('', [{ candidate: 'fixture', reason, message }], `${what}${message}`);
}

/**
 * The recorded keyless signatures (or attestations: `each` true) that count under the plan. Throws
 * `VerificationError` when none does, or (`each`) when one of them lacks the identity, worded as
 * Kyverno words each failure.
 */
export function judgeRecordedKeyless<T extends { readonly keyless: KeylessSignatureEvidence }>(
  recorded: readonly T[],
  plan: CertificatePlan,
  each: boolean,
): T[] {
  const what = each ? 'no matching attestations: ' : 'no matching signatures: ';
  if (plan.mode === 'refused') throw failure('', plan.message, plan.reason);
  const problems: string[] = [];
  const verified = recorded.filter((r) => {
    const problem = evidenceProblem(r.keyless, plan);
    if (problem !== undefined) problems.push(problem);
    return problem === undefined;
  });
  if (plan.mode === 'bundle') {
    const { identity } = plan;
    const matching = verified.filter(
      (r) => bundleIdentityMismatch(recordedCertificate(r.keyless), identity) === undefined,
    );
    if (matching.length === 0)
      throw failure('sigstore bundle verification failed: ', 'no matching signatures found');
    return matching;
  }
  if (verified.length === 0)
    throw failure(
      what,
      problems.length > 0 ? [...new Set(problems)].join('; ') : 'no signatures found',
      problems.length > 0 ? 'certificate-invalid' : 'none-found',
    );
  if (plan.mode !== 'chain') return verified;
  const groups = each ? verified.map((r) => [r]) : [verified];
  for (const group of groups) {
    const mismatch = signaturesMismatch(
      group.map((r) => recordedCertificate(r.keyless)),
      plan.constraints,
    );
    if (mismatch !== undefined) throw failure('', mismatch);
  }
  return verified;
}
