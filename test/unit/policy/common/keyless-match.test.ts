/**
 * Kyverno's own keyless identity match (kyverno pkg/image/verifiers/cpol/cosign/cosign.go
 * `matchCertificateData`) on real Fulcio certificates from ../shared/vectors/keyless and on edited
 * copies: go-wildcards against every SAN, unanchored RE2 regexps, the subject check skipped for a
 * certificate without SANs, the issuer from `.1.1` only, `additionalExtensions` by name and by
 * OID, and an unknown extension key as a typed error.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../../src/errors/index.js';
import {
  certificateMismatch,
  hasIdentityConstraints,
  type KeylessConstraints,
  type KyvernoCertificate,
  kyvernoCertificate,
  kyvernoExtension,
  signaturesMismatch,
} from '../../../../src/policy/common/keyless-match.js';
import { readFulcioCertificate } from '../../../../src/verify/keyless/certificate.js';
import { summarizeCertificate } from '../../../../src/verify/keyless/identity-match.js';
import {
  bundleCertificateDer,
  classicCertificatePem,
  fulcioExtension,
  pemToDer,
  raw,
  san,
  sanExtension,
  withExtensions,
  without,
} from '../../../helpers/fulcio-certs.js';

const F = '1.3.6.1.4.1.57264.1';
const SAN_OID = '2.5.29.17';
const ACTIONS = 'https://token.actions.githubusercontent.com';
const WORKFLOW =
  'https://github.com/salrashid123/go-bazel-github-workflow/.github/workflows/release.yaml@refs/tags/v0.0.30';

const facts = (der: Uint8Array): KyvernoCertificate =>
  kyvernoCertificate(summarizeCertificate(readFulcioCertificate(der)));
const githubDer = pemToDer(classicCertificatePem('classic-github-actions'));
const github = facts(githubDer);
const googleSa = facts(pemToDer(classicCertificatePem('classic-google-service-account')));
const otherName = facts(bundleCertificateDer('sgo-othername-san'));
const noSans = facts(withExtensions(githubDer, without(SAN_OID)));
/** The GitHub leaf with several SANs: Kyverno compares the subject with every one of them. */
const manySans = facts(
  withExtensions(githubDer, (extensions) => [
    ...without(SAN_OID)(extensions),
    sanExtension([
      san.uri('https://example.com/first'),
      san.email('dev@example.com'),
      san.dns('build.example.com'),
    ]),
  ]),
);
/** The GitHub leaf without `.1.1`: its issuer reads as "" for Kyverno (`.1.8` is not read). */
const noIssuerV1 = facts(withExtensions(githubDer, without(`${F}.1`)));

const matches = (cert: KyvernoCertificate, c: KeylessConstraints) =>
  certificateMismatch(cert, c) === undefined;

describe('Kyverno keyless match: subject', () => {
  it('reads a real certificate as Kyverno does: the URI SAN, the raw .1.1 to .1.6 values', () => {
    expect(github.subjectAltNames).toEqual([WORKFLOW]);
    expect(github.extensions).toMatchObject({
      issuerV1: ACTIONS,
      githubWorkflowTrigger: 'push',
      githubWorkflowName: 'Release',
      githubWorkflowRepository: 'salrashid123/go-bazel-github-workflow',
      githubWorkflowRef: 'refs/tags/v0.0.30',
    });
    expect(googleSa.subjectAltNames).toEqual(['cosign@cosign-test-384419.iam.gserviceaccount.com']);
    expect(otherName.subjectAltNames).toEqual(['foo!oidc.local']);
  });

  it('subject is a go-wildcard over the whole name: * crosses /, ? is one character', () => {
    expect(matches(github, { subject: 'https://github.com/salrashid123/*' })).toBe(true);
    expect(matches(github, { subject: WORKFLOW })).toBe(true);
    expect(
      matches(github, {
        subject:
          'https://github.com/salrashid123/go-bazel-github-workflow/.github/workflows/release.yaml@refs/tags/v0.0.3?',
      }),
    ).toBe(true);
    // Whole-string: a prefix alone does not match, and the wildcard is not a regexp.
    expect(matches(github, { subject: 'https://github.com/salrashid123/' })).toBe(false);
    expect(matches(github, { subject: 'https://github\\.com/salrashid123/.*' })).toBe(false);
    expect(certificateMismatch(github, { subject: 'https://github.com/acme/*' })).toBe(
      `subject mismatch: expected https://github.com/acme/*, received ${WORKFLOW}`,
    );
  });

  it('subject is compared with every SAN, in Go order (DNS, email, IP, URI)', () => {
    expect(manySans.subjectAltNames).toEqual([
      'build.example.com',
      'dev@example.com',
      'https://example.com/first',
    ]);
    expect(matches(manySans, { subject: 'dev@example.com' })).toBe(true);
    expect(matches(manySans, { subject: 'build.*' })).toBe(true);
    expect(certificateMismatch(manySans, { subject: 'nobody@example.com' })).toBe(
      'subject mismatch: expected nobody@example.com, received build.example.com, dev@example.com, https://example.com/first',
    );
  });

  it('subjectRegExp is unanchored RE2, and either subject or subjectRegExp matching is enough', () => {
    expect(matches(github, { subjectRegExp: 'salrashid123/go-bazel' })).toBe(true);
    // Unanchored: a tag prefix also matches a longer tag (the pitfall the spec warns of).
    expect(matches(github, { subjectRegExp: '@refs/tags/v0\\.0\\.3' })).toBe(true);
    expect(matches(github, { subjectRegExp: '^https://github\\.com/acme/.*$' })).toBe(false);
    expect(matches(github, { subject: 'nope', subjectRegExp: 'release\\.yaml' })).toBe(true);
    expect(matches(github, { subject: 'https://github.com/*', subjectRegExp: '^nope$' })).toBe(true);
    // RE2, not JavaScript: (?i) is a flag group, and lookahead is refused.
    expect(matches(github, { subjectRegExp: '(?i)HTTPS://GITHUB.COM/SALRASHID123' })).toBe(true);
    expect(() => certificateMismatch(github, { subjectRegExp: 'a(?=b)' })).toThrow(InvalidArgumentError);
  });

  it('a bad subjectRegExp fails even when the wildcard matched (Kyverno compiles it anyway)', () => {
    expect(() =>
      certificateMismatch(github, { subject: 'https://github.com/*', subjectRegExp: '(' }),
    ).toThrow(/keyless\.subjectRegExp is not a valid Go RE2 regexp/);
  });

  it('a certificate without SANs skips the subject check, even a bad regexp, but not the issuer', () => {
    expect(noSans.subjectAltNames).toEqual([]);
    expect(matches(noSans, { subject: 'https://github.com/acme/*', subjectRegExp: '(' })).toBe(true);
    expect(matches(noSans, { subject: 'x', issuer: 'https://accounts.google.com' })).toBe(false);
  });
});

describe('Kyverno keyless match: issuer and extensions', () => {
  it('issuer is a wildcard and issuerRegExp an unanchored regexp, both checked, against .1.1', () => {
    expect(matches(github, { issuer: ACTIONS })).toBe(true);
    expect(matches(github, { issuer: 'https://token.actions.*' })).toBe(true);
    expect(matches(github, { issuerRegExp: 'actions\\.githubusercontent' })).toBe(true);
    expect(matches(github, { issuer: ACTIONS, issuerRegExp: 'accounts\\.google' })).toBe(false);
    expect(certificateMismatch(github, { issuer: 'https://accounts.google.com' })).toBe(
      `issuer mismatch: expected https://accounts.google.com, received ${ACTIONS}`,
    );
  });

  it('the issuer is .1.1 only: a certificate with just .1.8 has the empty issuer', () => {
    expect(noIssuerV1.extensions.issuerV2).toBe(ACTIONS);
    expect(matches(noIssuerV1, { issuer: ACTIONS })).toBe(false);
    expect(certificateMismatch(noIssuerV1, { issuer: ACTIONS })).toBe(
      `issuer mismatch: expected ${ACTIONS}, received `,
    );
    expect(matches(noIssuerV1, { issuer: '*' })).toBe(true);
  });

  it('additionalExtensions by Kyverno name or by OID, values as wildcards', () => {
    expect(
      matches(github, {
        additionalExtensions: { githubWorkflowTrigger: 'push', githubWorkflowRef: 'refs/tags/v*' },
      }),
    ).toBe(true);
    expect(
      matches(github, { additionalExtensions: { [`${F}.5`]: 'salrashid123/*', [`${F}.4`]: 'Release' } }),
    ).toBe(true);
    expect(matches(github, { additionalExtensions: { oidcIssuer: ACTIONS } })).toBe(true);
    expect(
      certificateMismatch(github, { additionalExtensions: { githubWorkflowRef: 'refs/heads/main' } }),
    ).toBe(
      'extension mismatch: expected refs/heads/main for key githubWorkflowRef, received refs/tags/v0.0.30',
    );
    // An extension the certificate lacks reads as "".
    expect(matches(googleSa, { additionalExtensions: { githubWorkflowSha: '*' } })).toBe(true);
    expect(matches(googleSa, { additionalExtensions: { githubWorkflowSha: '?*' } })).toBe(false);
    expect(kyvernoExtension(`${F}.6`)).toBe('githubWorkflowRef');
    expect(kyvernoExtension('sourceRepositoryRef')).toBeUndefined();
  });

  it('an extension key Kyverno does not know is an error, never "any value"', () => {
    for (const key of ['sourceRepositoryRef', `${F}.14`, 'issuerV2', 'toString'])
      expect(() => certificateMismatch(github, { additionalExtensions: { [key]: '*' } }), key).toThrow(
        new RegExp(`invalid certificate extension ${key.replaceAll('.', '\\.')}`),
      );
  });

  it('raw extension values are read as written, not as DER (an edited .1.2)', () => {
    const edited = facts(
      withExtensions(githubDer, (extensions) => [
        ...without(`${F}.2`)(extensions),
        fulcioExtension(2, raw('workflow_dispatch')),
      ]),
    );
    expect(matches(edited, { additionalExtensions: { githubWorkflowTrigger: 'workflow_*' } })).toBe(true);
  });
});

describe('Kyverno matchSignatures', () => {
  it('nothing asked: every certificate passes, even none', () => {
    expect(hasIdentityConstraints({ subject: '', issuer: '', additionalExtensions: {} })).toBe(false);
    expect(signaturesMismatch([github], {})).toBeUndefined();
    expect(signaturesMismatch([undefined], { subject: '' })).toBeUndefined();
  });

  it('one matching certificate is enough; otherwise every mismatch is reported', () => {
    expect(signaturesMismatch([googleSa, github], { subject: WORKFLOW })).toBeUndefined();
    expect(signaturesMismatch([googleSa, github], { issuer: 'https://gitlab.com' })).toBe(
      `issuer mismatch: expected https://gitlab.com, received https://accounts.google.com; issuer mismatch: expected https://gitlab.com, received ${ACTIONS}`,
    );
  });

  it('a signature without a certificate ends the check: certificate not found', () => {
    expect(signaturesMismatch([undefined, github], { subject: WORKFLOW })).toBe('certificate not found');
  });
});
