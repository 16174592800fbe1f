/**
 * The certificate members cosign adds to a keyless payload it prints (cosign v3.1.2
 * cli/verify/common.go `PrintVerification`), on a real certificate summary: the GitHub Actions
 * release certificate of ../shared/vectors/keyless/classic-github-actions.
 */
import { describe, expect, it } from 'vitest';
import { withCertificateFields } from '../../../src/cli/certificate-output.js';
import type { CertificateSummary } from '../../../src/verify/index.js';
import { readFulcioCertificate } from '../../../src/verify/keyless/certificate.js';
import { summarizeCertificate } from '../../../src/verify/keyless/identity-match.js';
import { classicCertificatePem, pemToDer } from '../../helpers/fulcio-certs.js';

const real = summarizeCertificate(
  readFulcioCertificate(pemToDer(classicCertificatePem('classic-github-actions'))),
);
const PAYLOAD = { critical: { image: { 'docker-manifest-digest': 'sha256:c0' } }, optional: { env: 'prod' } };

describe('withCertificateFields', () => {
  it("adds cosign's Subject, Issuer and GitHub members by name and OID, keeping the signed ones", () => {
    expect(withCertificateFields(PAYLOAD, real)).toEqual({
      critical: PAYLOAD.critical,
      optional: {
        env: 'prod',
        Subject:
          'https://github.com/salrashid123/go-bazel-github-workflow/.github/workflows/release.yaml@refs/tags/v0.0.30',
        Issuer: 'https://token.actions.githubusercontent.com',
        '1.3.6.1.4.1.57264.1.1': 'https://token.actions.githubusercontent.com',
        githubWorkflowTrigger: 'push',
        '1.3.6.1.4.1.57264.1.2': 'push',
        githubWorkflowSha: '7624bd5f279fb5d4700ea72c1b2373ee33960700',
        '1.3.6.1.4.1.57264.1.3': '7624bd5f279fb5d4700ea72c1b2373ee33960700',
        githubWorkflowName: 'Release',
        '1.3.6.1.4.1.57264.1.4': 'Release',
        githubWorkflowRepository: 'salrashid123/go-bazel-github-workflow',
        '1.3.6.1.4.1.57264.1.5': 'salrashid123/go-bazel-github-workflow',
        githubWorkflowRef: 'refs/tags/v0.0.30',
        '1.3.6.1.4.1.57264.1.6': 'refs/tags/v0.0.30',
      },
    });
    expect(PAYLOAD.optional).toEqual({ env: 'prod' }); // the input is not edited
  });

  it("takes cosign's first SAN (DNS, email, IP, URI, otherName), makes `optional` when null", () => {
    const summary: CertificateSummary = {
      ...real,
      subjectAltNames: [
        { type: 'uri', value: 'https://example.com/u' },
        { type: 'email', value: 'me@example.com' },
      ],
      extensions: { issuerV2: 'https://accounts.google.com' },
    };
    // Only the v1 issuer extension is printed, as cosign's GetIssuer reads only .1.1.
    expect(withCertificateFields({ critical: {}, optional: null }, summary)).toEqual({
      critical: {},
      optional: { Subject: 'me@example.com' },
    });
    expect(withCertificateFields({ optional: {} }, { ...summary, subjectAltNames: [] })).toEqual({
      optional: { Subject: '' },
    });
  });

  it('leaves a payload that is not a JSON object as it is', () => {
    expect(withCertificateFields([1], real)).toEqual([1]);
    expect(withCertificateFields('text', real)).toBe('text');
  });
});
