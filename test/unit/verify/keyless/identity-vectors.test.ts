/**
 * Every keyless vector case with a cosign policy (../shared/vectors/keyless/<case>/case.json
 * `verify`), its flags mapped to a CertificateIdentity and matched with the matcher of its format
 * (classic for `.sig` layers, bundle for Sigstore bundles). Where the case's expected outcome is
 * decided by the identity (the policy-* cases, the regexp prefix pitfall, the GitHub flag on a Google
 * certificate), the matcher gives that outcome; everywhere else the identity matches (but for one
 * case that fails anyway, listed below), so any failure the case expects must come from the
 * evidence, not the identity.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type FulcioCertificate,
  readFulcioCertificate,
  readFulcioCertificatePem,
} from '../../../../src/verify/keyless/certificate.js';
import { compileIdentities } from '../../../../src/verify/keyless/identity.js';
import {
  type IdentityMatch,
  matchBundle,
  matchClassic,
} from '../../../../src/verify/keyless/identity-match.js';
import {
  bundleCertificateDer,
  classicCertificatePem,
  identityOf,
  type KeylessCase,
  keylessCase,
} from '../../../helpers/fulcio-certs.js';
import { readVectors, SHARED_DIR } from '../../../helpers/vectors.js';

/** The cases whose expected outcome the identity decides (their `expected.reason` is about it). */
const IDENTITY_DECIDES = new Set([
  'policy-github-extensions-match',
  'policy-identity-and-regexp-both',
  'policy-identity-regexp-unanchored',
  'policy-issuer-trailing-slash',
  'policy-wrong-identity',
  'policy-wrong-issuer',
  'classic-github-actions-regexp-prefix-pitfall',
  'classic-google-sa-github-flag',
]);

/**
 * Cases that fail for another reason and whose policy does not describe their certificate either:
 * sigstore-conformance gives every case the same identity, but this bundle was signed by a@tny.town
 * through GitHub's OAuth login. Its expected failure is the root in its chain; the identity fails too.
 */
const IDENTITY_ALSO_WRONG = new Set(['conf-bundle-with-root-cert']);

function certificateOf(c: KeylessCase): FulcioCertificate {
  if (c.files.layer !== undefined)
    return readFulcioCertificatePem(classicCertificatePem(c.id, c.files.layer));
  return readFulcioCertificate(bundleCertificateDer(c.id, c.files.bundle));
}

function isClassic(c: KeylessCase): boolean {
  return c.format.startsWith('cosign-classic-sig-layer');
}

const index = readVectors<{ cases: { id: string }[] }>('keyless/index.json');
const cases = index.cases.map((entry) => keylessCase(entry.id)).filter((c) => c.verify !== undefined);

describe('identity matching on the keyless vectors', () => {
  it('reads every case with a policy, and each case whose outcome the identity decides', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const ids = new Set(cases.map((c) => c.id));
    for (const id of IDENTITY_DECIDES) expect(ids, id).toContain(id);
    expect(readdirSync(join(SHARED_DIR, 'vectors', 'keyless')).length).toBeGreaterThan(cases.length);
  });

  it.each(cases.map((c) => [c.id, c]))('%s', (_id, c) => {
    const compiled = compileIdentities([identityOf(c.verify ?? {})]);
    const cert = certificateOf(c);
    const result: IdentityMatch = isClassic(c) ? matchClassic(compiled, cert) : matchBundle(compiled, cert);
    const expected = IDENTITY_DECIDES.has(c.id)
      ? c.expected?.outcome
      : IDENTITY_ALSO_WRONG.has(c.id)
        ? 'fail'
        : 'pass';
    if (expected === 'fail') expect(c.expected?.outcome).toBe('fail');
    expect('index' in result ? 'pass' : 'fail', JSON.stringify(result)).toBe(expected);
  });

  it('gives the failing check that each identity case names', () => {
    const checkOf = (id: string) => {
      const c = keylessCase(id);
      const compiled = compileIdentities([identityOf(c.verify ?? {})]);
      const result = isClassic(c)
        ? matchClassic(compiled, certificateOf(c))
        : matchBundle(compiled, certificateOf(c));
      return 'check' in result ? result.check : 'pass';
    };
    expect(checkOf('policy-wrong-identity')).toBe('subject');
    expect(checkOf('policy-wrong-issuer')).toBe('issuer');
    expect(checkOf('policy-issuer-trailing-slash')).toBe('issuer');
    expect(checkOf('policy-identity-and-regexp-both')).toBe('subject');
    expect(checkOf('classic-google-sa-github-flag')).toBe('github workflow trigger');
  });

  it('policy-identity-and-regexp-both passes as a library identity on the classic path (regexp wins)', () => {
    const c = keylessCase('policy-identity-and-regexp-both');
    expect(matchClassic(compileIdentities([identityOf(c.verify ?? {})]), certificateOf(c))).toEqual({
      index: 0,
    });
  });

  it('classic-github-actions with another tag fails on the subject', () => {
    const c = keylessCase('classic-github-actions');
    const identity = {
      ...identityOf(c.verify ?? {}),
      subject: String(c.verify?.certificateIdentity).replace('v0.0.30', 'v0.0.31'),
    };
    expect(matchClassic(compileIdentities([identity]), certificateOf(c))).toMatchObject({ check: 'subject' });
  });
});
