/**
 * What the Fulcio double's certificates hold, read back by ocisign's own reader
 * (`readFulcioCertificate`) and matched by its identity matchers: for a GitHub Actions token every
 * extension Fulcio derives from the claims (raw `.1.1`–`.1.6`, DER `.1.8` on, in Fulcio's order) and
 * the workflow URI; for an email token the address; for a username issuer the otherName; and the
 * template around them (key usage, code signing, a critical SAN, ten minutes or the lifetime asked).
 */
import { generateKeyPairSync, type KeyPairKeyObjectResult, sign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { decodeFirstPemBlock } from '../../../../src/keys/pem.js';
import { createFulcio, type TestFulcio } from '../../../../src/testing/sigstore/fulcio/index.js';
import type { ServiceResponse } from '../../../../src/testing/sigstore/service.js';
import { readFulcioCertificate } from '../../../../src/verify/keyless/certificate.js';
import { compileIdentities } from '../../../../src/verify/keyless/identity.js';
import { matchBundle, matchClassic } from '../../../../src/verify/keyless/identity-match.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const GOOGLE = 'https://accounts.google.com';

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));
}

/** Asks `fulcio` for a certificate the way sigstore-js does: the proof signs the email, else `sub`. */
async function certify(
  fulcio: TestFulcio,
  token: string,
  key: KeyPairKeyObjectResult = generateKeyPairSync('ec', { namedCurve: 'P-256' }),
): Promise<
  ServiceResponse & { body: { signedCertificateEmbeddedSct: { chain: { certificates: string[] } } } }
> {
  const claims = claimsOf(token);
  const challenge = String(claims.email ?? claims.sub);
  // Fulcio verifies the proof with the key's default hash: the curve's.
  const hash = key.publicKey.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'sha384' : 'sha256';
  const body = {
    credentials: { oidcIdentityToken: token },
    publicKeyRequest: {
      publicKey: { algorithm: 'ECDSA', content: key.publicKey.export({ type: 'spki', format: 'pem' }) },
      proofOfPossession: sign(hash, Buffer.from(challenge), key.privateKey).toString('base64'),
    },
  };
  const answer = await fulcio.handler({
    method: 'POST',
    path: '/api/v2/signingCert',
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/json' },
    body: new Uint8Array(Buffer.from(JSON.stringify(body))),
  });
  if (answer === undefined) throw new Error('no answer');
  return answer as never;
}

async function leafOf(fulcio: TestFulcio, token: string) {
  const answer = await certify(fulcio, token);
  expect(answer.status).toBe(200);
  const pem = answer.body.signedCertificateEmbeddedSct.chain.certificates[0] as string;
  const der = decodeFirstPemBlock(pem)?.bytes as Uint8Array;
  return { der, cert: readFulcioCertificate(der), parsed: pkijs.Certificate.fromBER(der) };
}

/** A GitHub Actions run of a reusable workflow: the caller's and the callee's refs differ. */
const RUN = {
  repository: 'octo-org/app',
  repository_owner: 'octo-org',
  repository_id: '1234',
  repository_owner_id: '5678',
  repository_visibility: 'private',
  ref: 'refs/tags/v1.2.3',
  sha: 'a'.repeat(40),
  workflow: 'Release',
  workflow_ref: 'octo-org/app/.github/workflows/release.yml@refs/tags/v1.2.3',
  workflow_sha: 'a'.repeat(40),
  job_workflow_ref: 'octo-org/ci/.github/workflows/build.yml@refs/heads/main',
  job_workflow_sha: 'b'.repeat(40),
  event_name: 'release',
  runner_environment: 'self-hosted',
  run_id: '99',
  run_attempt: '3',
  environment: 'production',
};
const RUN_SUBJECT = 'repo:octo-org/app:environment:production';

describe('Fulcio double: a GitHub Actions certificate', () => {
  const fulcio = createFulcio();
  const token = fulcio.issueToken({ subject: RUN_SUBJECT, issuer: GITHUB, claims: RUN });

  it('names the job workflow as its URI and maps every claim as Fulcio does', async () => {
    const { cert } = await leafOf(fulcio, token);
    const gh = (path: string) => `https://github.com/${path}`;
    expect(cert.subjectAltNames).toEqual([{ type: 'uri', value: gh(RUN.job_workflow_ref) }]);
    expect(cert.extensions).toEqual({
      issuerV1: GITHUB,
      githubWorkflowTrigger: RUN.event_name,
      githubWorkflowSha: RUN.sha,
      githubWorkflowName: RUN.workflow,
      githubWorkflowRepository: RUN.repository,
      githubWorkflowRef: RUN.ref,
      issuerV2: GITHUB,
      buildSignerUri: gh(RUN.job_workflow_ref),
      buildSignerDigest: RUN.job_workflow_sha,
      runnerEnvironment: RUN.runner_environment,
      sourceRepositoryUri: gh(RUN.repository),
      sourceRepositoryDigest: RUN.sha,
      sourceRepositoryRef: RUN.ref,
      sourceRepositoryIdentifier: RUN.repository_id,
      sourceRepositoryOwnerUri: gh(RUN.repository_owner),
      sourceRepositoryOwnerIdentifier: RUN.repository_owner_id,
      buildConfigUri: gh(RUN.workflow_ref),
      buildConfigDigest: RUN.workflow_sha,
      buildTrigger: RUN.event_name,
      runInvocationUri: gh(`${RUN.repository}/actions/runs/${RUN.run_id}/attempts/${RUN.run_attempt}`),
      sourceRepositoryVisibilityAtSigning: RUN.repository_visibility,
      deploymentEnvironment: RUN.environment,
      tokenSubject: RUN_SUBJECT,
    });
  });

  it('writes .1.1–.1.6 as raw UTF-8 and .1.8 on as DER UTF8Strings, in OID order', async () => {
    const { parsed } = await leafOf(fulcio, token);
    const expected: Record<number, string> = {
      1: GITHUB,
      5: RUN.repository,
      8: GITHUB,
      12: `https://github.com/${RUN.repository}`,
      21: `https://github.com/${RUN.repository}/actions/runs/${RUN.run_id}/attempts/${RUN.run_attempt}`,
      24: RUN_SUBJECT,
    };
    const arc = '1.3.6.1.4.1.57264.1.';
    const fulcioExtensions = (parsed.extensions ?? []).filter((e) => e.extnID.startsWith(arc));
    const numbers = fulcioExtensions.map((e) => Number(e.extnID.slice(arc.length)));
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6, ...Array.from({ length: 17 }, (_, i) => i + 8)]);
    for (const extension of fulcioExtensions) {
      const n = Number(extension.extnID.slice(arc.length));
      const bytes = new Uint8Array(extension.extnValue.valueBlock.valueHexView);
      const decoded = asn1js.fromBER(bytes);
      if (n <= 6) {
        expect(bytes[0], extension.extnID).not.toBe(0x0c);
        if (expected[n] !== undefined) expect(Buffer.from(bytes).toString('utf8')).toBe(expected[n]);
      } else {
        expect(decoded.result, extension.extnID).toBeInstanceOf(asn1js.Utf8String);
        expect(decoded.offset, extension.extnID).toBe(bytes.length);
        if (expected[n] !== undefined)
          expect((decoded.result as asn1js.Utf8String).valueBlock.value).toBe(expected[n]);
      }
    }
  });

  it('leaves out the deployment environment when the run has none', async () => {
    const { environment: _, ...withoutEnvironment } = RUN;
    const plain = fulcio.issueToken({
      subject: 'repo:octo-org/app:ref:refs/tags/v1.2.3',
      issuer: GITHUB,
      claims: { ...withoutEnvironment, environment: undefined },
    });
    const { cert } = await leafOf(fulcio, plain);
    expect(cert.extensions.deploymentEnvironment).toBeUndefined();
    expect(cert.extensions.sourceRepositoryRef).toBe(RUN.ref);
  });

  it("matches the run's identity in both formats, and refuses a wrong subject, issuer or ref", async () => {
    const { cert } = await leafOf(fulcio, token);
    const subject = `https://github.com/${RUN.job_workflow_ref}`;
    const github = {
      trigger: 'release',
      sha: RUN.sha,
      name: 'Release',
      repository: RUN.repository,
      ref: RUN.ref,
    };
    const right = compileIdentities([{ subject, issuer: GITHUB, github }]);
    expect(matchClassic(right, cert)).toEqual({ index: 0 });
    const withExtensions = compileIdentities([
      {
        subject,
        issuer: GITHUB,
        extensions: { sourceRepositoryRef: RUN.ref, runnerEnvironment: 'self-hosted' },
      },
    ]);
    expect(matchBundle(withExtensions, cert)).toEqual({ index: 0 });
    const wrong = (identity: Parameters<typeof compileIdentities>[0][0]) =>
      (matchBundle(compileIdentities([identity]), cert) as { check?: string }).check;
    expect(wrong({ subject: `${subject}x`, issuer: GITHUB })).toBe('subject');
    expect(wrong({ subject, issuer: GOOGLE })).toBe('issuer');
    expect(
      (
        matchClassic(
          compileIdentities([{ subject, issuer: GITHUB, github: { ref: 'refs/heads/main' } }]),
          cert,
        ) as { check?: string }
      ).check,
    ).toBe('github workflow ref');
  });

  it('derives a consistent run from the subject when no claims are given', async () => {
    const bare = fulcio.issueToken({ subject: 'repo:someone/thing:ref:refs/heads/main', issuer: GITHUB });
    const { cert } = await leafOf(fulcio, bare);
    expect(cert.extensions.githubWorkflowRepository).toBe('someone/thing');
    expect(cert.extensions.sourceRepositoryOwnerUri).toBe('https://github.com/someone');
    expect(cert.subjectAltNames[0]?.value).toBe(`https://github.com/${claimsOf(bare).job_workflow_ref}`);
  });
});

describe('Fulcio double: email and username certificates', () => {
  it('an email token gives the address as the SAN and only issuer and subject extensions', async () => {
    const fulcio = createFulcio();
    const token = fulcio.issueToken({ subject: 'alice@example.com', issuer: GOOGLE });
    const { cert } = await leafOf(fulcio, token);
    expect(cert.subjectAltNames).toEqual([{ type: 'email', value: 'alice@example.com' }]);
    expect(cert.extensions).toEqual({
      issuerV1: GOOGLE,
      issuerV2: GOOGLE,
      tokenSubject: 'alice@example.com',
    });
    const identities = compileIdentities([{ subject: 'alice@example.com', issuer: GOOGLE }]);
    expect(matchBundle(identities, cert)).toEqual({ index: 0 });
    expect(matchClassic(identities, cert)).toEqual({ index: 0 });
  });

  it('a username issuer gives an otherName <user>!<domain> in a critical SAN', async () => {
    const issuer = 'https://idp.example.com';
    const fulcio = createFulcio({
      issuers: { [issuer]: { type: 'username', subjectDomain: 'example.com' } },
    });
    const { cert, parsed } = await leafOf(fulcio, fulcio.issueToken({ subject: 'alice', issuer }));
    expect(cert.subjectAltNames).toEqual([{ type: 'otherName', value: 'alice!example.com' }]);
    expect(parsed.extensions?.find((e) => e.extnID === '2.5.29.17')?.critical).toBe(true);
    expect(matchBundle(compileIdentities([{ subject: 'alice!example.com', issuer }]), cert)).toEqual({
      index: 0,
    });
  });
});

describe('Fulcio double: the certificate template', () => {
  it('signs code only, for ten minutes from now, with a critical SAN and no unhandled critical extension', async () => {
    const clock = new Date('2026-05-04T10:20:30Z');
    const fulcio = createFulcio({ now: () => clock });
    const token = fulcio.issueToken({ subject: 'bob@example.com', issuer: GOOGLE });
    const { cert, parsed } = await leafOf(fulcio, token);
    expect(cert.notBefore).toEqual(clock);
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(10 * 60 * 1000);
    expect(cert.extendedKeyUsages).toEqual(['1.3.6.1.5.5.7.3.3']);
    expect(cert.codeSigning).toBe(true);
    expect(cert.unhandledCriticalExtensions).toEqual([]);
    const keyUsage = parsed.extensions?.find((e) => e.extnID === '2.5.29.15');
    expect(keyUsage?.critical).toBe(true);
    expect(Buffer.from(keyUsage?.extnValue.valueBlock.valueHexView as Uint8Array).toString('hex')).toBe(
      '03020780',
    );
    expect(parsed.subject.typesAndValues).toEqual([]);
    expect((parsed.extensions ?? []).map((e) => e.extnID).at(-1)).toBe('1.3.6.1.4.1.11129.2.4.2');
  });

  it('lives as long as asked', async () => {
    const fulcio = createFulcio({ certificateLifetimeMs: 90_000 });
    const { cert } = await leafOf(fulcio, fulcio.issueToken({ subject: 'bob@example.com', issuer: GOOGLE }));
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(90_000);
  });

  it('certifies the key that proved itself', async () => {
    const fulcio = createFulcio();
    const key = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const token = fulcio.issueToken({ subject: 'bob@example.com', issuer: GOOGLE });
    const answer = await certify(fulcio, token, key);
    expect(answer.status).toBe(200);
    const leaf = pkijs.Certificate.fromBER(
      decodeFirstPemBlock(answer.body.signedCertificateEmbeddedSct.chain.certificates[0] as string)
        ?.bytes as Uint8Array,
    );
    expect(Buffer.from(leaf.subjectPublicKeyInfo.toSchema().toBER())).toEqual(
      key.publicKey.export({ type: 'spki', format: 'der' }),
    );
  });
});
