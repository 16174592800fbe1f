/**
 * The Fulcio double on loopback HTTP against the client we must interoperate with: @sigstore/sign's
 * `FulcioSigner` (ephemeral key, proof over the token's subject, `POST /api/v2/signingCert`) and its
 * `CAClient` get certificates for tokens from `issueToken`; the chain and SCT verify with
 * @sigstore/verify against the double's trust material; ocisign reads the identity back and
 * matches it. Refusals and faults reach the client as Fulcio's would: a 400 for a bad token, a 503
 * it retries, an answer that never comes, a body that is not JSON.
 */
import { createPublicKey, verify } from 'node:crypto';
import { X509Certificate } from '@sigstore/core';
import { FulcioSigner, InternalError } from '@sigstore/sign';
import { CAClient } from '@sigstore/sign/dist/signer/fulcio/ca.js';
import { verifyCertificateChain } from '@sigstore/verify/dist/key/certificate.js';
import { verifySCTs } from '@sigstore/verify/dist/key/sct.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFirstPemBlock } from '../../../src/keys/pem.js';
import { trustedRootFromPems, trustMaterialOf } from '../../../src/sigstore/index.js';
import { createFulcio } from '../../../src/testing/sigstore/fulcio/index.js';
import { type RunningService, serveOnLoopback } from '../../../src/testing/sigstore/service.js';
import { readFulcioCertificate } from '../../../src/verify/keyless/certificate.js';
import { compileIdentities } from '../../../src/verify/keyless/identity.js';
import { matchBundle, matchClassic } from '../../../src/verify/keyless/identity-match.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const SUBJECT = 'repo:acme/widget:ref:refs/tags/v3.1.4';
const RUN = {
  repository: 'acme/widget',
  ref: 'refs/tags/v3.1.4',
  sha: 'd'.repeat(40),
  workflow: 'Publish',
  event_name: 'push',
  job_workflow_ref: 'acme/widget/.github/workflows/publish.yml@refs/tags/v3.1.4',
};

describe('Fulcio double over HTTP with sigstore-js', () => {
  const fulcio = createFulcio();
  let service: RunningService;
  beforeAll(async () => {
    service = await serveOnLoopback([fulcio.handler]);
  });
  afterAll(async () => {
    await service.close();
  });
  const token = () => fulcio.issueToken({ subject: SUBJECT, issuer: GITHUB, claims: RUN });
  const signer = (identity: string, options: { retry?: number; timeout?: number } = {}) =>
    new FulcioSigner({
      fulcioBaseURL: service.url,
      identityProvider: { getToken: async () => identity },
      ...options,
    });

  it('FulcioSigner signs with a certificate that chains, carries a verifying SCT and names the workflow', async () => {
    const data = Buffer.from('what was signed');
    const signature = await signer(token()).sign(data);
    if (signature.key.$case !== 'x509Certificate') throw new Error('expected a certificate');
    const pem = signature.key.certificate;
    expect(verify('sha256', data, createPublicKey(pem), signature.signature)).toBe(true);

    const material = trustMaterialOf(
      trustedRootFromPems({ fulcio: fulcio.caChainPem, ctlog: fulcio.ctLogPublicKeyPem }),
    );
    const leaf = X509Certificate.parse(pem);
    const path = verifyCertificateChain(new Date(), leaf, material.certificateAuthorities);
    expect(path).toHaveLength(3);
    expect(verifySCTs(leaf, path[1] as X509Certificate, material.ctlogs)).toHaveLength(1);

    const cert = readFulcioCertificate(decodeFirstPemBlock(pem)?.bytes as Uint8Array);
    const subject = `https://github.com/${RUN.job_workflow_ref}`;
    expect(cert.subjectAltNames).toEqual([{ type: 'uri', value: subject }]);
    const github = {
      trigger: 'push',
      sha: RUN.sha,
      name: 'Publish',
      repository: RUN.repository,
      ref: RUN.ref,
    };
    expect(matchClassic(compileIdentities([{ subject, issuer: GITHUB, github }]), cert)).toEqual({
      index: 0,
    });
    expect(matchBundle(compileIdentities([{ subject, issuer: GITHUB }]), cert)).toEqual({ index: 0 });
    expect(
      (
        matchBundle(compileIdentities([{ subject: `${subject}.evil`, issuer: GITHUB }]), cert) as {
          check: string;
        }
      ).check,
    ).toBe('subject');
  });

  it('CAClient gets the whole chain: leaf, intermediate, root', async () => {
    const { EphemeralSigner } = await import('@sigstore/sign/dist/signer/fulcio/ephemeral.js');
    const key = new EphemeralSigner();
    const challenge = await key.sign(Buffer.from(SUBJECT));
    if (challenge.key.$case !== 'publicKey') throw new Error('expected a key');
    const chain = await new CAClient({
      fulcioBaseURL: service.url,
      retry: 0,
      timeout: 5000,
    }).createSigningCertificate(token(), challenge.key.publicKey, challenge.signature);
    expect(chain).toHaveLength(3);
    expect(chain.slice(1).join('')).toBe(fulcio.caChainPem);
  });

  it('a token the double did not sign, or an expired one, is refused with a 400 the client reports', async () => {
    const foreign = createFulcio().issueToken({ subject: SUBJECT, issuer: GITHUB, claims: RUN });
    const expired = fulcio.issueToken({
      subject: SUBJECT,
      issuer: GITHUB,
      claims: RUN,
      expiresInSeconds: -5,
    });
    for (const bad of [foreign, expired]) {
      const error = await signer(bad)
        .sign(Buffer.from('x'))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InternalError);
      expect((error as InternalError).code).toBe('CA_CREATE_SIGNING_CERTIFICATE_ERROR');
      expect((error as InternalError).cause).toMatchObject({
        statusCode: 400,
        message: '(400) There was an error processing the identity token',
      });
    }
  });

  it('answers 503 while unavailable; a client that retries gets through', async () => {
    fulcio.faults.inject('unavailable', { times: 1 });
    const error = await signer(token())
      .sign(Buffer.from('x'))
      .catch((e: unknown) => e);
    expect((error as InternalError).cause).toMatchObject({ statusCode: 503 });
    fulcio.faults.inject('unavailable', { times: 1 });
    const before = fulcio.calls['/api/v2/signingCert'] ?? 0;
    const signature = await signer(token(), { retry: 1 }).sign(Buffer.from('x'));
    expect(signature.key.$case).toBe('x509Certificate');
    expect(fulcio.calls['/api/v2/signingCert']).toBe(before + 2);
  });

  it('a hanging Fulcio leaves the client to its timeout; garbage fails its parse', async () => {
    fulcio.faults.inject('hang', { times: 1 });
    const started = Date.now();
    const hung = await signer(token(), { timeout: 300 })
      .sign(Buffer.from('x'))
      .catch((e: unknown) => e);
    expect(hung).toBeInstanceOf(InternalError);
    expect(Date.now() - started).toBeLessThan(5000);
    fulcio.faults.inject('garbage', { times: 1 });
    const garbled = await signer(token())
      .sign(Buffer.from('x'))
      .catch((e: unknown) => e);
    expect(garbled).toBeInstanceOf(InternalError);
    expect(String((garbled as InternalError).cause)).toMatch(/JSON/);
  });

  it('serves the trust bundle and configuration, and nothing else', async () => {
    const bundle = (await (await fetch(`${service.url}/api/v2/trustBundle`)).json()) as {
      chains: { certificates: string[] }[];
    };
    expect(bundle.chains[0]?.certificates.join('')).toBe(fulcio.caChainPem);
    const config = (await (await fetch(`${service.url}/api/v2/configuration`)).json()) as {
      issuers: { issuerUrl: string }[];
    };
    expect(config.issuers.map((i) => i.issuerUrl)).toContain(GITHUB);
    const wrongMethod = await fetch(`${service.url}/api/v2/signingCert`);
    expect(wrongMethod.status).toBe(501);
    expect((await fetch(`${service.url}/api/v1/rootCert`)).status).toBe(404);
  });
});
