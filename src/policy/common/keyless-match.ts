/**
 * Kyverno's own identity check of keyless signatures, run after cosign verified them
 * (`matchSignatures` / `matchCertificateData` / `matchExtensions` in kyverno
 * `pkg/image/verifiers/cpol/cosign/cosign.go`). It differs from cosign's flags:
 *
 * - `subject` is a go-wildcard (`*`, `?`) against **every** subject alternative name, `subjectRegExp`
 *   an unanchored RE2 regexp against every one; either matching is enough. A certificate with no
 *   subject alternative name skips the subject check altogether.
 * - `issuer` (wildcard) and `issuerRegExp` (unanchored) are both checked, against the raw `.1.1`
 *   extension only (`""` when absent).
 * - `additionalExtensions` keys are `oidcIssuer`, `githubWorkflowTrigger`, `githubWorkflowSha`,
 *   `githubWorkflowName`, `githubWorkflowRepository`, `githubWorkflowRef` or their OIDs `.1.1`–`.1.6`;
 *   values are wildcards; any other key is an error.
 * - Nothing set: every certificate passes. Otherwise one signature's certificate matching is enough
 *   (an attestation's caller asks for each one of them).
 *
 * Pure functions over plain certificate facts, shared by `registryBackend` (facts from the verified
 * certificate) and `fixtureBackend` (facts recorded in the fixture), so both judge alike. Regexps
 * compile through the verifier's RE2 compiler, lazily, as Kyverno compiles them only when reached.
 */
import { InvalidArgumentError } from '../../errors/base.js';
import { FULCIO_EXTENSION_OIDS, type FulcioExtensionName } from '../../verify/keyless/fulcio-extensions.js';
import { type CompiledRegExp, compileRegExp } from '../../verify/keyless/identity.js';
import type { CertificateSummary } from '../../verify/keyless/identity-match.js';
import type { SubjectAltNameType } from '../../verify/keyless/subject-alt-names.js';
import type { KeylessAttestor } from './types.js';
import { matchImagePattern } from './wildcard.js';

/** What Kyverno reads from a verified certificate. */
export interface KyvernoCertificate {
  /** Every subject alternative name, in Go's order (DNS, email, IP, URI, then the otherName). */
  readonly subjectAltNames: readonly string[];
  /** Fulcio extensions by name; `.1.1`–`.1.6` as their raw text. */
  readonly extensions: Readonly<Partial<Record<FulcioExtensionName, string>>>;
}

/** The identity fields of a `keyless` attestor. */
export type KeylessConstraints = Pick<
  KeylessAttestor,
  'subject' | 'subjectRegExp' | 'issuer' | 'issuerRegExp' | 'additionalExtensions'
>;

/** Kyverno's `additionalExtensions` names (cosign's `CertExtensionMap`) and the extension each reads. */
export const KYVERNO_EXTENSION_KEYS: Readonly<Record<string, FulcioExtensionName>> = Object.freeze({
  oidcIssuer: 'issuerV1',
  githubWorkflowTrigger: 'githubWorkflowTrigger',
  githubWorkflowSha: 'githubWorkflowSha',
  githubWorkflowName: 'githubWorkflowName',
  githubWorkflowRepository: 'githubWorkflowRepository',
  githubWorkflowRef: 'githubWorkflowRef',
});

/** The extension an `additionalExtensions` key reads (by Kyverno name or OID), or undefined. */
export function kyvernoExtension(key: string): FulcioExtensionName | undefined {
  if (Object.hasOwn(KYVERNO_EXTENSION_KEYS, key)) return KYVERNO_EXTENSION_KEYS[key];
  return Object.values(KYVERNO_EXTENSION_KEYS).find((name) => FULCIO_EXTENSION_OIDS[name] === key);
}

/** Go's `GetSubjectAlternateNames` order. */
const SAN_ORDER: readonly SubjectAltNameType[] = ['dns', 'email', 'ip', 'uri', 'otherName'];

/** A verified certificate's summary as Kyverno reads it. */
export function kyvernoCertificate(summary: CertificateSummary): KyvernoCertificate {
  return {
    subjectAltNames: SAN_ORDER.flatMap((type) =>
      summary.subjectAltNames.filter((n) => n.type === type).map((n) => n.value),
    ),
    extensions: summary.extensions,
  };
}

const present = (value: string | undefined): value is string => value !== undefined && value !== '';

/** Whether the attestor asks anything of the certificate (Go's "all empty" short-cut). */
export function hasIdentityConstraints(c: KeylessConstraints): boolean {
  return (
    present(c.subject) ||
    present(c.subjectRegExp) ||
    present(c.issuer) ||
    present(c.issuerRegExp) ||
    Object.keys(c.additionalExtensions ?? {}).length > 0
  );
}

/** Compiles each regexp once, when first reached. */
function regexpCache(): (pattern: string, field: string) => CompiledRegExp {
  const compiled = new Map<string, CompiledRegExp>();
  return (pattern, field) => {
    const key = `${field}\u0000${pattern}`;
    let regexp = compiled.get(key);
    if (regexp === undefined) {
      regexp = compileRegExp(pattern, `keyless.${field}`);
      compiled.set(key, regexp);
    }
    return regexp;
  };
}

type Compile = ReturnType<typeof regexpCache>;

function subjectMismatch(cert: KyvernoCertificate, c: KeylessConstraints, compile: Compile) {
  const sans = cert.subjectAltNames;
  if (!(present(c.subject) || present(c.subjectRegExp)) || sans.length === 0) return undefined;
  const { subject, subjectRegExp } = c;
  let matched = present(subject) && sans.some((s) => matchImagePattern(subject, s));
  // Kyverno compiles the regexp even when the wildcard matched: a bad one fails the entry anyway.
  if (present(subjectRegExp)) {
    const regexp = compile(subjectRegExp, 'subjectRegExp');
    matched ||= sans.some((s) => regexp.test(s));
  }
  if (matched) return undefined;
  return `subject mismatch: expected ${present(subject) ? subject : subjectRegExp}, received ${sans.join(', ')}`;
}

function extensionsMismatch(cert: KyvernoCertificate, c: KeylessConstraints, compile: Compile) {
  const issuerText = cert.extensions.issuerV1 ?? '';
  if (present(c.issuer) && !matchImagePattern(c.issuer, issuerText))
    return `issuer mismatch: expected ${c.issuer}, received ${issuerText}`;
  if (present(c.issuerRegExp) && !compile(c.issuerRegExp, 'issuerRegExp').test(issuerText))
    return `issuer mismatch: expected ${c.issuerRegExp}, received ${issuerText}`;
  for (const [key, wanted] of Object.entries(c.additionalExtensions ?? {})) {
    const name = kyvernoExtension(key);
    if (name === undefined)
      throw new InvalidArgumentError(
        `keyless.additionalExtensions: invalid certificate extension ${key} (known: ${Object.keys(KYVERNO_EXTENSION_KEYS).join(', ')} or their OIDs)`,
      );
    const value = cert.extensions[name] ?? '';
    if (!matchImagePattern(wanted, value))
      return `extension mismatch: expected ${wanted} for key ${key}, received ${value}`;
  }
  return undefined;
}

/**
 * Why one certificate does not have the attestor's identity (Kyverno's wording), or undefined when
 * it has. Throws {@link InvalidArgumentError} when a regexp it reaches is not RE2 or an
 * `additionalExtensions` key is not one Kyverno knows — the entry then fails, as in Kyverno.
 */
export function certificateMismatch(
  cert: KyvernoCertificate,
  constraints: KeylessConstraints,
  compile: Compile = regexpCache(),
): string | undefined {
  return subjectMismatch(cert, constraints, compile) ?? extensionsMismatch(cert, constraints, compile);
}

/**
 * Kyverno's `matchSignatures`: undefined when the attestor asks nothing, or when one verified
 * signature's certificate has the identity; else every certificate's mismatch, joined. A signature
 * with no certificate ends the check: `certificate not found`.
 */
export function signaturesMismatch(
  certificates: ReadonlyArray<KyvernoCertificate | undefined>,
  constraints: KeylessConstraints,
): string | undefined {
  if (!hasIdentityConstraints(constraints)) return undefined;
  const compile = regexpCache();
  const mismatches: string[] = [];
  for (const cert of certificates) {
    if (cert === undefined) return 'certificate not found';
    const mismatch = certificateMismatch(cert, constraints, compile);
    if (mismatch === undefined) return undefined;
    mismatches.push(mismatch);
  }
  return mismatches.length > 0 ? mismatches.join('; ') : 'invalid signature';
}
