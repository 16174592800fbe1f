/**
 * The identity tokens the Fulcio double's issuer signs: a compact JWS, ES256, that verifies with
 * the issuer's public key; the registered claims (`iss`, `sub`, `aud` = `sigstore`, `iat`, `exp`);
 * per issuer type the email claims or the GitHub Actions claims (derived from what is given, the
 * caller's claims winning); and the issuer's own check of a token.
 */
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../../src/errors/base.js';
import { createFulcio, createOidcIssuer } from '../../../../src/testing/sigstore/fulcio/index.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const GOOGLE = 'https://accounts.google.com';

function parts(token: string) {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  return { header: json(header), claims: json(payload), signed: `${header}.${payload}`, signature };
}

describe('Fulcio double: issueToken', () => {
  const clock = new Date('2026-03-04T05:06:07Z');
  const fulcio = createFulcio({ now: () => clock });

  it('signs an ES256 JWS that verifies with the issuer key', () => {
    const token = fulcio.issueToken({ subject: 'erin@example.com', issuer: GOOGLE });
    const { header, signed, signature } = parts(token);
    expect(header).toEqual({ alg: 'ES256', kid: fulcio.oidcIssuer.keyId, typ: 'JWT' });
    const key = createPublicKey(fulcio.oidcIssuer.publicKeyPem);
    const ok = verify(
      'sha256',
      Buffer.from(signed),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    expect(ok).toBe(true);
  });

  it('gives an email issuer’s token the registered claims and a verified email', () => {
    const iat = clock.getTime() / 1000;
    expect(parts(fulcio.issueToken({ subject: 'erin@example.com', issuer: GOOGLE })).claims).toEqual({
      iss: GOOGLE,
      sub: 'erin@example.com',
      aud: 'sigstore',
      iat,
      nbf: iat,
      exp: iat + 600,
      email: 'erin@example.com',
      email_verified: true,
    });
  });

  it('gives a GitHub token every claim Fulcio reads, derived from those given', () => {
    const { claims } = parts(
      fulcio.issueToken({
        subject: 'repo:acme/rocket:ref:refs/tags/v2.0.0',
        issuer: GITHUB,
        claims: { ref: 'refs/tags/v2.0.0', sha: 'c'.repeat(40), event_name: 'release' },
      }),
    );
    expect(claims).toMatchObject({
      sub: 'repo:acme/rocket:ref:refs/tags/v2.0.0',
      repository: 'acme/rocket',
      repository_owner: 'acme',
      ref: 'refs/tags/v2.0.0',
      ref_type: 'tag',
      sha: 'c'.repeat(40),
      event_name: 'release',
      workflow_ref: 'acme/rocket/.github/workflows/release.yml@refs/tags/v2.0.0',
      job_workflow_ref: 'acme/rocket/.github/workflows/release.yml@refs/tags/v2.0.0',
      workflow_sha: 'c'.repeat(40),
      job_workflow_sha: 'c'.repeat(40),
    });
    for (const name of [
      'workflow',
      'runner_environment',
      'repository_id',
      'repository_owner_id',
      'repository_visibility',
      'run_id',
      'run_attempt',
    ])
      expect(typeof claims[name], name).toBe('string');
    expect(claims.email).toBeUndefined();
  });

  it('lets claims override or remove anything, and sets audience and lifetime as asked', () => {
    const { claims } = parts(
      fulcio.issueToken({
        subject: 'erin@example.com',
        issuer: GOOGLE,
        claims: { email: 'other@example.com', nbf: undefined, extra: 1 },
        audience: ['sigstore', 'other'],
        expiresInSeconds: 30,
      }),
    );
    expect(claims.email).toBe('other@example.com');
    expect('nbf' in claims).toBe(false);
    expect(claims.extra).toBe(1);
    expect(claims.aud).toEqual(['sigstore', 'other']);
    expect(claims.exp - claims.iat).toBe(30);
  });

  it('gives a token from an issuer Fulcio does not know only what was asked', () => {
    const { claims } = parts(fulcio.issueToken({ subject: 'x', issuer: 'https://unknown.example' }));
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'nbf', 'sub']);
  });

  it('refuses a request that is not one', () => {
    expect(() => fulcio.issueToken(undefined as never)).toThrow(InvalidArgumentError);
    expect(() => fulcio.issueToken({ subject: 1, issuer: GOOGLE } as never)).toThrow(InvalidArgumentError);
    expect(() => fulcio.issueToken({ subject: 's', issuer: GOOGLE, claims: [] as never })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('Fulcio double: the issuer’s check of a token', () => {
  const issuer = createOidcIssuer();
  const now = new Date();
  const exp = Math.floor(now.getTime() / 1000) + 60;

  it('returns the claims of a good token and refuses a bad one', () => {
    const token = issuer.sign({ iss: GOOGLE, sub: 's', aud: ['x', 'sigstore'], exp });
    expect(issuer.verify(token, { audience: 'sigstore', now })).toMatchObject({ sub: 's' });
    expect(() => issuer.verify(token, { audience: 'other', now })).toThrow(/expected audience/);
    expect(() => issuer.verify(token, { audience: 'sigstore', now: new Date((exp + 1) * 1000) })).toThrow(
      /expired/,
    );
    expect(() => issuer.verify(`${token}=`, { audience: 'sigstore', now })).toThrow(/base64/);
    expect(() => createOidcIssuer().verify(token, { audience: 'sigstore', now })).toThrow(/signature/);
  });

  it('a token of one Fulcio is accepted by another built on the same issuer, not by a stranger', async () => {
    const a = createFulcio({ oidcIssuer: issuer });
    const b = createFulcio({ oidcIssuer: issuer });
    const token = a.issueToken({ subject: 'erin@example.com', issuer: GOOGLE });
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const body = JSON.stringify({
      credentials: { oidcIdentityToken: token },
      publicKeyRequest: {
        publicKey: { content: key.publicKey.export({ type: 'spki', format: 'pem' }) },
        proofOfPossession: sign('sha256', Buffer.from('erin@example.com'), key.privateKey).toString('base64'),
      },
    });
    const ask = (fulcio: typeof a) =>
      fulcio.handler({
        method: 'POST',
        path: '/api/v2/signingCert',
        query: new URLSearchParams(),
        headers: {},
        body: new Uint8Array(Buffer.from(body)),
      });
    expect((await ask(b))?.status).toBe(200);
    expect((await ask(createFulcio()))?.status).toBe(400);
  });
});
