/**
 * Certificate identities: validation up front (typed errors naming the field, RE2's own message for
 * a bad pattern), the warnings for unanchored regexps, Go RE2 semantics through re2js, and the two
 * formats' matching rules (spec keyless.md b.4) on real certificates and edited copies where the
 * formats disagree: exact plus regexp, which SANs count, which issuer extension counts.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../../src/errors/base.js';
import {
  readFulcioCertificate,
  readFulcioCertificatePem,
} from '../../../../src/verify/keyless/certificate.js';
import {
  type CertificateIdentity,
  compileIdentities,
  IDENTITY_WARNING_CODES,
  isAnchoredRegExp,
} from '../../../../src/verify/keyless/identity.js';
import {
  bundleIssuer,
  bundleSubject,
  classicIssuer,
  type IdentityMatch,
  matchBundle,
  matchClassic,
  summarizeCertificate,
} from '../../../../src/verify/keyless/identity-match.js';
import {
  classicCertificatePem,
  derUtf8,
  fulcioExtension,
  pemToDer,
  raw,
  san,
  sanExtension,
  withExtensions,
  without,
} from '../../../helpers/fulcio-certs.js';

const F = '1.3.6.1.4.1.57264.1';
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const WORKFLOW =
  'https://github.com/salrashid123/go-bazel-github-workflow/.github/workflows/release.yaml@refs/tags/v0.0.30';
const githubDer = pemToDer(classicCertificatePem('classic-github-actions'));
const github = readFulcioCertificate(githubDer);
const googleSa = readFulcioCertificatePem(classicCertificatePem('classic-google-service-account'));

function compile(...identities: CertificateIdentity[]) {
  return compileIdentities(identities);
}

function warnings(...identities: CertificateIdentity[]): string[] {
  const seen: string[] = [];
  compileIdentities(identities, (message) => seen.push(message));
  return seen;
}

function refused(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error('expected an InvalidArgumentError');
}

function edited(...edits: Parameters<typeof withExtensions>[1][]) {
  return readFulcioCertificate(edits.reduce((der, edit) => withExtensions(der, edit), githubDer));
}

const both = (identity: CertificateIdentity, cert = github) => {
  const compiled = compile(identity);
  return { classic: matchClassic(compiled, cert), bundle: matchBundle(compiled, cert) };
};

const pass: IdentityMatch = { index: 0 };

describe('compileIdentities refuses, before any certificate', () => {
  it.each([
    ['an empty entry', [{}], 'identities[0] is empty'],
    ['an entry with empty GitHub fields only', [{ github: {} }], 'identities[0] is empty'],
    ['a misspelt field', [{ subjectRegex: 'x', issuer: 'i' }], 'no field "subjectRegex"'],
    [
      'a misspelt GitHub field',
      [{ issuer: 'i', github: { branch: 'main' } }],
      'identities[0].github has no field',
    ],
    [
      'an unknown extension',
      [{ issuer: 'i', extensions: { issuerV3: 'x' } }],
      'identities[0].extensions has no field',
    ],
    ['an empty string', [{ subject: '', issuer: 'i' }], '/subject must be a non-empty string'],
    ['a number', [{ subject: 1, issuer: 'i' }], '/subject must be a non-empty string'],
    ['a lone surrogate', [{ subject: 'a\uD800', issuer: 'i' }], 'without lone surrogates'],
    ['null', [null], 'identities[0] must be an identity object'],
    [
      'a bad RE2 pattern',
      [{ subjectRegExp: '(abc', issuer: 'i' }],
      'identities[0].subjectRegExp is not a valid Go RE2 regexp: error parsing regexp: missing closing ): `(abc`',
    ],
    [
      'a lookahead',
      [{ subject: 's', issuerRegExp: '(?=x)' }],
      'identities[0].issuerRegExp is not a valid Go RE2 regexp: error parsing regexp: invalid or unsupported Perl syntax',
    ],
    [
      'a backreference',
      [{ subject: 's', issuer: 'i' }, { subjectRegExp: '(a)\\1' }],
      'identities[1].subjectRegExp',
    ],
  ])('%s', (_what, list, message) => {
    expect(refused(() => compileIdentities(list as CertificateIdentity[]))).toContain(message);
  });

  it('a list that is not an array', () => {
    expect(refused(() => compileIdentities({ subject: 's' } as unknown as CertificateIdentity[]))).toContain(
      'must be an array',
    );
  });

  it('accepts an exact value and a regexp for the same field (each format has its meaning)', () => {
    expect(compile({ subject: 's', subjectRegExp: '^s$', issuer: 'i', issuerRegExp: '^i$' })).toHaveLength(1);
  });
});

describe('warnings', () => {
  it('opens each with a stable code', () => {
    const seen = warnings(
      { subjectRegExp: 'x', issuerRegExp: 'y' },
      { subject: 's' },
      { issuer: 'i', issuerRegExp: '^i$' },
    );
    expect(seen.map((m) => m.split(':')[0])).toEqual([
      'UNANCHORED_REGEXP',
      'UNANCHORED_REGEXP',
      'NO_ISSUER',
      'NO_SUBJECT',
      'EXACT_AND_REGEXP',
    ]);
    expect(seen.every((m) => IDENTITY_WARNING_CODES.some((code) => m.startsWith(`${code}: `)))).toBe(true);
    expect(seen[0]).toContain('identities[0].subjectRegExp "x" is not anchored');
  });

  it('gives none for an exact identity and issuer', () => {
    expect(warnings({ subject: WORKFLOW, issuer: GITHUB_ISSUER })).toEqual([]);
  });

  it.each([
    ['^https://github\\.com/org/repo/$', true],
    ['\\Ahttps://x\\z', true],
    ['(?i)^abc$', true],
    ['(?i)(?s)^a.c$', true],
    ['^(a|b)$', true],
    ['^[|]$', true],
    ['^[]|]$', true],
    ['^\\Q|\\E$', true],
    ['^a\\\\$', true],
    ['^[[:alpha:]|]$', true],
    ['https://github.com/org/', false],
    ['^https://github.com/org/', false],
    ['https://github.com/org/$', false],
    ['^a|b$', false],
    ['^a\\$', false],
    ['(?m)^a$', false],
    ['(?im)^a$', false],
    ['^', false],
    ['$', false],
  ])('isAnchoredRegExp(%s) is %s', (pattern, anchored) => {
    expect(isAnchoredRegExp(pattern)).toBe(anchored);
    expect(warnings({ subjectRegExp: pattern, issuer: 'i' }).length).toBe(anchored ? 0 : 1);
  });
});

describe('Go RE2 semantics (re2js, never RegExp)', () => {
  const matches = (pattern: string, value: string) =>
    compile({ subjectRegExp: pattern })[0]?.subjectRegExp?.test(value);

  it('(?i:…) groups (JavaScript RegExp refuses them on Node 20, accepts them on 24)', () => {
    expect(matches('(?i:HTTPS://GITHUB\\.COM/)', WORKFLOW)).toBe(true);
  });

  it('\\d is ASCII only, $ is the end of the text, . is any character but newline', () => {
    expect(matches('^\\d$', '\u0663')).toBe(false);
    expect(matches('^\\d$', '3')).toBe(true);
    expect(matches('^a$', 'a\n')).toBe(false);
    expect(matches('^a.c$', 'a\nc')).toBe(false);
  });

  it('is unanchored: a prefix matches a longer tag (the prefix pitfall)', () => {
    expect(
      matches(
        'https://github.com/salrashid123/go-bazel-github-workflow/.github/workflows/release.yaml@refs/tags/v0.0.3',
        WORKFLOW,
      ),
    ).toBe(true);
    expect(
      matches(
        '^https://github\\.com/salrashid123/go-bazel-github-workflow/\\.github/workflows/release\\.yaml@refs/tags/v0\\.0\\.3$',
        WORKFLOW,
      ),
    ).toBe(false);
    expect(matches('github.com/org/', 'https://evil.example/?https://github.com/org/')).toBe(true);
  });
});

describe('matchClassic and matchBundle on a real GitHub Actions certificate', () => {
  it('pass the exact identity, issuer and GitHub fields', () => {
    const identity = {
      subject: WORKFLOW,
      issuer: GITHUB_ISSUER,
      github: {
        trigger: 'push',
        sha: '7624bd5f279fb5d4700ea72c1b2373ee33960700',
        name: 'Release',
        repository: 'salrashid123/go-bazel-github-workflow',
        ref: 'refs/tags/v0.0.30',
      },
      extensions: { runnerEnvironment: 'github-hosted', sourceRepositoryVisibilityAtSigning: 'public' },
    };
    expect(both(identity)).toEqual({ classic: pass, bundle: pass });
  });

  it('name the failing check and what the certificate has', () => {
    const result = both({ subject: WORKFLOW, issuer: GITHUB_ISSUER, github: { ref: 'refs/tags/v0.0.31' } });
    for (const r of [result.classic, result.bundle])
      expect(r).toEqual({
        mismatch: `github workflow ref: expected "refs/tags/v0.0.31", the certificate has "refs/tags/v0.0.30" in ${F}.6`,
        check: 'github workflow ref',
        closest: 0,
      });
    expect(both({ subject: `${WORKFLOW}1`, issuer: GITHUB_ISSUER }).classic).toMatchObject({
      check: 'subject',
    });
    expect(both({ subject: WORKFLOW, issuer: `${GITHUB_ISSUER}/` }).bundle).toMatchObject({
      check: 'issuer',
      mismatch: `issuer: expected "${GITHUB_ISSUER}/", the certificate has "${GITHUB_ISSUER}" in ${F}.8`,
    });
    expect(both({ subject: WORKFLOW, issuerRegExp: '^https://accounts' }).classic).toMatchObject({
      check: 'issuer regexp',
    });
    expect(both({ subject: WORKFLOW, extensions: { deploymentEnvironment: 'prod' } }).bundle).toMatchObject({
      check: 'extension deploymentEnvironment',
      mismatch: `extension deploymentEnvironment: expected "prod", the certificate has no ${F}.23`,
    });
  });

  it('exact plus regexp: classic uses the regexp alone, bundles require both', () => {
    expect(
      both({
        subject: 'https://example.com/other',
        subjectRegExp: '^https://github\\.com/salrashid123/',
        issuer: GITHUB_ISSUER,
      }),
    ).toEqual({
      classic: pass,
      bundle: expect.objectContaining({ check: 'subject' }),
    });
    expect(both({ subject: WORKFLOW, issuer: 'https://other', issuerRegExp: 'token\\.actions' })).toEqual({
      classic: pass,
      bundle: expect.objectContaining({ check: 'issuer' }),
    });
    expect(both({ subject: WORKFLOW, subjectRegExp: 'nope', issuer: GITHUB_ISSUER }).bundle).toMatchObject({
      check: 'subject regexp',
    });
  });

  it('several entries mean any: the first that matches, else the closest', () => {
    const compiled = compile(
      { subject: 'a', issuer: 'b' },
      { subject: WORKFLOW, issuer: 'b' },
      { subject: WORKFLOW, issuer: GITHUB_ISSUER },
      { subjectRegExp: '.' },
    );
    expect(matchClassic(compiled, github)).toEqual({ index: 2 });
    expect(matchBundle(compiled, github)).toEqual({ index: 2 });
    const miss = matchClassic(compiled.slice(0, 2), github);
    expect(miss).toMatchObject({ check: 'issuer', closest: 1 });
    expect((miss as { mismatch: string }).mismatch).toMatch(
      /^none of the 2 identities matched; the closest, identities\[1\]: issuer:/,
    );
  });

  it('an empty list matches nothing', () => {
    expect(matchClassic([], github)).toEqual({
      mismatch: 'no certificate identity was given',
      check: 'identities',
    });
    expect(matchBundle([], github)).toMatchObject({ check: 'identities' });
  });
});

describe('where the formats read the certificate differently', () => {
  const issuers = (first: [number, Uint8Array], second: [number, Uint8Array]) =>
    edited(without(`${F}.1`, `${F}.8`), (e) => [...e, fulcioExtension(...first), fulcioExtension(...second)]);

  it('issuer: classic reads .1.1 only; bundles the last of .1.1 and .1.8', () => {
    const v2Last = issuers([1, raw('https://v1')], [8, derUtf8('https://v2')]);
    expect(classicIssuer(v2Last)?.value).toBe('https://v1');
    expect(bundleIssuer(v2Last)?.value).toBe('https://v2');
    expect(both({ subject: WORKFLOW, issuer: 'https://v1' }, v2Last)).toEqual({
      classic: pass,
      bundle: expect.objectContaining({ check: 'issuer' }),
    });
    expect(both({ subject: WORKFLOW, issuer: 'https://v2' }, v2Last)).toEqual({
      classic: expect.objectContaining({ check: 'issuer' }),
      bundle: pass,
    });
    const v1Last = issuers([8, derUtf8('https://v2')], [1, raw('https://v1')]);
    expect(both({ subject: WORKFLOW, issuer: 'https://v1' }, v1Last)).toEqual({
      classic: pass,
      bundle: pass,
    });
  });

  it('a missing issuer reads as "": exact fails, a regexp matching "" passes (Go MatchString)', () => {
    const noIssuer = edited(without(`${F}.1`, `${F}.8`));
    expect(both({ subject: WORKFLOW, issuer: GITHUB_ISSUER }, noIssuer).classic).toMatchObject({
      mismatch: `issuer: expected "${GITHUB_ISSUER}", the certificate has no ${F}.1`,
    });
    expect(both({ subject: WORKFLOW, issuerRegExp: '^$' }, noIssuer)).toEqual({
      classic: pass,
      bundle: pass,
    });
  });

  it('subject: classic compares every SAN; bundles only the first URI, else email, else otherName', () => {
    const cert = edited(without('2.5.29.17'), (e) => [
      ...e,
      sanExtension([
        san.dns('example.com'),
        san.email('a@example.com'),
        san.uri('https://b'),
        san.ip([10, 0, 0, 1]),
        san.uri('https://c'),
      ]),
    ]);
    expect(bundleSubject(cert)).toEqual({ type: 'uri', value: 'https://b' });
    for (const subject of ['example.com', 'a@example.com', '10.0.0.1', 'https://c'])
      expect(both({ subject, issuer: GITHUB_ISSUER }, cert), subject).toEqual({
        classic: pass,
        bundle: expect.objectContaining({ check: 'subject' }),
      });
    expect(both({ subject: 'https://b', issuer: GITHUB_ISSUER }, cert)).toEqual({
      classic: pass,
      bundle: pass,
    });
    const emailFirst = edited(without('2.5.29.17'), (e) => [
      ...e,
      sanExtension([san.otherName(`${F}.7`), san.email('a@example.com')]),
    ]);
    expect(bundleSubject(emailFirst)).toEqual({ type: 'email', value: 'a@example.com' });
  });

  it('a certificate with no URI, email or otherName fails every bundle identity', () => {
    const dnsOnly = edited(without('2.5.29.17'), (e) => [...e, sanExtension([san.dns('example.com')])]);
    expect(both({ subject: 'example.com', issuer: GITHUB_ISSUER }, dnsOnly)).toEqual({
      classic: pass,
      bundle: {
        mismatch: 'subject: the certificate has no URI, email or otherName subject alternative name',
        check: 'subject',
      },
    });
    expect(matchBundle(compile({ issuer: GITHUB_ISSUER }), dnsOnly)).toMatchObject({ check: 'subject' });
  });

  it('a GitHub field on a certificate without it compares with "" (classic-google-service-account)', () => {
    expect(
      both(
        {
          subject: 'cosign@cosign-test-384419.iam.gserviceaccount.com',
          issuer: 'https://accounts.google.com',
          github: { trigger: 'push' },
        },
        googleSa,
      ),
    ).toEqual({
      classic: {
        mismatch: `github workflow trigger: expected "push", the certificate has no ${F}.2`,
        check: 'github workflow trigger',
        closest: 0,
      },
      bundle: expect.objectContaining({ check: 'github workflow trigger' }),
    });
  });

  it('a raw value that is not UTF-8 equals no expected string, even its U+FFFD rendering', () => {
    const cert = edited(without(`${F}.2`), (e) => [...e, fulcioExtension(2, new Uint8Array([0x70, 0xff]))]);
    expect(both({ subject: WORKFLOW, github: { trigger: 'p\uFFFD' } }, cert).classic).toMatchObject({
      check: 'github workflow trigger',
    });
  });
});

describe('summarizeCertificate', () => {
  it('gives the SANs, the extensions by name and the validity as plain data', () => {
    const summary = summarizeCertificate(googleSa);
    expect(summary).toEqual({
      subjectAltNames: [{ type: 'email', value: 'cosign@cosign-test-384419.iam.gserviceaccount.com' }],
      extensions: { issuerV1: 'https://accounts.google.com', issuerV2: 'https://accounts.google.com' },
      notBefore: googleSa.notBefore,
      notAfter: googleSa.notAfter,
    });
    expect(JSON.parse(JSON.stringify(summary)).extensions.issuerV2).toBe('https://accounts.google.com');
  });
});
