/**
 * Whether a certificate has one of the identities asked for, with the meaning each signature format
 * gives one identity (spec keyless.md b.4):
 *
 * - classic `.sig` layers, cosign's `CheckCertificatePolicy`: the GitHub fields first (raw `.1.2`–
 *   `.1.6`, a missing extension reads as `""`), then the subject against **every** subject
 *   alternative name (a regexp, when given, is used instead of the exact value), the issuer from
 *   `.1.1` only (likewise), then any other extensions;
 * - Sigstore bundles, sigstore-go's `CertificateIdentity.Verify`: **one** name (the first URI, else
 *   the first email, else the otherName; none fails), exact value **and** regexp when both are given,
 *   the issuer from whichever of `.1.1` and `.1.8` comes last in the certificate, then the GitHub
 *   fields and extensions.
 *
 * Pure functions over a {@link FulcioCertificate} that chained and verified elsewhere; nothing here
 * decides trust in the certificate itself. Kyverno's own matching (wildcards) is not here either.
 */
import type { FulcioCertificate } from './certificate.js';
import {
  FULCIO_EXTENSION_OIDS,
  type FulcioExtension,
  type FulcioExtensionName,
} from './fulcio-extensions.js';
import type { CompiledIdentity, CompiledRegExp, ExtensionRequirement } from './identity.js';
import type { SubjectAltName } from './subject-alt-names.js';

/** The identity entry that matched: its index in the list compiled. */
export interface IdentityMatched {
  readonly index: number;
}

/** No entry matched: the check that failed for the entry that came closest. */
export interface IdentityMismatch {
  /** A sentence for people: the failed check, what was expected and what the certificate has. */
  readonly mismatch: string;
  /**
   * The failed check: `subject`, `subject regexp`, `issuer`, `issuer regexp`, `github workflow
   * trigger` (… `sha`, `name`, `repository`, `ref`), `extension <name>`, or `identities` when the
   * list was empty.
   */
  readonly check: string;
  /** The index of the entry that passed the most checks before failing, when there was one. */
  readonly closest?: number;
}

/** The outcome of matching a certificate against identities. */
export type IdentityMatch = IdentityMatched | IdentityMismatch;

/** What a verified certificate shows, as plain data (for a verification result). */
export interface CertificateSummary {
  readonly subjectAltNames: readonly SubjectAltName[];
  /** Its Fulcio extensions by name, as decoded. */
  readonly extensions: Readonly<Partial<Record<FulcioExtensionName, string>>>;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

interface Failure {
  readonly check: string;
  readonly message: string;
}

/** What one format compares identities with. */
interface Facts {
  /** The names a subject is compared with (classic: every SAN; bundles: the one). */
  readonly names: readonly SubjectAltName[];
  readonly issuer: FulcioExtension | undefined;
  /** Where the issuer is read from, for a message. */
  readonly issuerOid: string;
  /** When both an exact value and a regexp are given: classic uses the regexp alone. */
  readonly regexpOnly: boolean;
  /** The names, for a message: "the certificate's subject alternative names: …". */
  readonly describeNames: string;
}

function quote(value: string): string {
  return JSON.stringify(value);
}

/** Go's comparison of an extension's value with an expected string (`""` when it is absent). */
function valueIs(extension: FulcioExtension | undefined, expected: string): boolean {
  if (extension === undefined) return expected === '';
  return extension.wellFormed && extension.value === expected;
}

/** Go's `MatchString` on an extension's value (`""` when absent); raw bytes that are not UTF-8 never match. */
function valueMatches(extension: FulcioExtension | undefined, regexp: CompiledRegExp): boolean {
  if (extension === undefined) return regexp.test('');
  return extension.wellFormed && regexp.test(extension.value);
}

function has(extension: FulcioExtension | undefined, oid: string): string {
  return extension === undefined ? `has no ${oid}` : `has ${quote(extension.value)} in ${oid}`;
}

function extensionNamed(cert: FulcioCertificate, name: FulcioExtensionName): FulcioExtension | undefined {
  return cert.fulcioExtensions.find((e) => e.name === name);
}

/** The issuer cosign's classic path and Kyverno read: extension `.1.1` only, raw. */
export function classicIssuer(cert: FulcioCertificate): FulcioExtension | undefined {
  return extensionNamed(cert, 'issuerV1');
}

/** The issuer sigstore-go reads: `.1.1` (raw) or `.1.8` (DER), whichever comes last in the certificate. */
export function bundleIssuer(cert: FulcioCertificate): FulcioExtension | undefined {
  let issuer: FulcioExtension | undefined;
  for (const extension of cert.fulcioExtensions)
    if (extension.name === 'issuerV1' || extension.name === 'issuerV2') issuer = extension;
  return issuer;
}

/** The one name sigstore-go compares a subject with: the first URI, else the first email, else the otherName. */
export function bundleSubject(cert: FulcioCertificate): SubjectAltName | undefined {
  const names = cert.subjectAltNames;
  return (
    names.find((n) => n.type === 'uri') ??
    names.find((n) => n.type === 'email') ??
    names.find((n) => n.type === 'otherName')
  );
}

function describeNames(names: readonly SubjectAltName[]): string {
  return names.length === 0 ? 'none' : names.map((n) => `${n.type} ${quote(n.value)}`).join(', ');
}

function extensionCheck(
  cert: FulcioCertificate,
  requirement: ExtensionRequirement,
): () => Failure | undefined {
  return () => {
    const extension = extensionNamed(cert, requirement.name);
    if (valueIs(extension, requirement.expected)) return undefined;
    const oid = FULCIO_EXTENSION_OIDS[requirement.name];
    return {
      check: requirement.check,
      message: `${requirement.check}: expected ${quote(requirement.expected)}, the certificate ${has(extension, oid)}`,
    };
  };
}

/** Runs one entry's checks in order; returns how many passed and the first that failed. */
function evaluate(identity: CompiledIdentity, cert: FulcioCertificate, facts: Facts, githubFirst: boolean) {
  const checks: (() => Failure | undefined)[] = [];
  const isGithub = (r: ExtensionRequirement) => r.check.startsWith('github ');
  const github = identity.extensions.filter(isGithub).map((r) => extensionCheck(cert, r));
  const others = identity.extensions.filter((r) => !isGithub(r)).map((r) => extensionCheck(cert, r));
  if (githubFirst) checks.push(...github);
  const values = facts.names.map((n) => n.value);
  const { subject, subjectRegExp, issuer, issuerRegExp } = identity;
  if (subjectRegExp !== undefined)
    checks.push(() =>
      values.some((v) => subjectRegExp.test(v))
        ? undefined
        : {
            check: 'subject regexp',
            message: `subject regexp: ${quote(subjectRegExp.source)} does not match; ${facts.describeNames}`,
          },
    );
  if (subject !== undefined && (subjectRegExp === undefined || !facts.regexpOnly))
    checks.push(() =>
      values.includes(subject)
        ? undefined
        : {
            check: 'subject',
            message: `subject: expected ${quote(subject)}, ${facts.describeNames}`,
          },
    );
  if (issuerRegExp !== undefined)
    checks.push(() =>
      valueMatches(facts.issuer, issuerRegExp)
        ? undefined
        : {
            check: 'issuer regexp',
            message: `issuer regexp: ${quote(issuerRegExp.source)} does not match; the certificate ${has(facts.issuer, facts.issuerOid)}`,
          },
    );
  if (issuer !== undefined && (issuerRegExp === undefined || !facts.regexpOnly))
    checks.push(() =>
      valueIs(facts.issuer, issuer)
        ? undefined
        : {
            check: 'issuer',
            message: `issuer: expected ${quote(issuer)}, the certificate ${has(facts.issuer, facts.issuerOid)}`,
          },
    );
  if (!githubFirst) checks.push(...github);
  checks.push(...others);
  let passed = 0;
  for (const check of checks) {
    const failure = check();
    if (failure !== undefined) return { passed, failure };
    passed++;
  }
  return { passed, failure: undefined };
}

function matchAll(
  identities: readonly CompiledIdentity[],
  cert: FulcioCertificate,
  facts: Facts,
  githubFirst: boolean,
): IdentityMatch {
  if (identities.length === 0) return { mismatch: 'no certificate identity was given', check: 'identities' };
  let closest: { index: number; passed: number; failure: Failure } | undefined;
  for (const identity of identities) {
    const { passed, failure } = evaluate(identity, cert, facts, githubFirst);
    if (failure === undefined) return { index: identity.index };
    if (closest === undefined || passed > closest.passed)
      closest = { index: identity.index, passed, failure };
  }
  const found = closest as { index: number; failure: Failure };
  const mismatch =
    identities.length === 1
      ? found.failure.message
      : `none of the ${identities.length} identities matched; the closest, identities[${found.index}]: ${found.failure.message}`;
  return { mismatch, check: found.failure.check, closest: found.index };
}

/**
 * Matches a certificate as cosign's classic `.sig` path does (`CheckCertificatePolicy`): the first
 * entry (in list order) whose every check holds, or the closest entry's failed check.
 */
export function matchClassic(
  identities: readonly CompiledIdentity[],
  cert: FulcioCertificate,
): IdentityMatch {
  const facts: Facts = {
    names: cert.subjectAltNames,
    issuer: classicIssuer(cert),
    issuerOid: FULCIO_EXTENSION_OIDS.issuerV1,
    regexpOnly: true,
    describeNames: `the certificate's subject alternative names: ${describeNames(cert.subjectAltNames)}`,
  };
  return matchAll(identities, cert, facts, true);
}

/**
 * Matches a certificate as cosign's Sigstore bundle path does (sigstore-go): the first entry whose
 * every check holds, or the closest entry's failed check. A certificate with no URI, email or
 * Fulcio otherName fails whatever the identities say, as sigstore-go's `SummarizeCertificate` does.
 */
export function matchBundle(identities: readonly CompiledIdentity[], cert: FulcioCertificate): IdentityMatch {
  const subject = bundleSubject(cert);
  if (subject === undefined)
    return {
      mismatch: 'subject: the certificate has no URI, email or otherName subject alternative name',
      check: 'subject',
    };
  const issuer = bundleIssuer(cert);
  const facts: Facts = {
    names: [subject],
    issuer,
    issuerOid: issuer?.oid ?? `${FULCIO_EXTENSION_OIDS.issuerV1} or ${FULCIO_EXTENSION_OIDS.issuerV2}`,
    regexpOnly: false,
    describeNames: `the certificate's subject (its first URI, else email, else otherName): ${describeNames([subject])}`,
  };
  return matchAll(identities, cert, facts, false);
}

/** What a certificate shows, as plain data: its names, its Fulcio extensions by name, its validity. */
export function summarizeCertificate(cert: FulcioCertificate): CertificateSummary {
  return {
    subjectAltNames: cert.subjectAltNames.map((n) => ({ type: n.type, value: n.value })),
    extensions: { ...cert.extensions },
    notBefore: new Date(cert.notBefore.getTime()),
    notAfter: new Date(cert.notAfter.getTime()),
  };
}
