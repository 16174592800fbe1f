/**
 * How the Fulcio double refuses, as Fulcio does through grpc-gateway: every client mistake is
 * gRPC InvalidArgument, HTTP 400 `{ code: 3, message, details: [] }` with Fulcio's own message — a
 * token signed by another key, expired, for another audience or from an unknown issuer; a proof of
 * possession that does not verify; a missing, unparsable or weak key; a bad CSR; malformed JSON —
 * and every fault a test can inject.
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { encodePem } from '../../../../src/keys/pem.js';
import {
  createFulcio,
  createOidcIssuer,
  FULCIO_FAULTS,
  type TestFulcio,
} from '../../../../src/testing/sigstore/fulcio/index.js';
import type { ServiceResponse } from '../../../../src/testing/sigstore/service.js';
import { callService } from '../../../helpers/sigstore-doubles.js';

const GOOGLE = 'https://accounts.google.com';
const EMAIL = 'carol@example.com';

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }) as string;

function call(
  fulcio: TestFulcio,
  body: unknown,
  options: { method?: string; path?: string; headers?: Record<string, string> } = {},
): Promise<ServiceResponse> {
  const { method = 'POST', path = '/api/v2/signingCert', headers = {} } = options;
  return callService(fulcio.handler, method, path, { body, headers });
}

function proven(token: string, key = p256(), challenge = EMAIL, hash: string | null = 'sha256') {
  return {
    credentials: { oidcIdentityToken: token },
    publicKeyRequest: {
      publicKey: { algorithm: 'ECDSA', content: pem(key.publicKey) },
      proofOfPossession: sign(hash, Buffer.from(challenge), key.privateKey).toString('base64'),
    },
  };
}

function refusal(message: string) {
  return { status: 400, body: { code: 3, message, details: [] } };
}

const BAD_TOKEN = refusal('There was an error processing the identity token');
const BAD_SIGNATURE = refusal('The signature supplied in the request could not be verified');

/** A PEM CSR for `key`, signed by `signer` with ecdsa-with-`hash`. */
function csr(key: KeyObject, signer: KeyObject, hash: 'sha256' | 'sha384' = 'sha256'): string {
  const request = new pkijs.CertificationRequest({
    subjectPublicKeyInfo: pkijs.PublicKeyInfo.fromBER(key.export({ type: 'spki', format: 'der' })),
  });
  request.subject.typesAndValues.push(
    new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: 'ignored' }) }),
  );
  const algorithmId = hash === 'sha256' ? '1.2.840.10045.4.3.2' : '1.2.840.10045.4.3.3';
  request.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId });
  // pkijs keeps encodeTBS protected; its sign() wants a WebCrypto key, and this CSR may be signed by another key.
  const tbs = new Uint8Array((request as unknown as { encodeTBS(): asn1js.Sequence }).encodeTBS().toBER());
  request.tbsView = tbs;
  request.signatureValue = new asn1js.BitString({ valueHex: sign(hash, tbs, signer) });
  return encodePem('CERTIFICATE REQUEST', new Uint8Array(request.toSchema().toBER()));
}

describe('Fulcio double: tokens', () => {
  const fulcio = createFulcio();

  it('accepts a token from its issuer, in the body or as a bearer token', async () => {
    const token = fulcio.issueToken({ subject: EMAIL, issuer: GOOGLE });
    expect((await call(fulcio, proven(token))).status).toBe(200);
    const { publicKeyRequest } = proven(token);
    const viaHeader = await call(
      fulcio,
      { publicKeyRequest },
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(viaHeader.status).toBe(200);
  });

  it.each([
    [
      'signed by another key',
      () =>
        createOidcIssuer().sign({
          iss: GOOGLE,
          sub: EMAIL,
          aud: 'sigstore',
          exp: 2e9,
          email: EMAIL,
          email_verified: true,
        }),
    ],
    ['expired', () => fulcio.issueToken({ subject: EMAIL, issuer: GOOGLE, expiresInSeconds: -1 })],
    [
      'for another audience',
      () => fulcio.issueToken({ subject: EMAIL, issuer: GOOGLE, audience: 'not-sigstore' }),
    ],
    [
      'from an issuer Fulcio does not know',
      () => fulcio.issueToken({ subject: EMAIL, issuer: 'https://evil.example' }),
    ],
    [
      'with an unverified email',
      () => fulcio.issueToken({ subject: EMAIL, issuer: GOOGLE, claims: { email_verified: false } }),
    ],
    [
      'with no email from an email issuer',
      () => fulcio.issueToken({ subject: EMAIL, issuer: GOOGLE, claims: { email: undefined } }),
    ],
    ['without exp', () => fulcio.issueToken({ subject: EMAIL, issuer: GOOGLE, claims: { exp: undefined } })],
    [
      'not yet valid',
      () =>
        fulcio.issueToken({
          subject: EMAIL,
          issuer: GOOGLE,
          claims: { nbf: Math.floor(Date.now() / 1000) + 600 },
        }),
    ],
    [
      'with its signature cut off',
      () => fulcio.issueToken({ subject: EMAIL, issuer: GOOGLE }).replace(/\.[^.]+$/, '.'),
    ],
    [
      'with a payload swapped in',
      () => {
        const [header, , signature] = fulcio.issueToken({ subject: EMAIL, issuer: GOOGLE }).split('.');
        const payload = Buffer.from(
          JSON.stringify({
            iss: GOOGLE,
            sub: 'mallory@example.com',
            aud: 'sigstore',
            exp: 2e9,
            email: EMAIL,
            email_verified: true,
          }),
        ).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    ['that is not a JWT', () => 'not-a-jwt'],
    ['that is missing', () => ''],
  ])('refuses a token %s with 400 (Fulcio never answers 401)', async (_name, token) => {
    expect(await call(fulcio, proven(token()))).toEqual(BAD_TOKEN);
  });
});

describe('Fulcio double: keys and proofs', () => {
  const fulcio = createFulcio();
  const token = () => fulcio.issueToken({ subject: EMAIL, issuer: GOOGLE });

  it('refuses a proof over anything but the email, or by another key', async () => {
    expect(await call(fulcio, proven(token(), p256(), 'someone@else.com'))).toEqual(BAD_SIGNATURE);
    const body = proven(token());
    body.publicKeyRequest.publicKey.content = pem(p256().publicKey);
    expect(await call(fulcio, body)).toEqual(BAD_SIGNATURE);
    body.publicKeyRequest.proofOfPossession = '';
    expect(await call(fulcio, body)).toEqual(BAD_SIGNATURE);
  });

  it('for a GitHub token the proof signs the sub claim, not an email', async () => {
    const gh = fulcio.issueToken({
      subject: 'repo:o/r:ref:refs/heads/main',
      issuer: 'https://token.actions.githubusercontent.com',
    });
    expect((await call(fulcio, proven(gh, p256(), 'repo:o/r:ref:refs/heads/main'))).status).toBe(200);
    expect(await call(fulcio, proven(gh, p256(), EMAIL))).toEqual(BAD_SIGNATURE);
  });

  it('refuses a missing, unreadable or weak public key', async () => {
    expect(await call(fulcio, { credentials: { oidcIdentityToken: token() } })).toEqual(
      refusal('The public key supplied in the request could not be parsed'),
    );
    const body = proven(token());
    body.publicKeyRequest.publicKey.content = '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n';
    expect(await call(fulcio, body)).toEqual(
      refusal('The public key supplied in the request could not be parsed'),
    );
    const weak = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    expect(await call(fulcio, proven(token(), weak))).toEqual(
      refusal('The public key supplied in the request is insecure'),
    );
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    body.publicKeyRequest.publicKey.content = pem(small.publicKey);
    expect(await call(fulcio, body)).toEqual(refusal('The public key supplied in the request is insecure'));
  });

  it('accepts an RSA or Ed25519 key with its default algorithm', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ed = generateKeyPairSync('ed25519');
    for (const [key, hash] of [
      [rsa, 'sha256'],
      [ed, null],
    ] as const)
      expect((await call(fulcio, proven(token(), key, EMAIL, hash))).status).toBe(200);
  });

  it('takes a CSR (base64 of its PEM) as the proof, and refuses a bad one', async () => {
    const key = p256();
    const withCsr = (text: string) => ({
      credentials: { oidcIdentityToken: token() },
      certificateSigningRequest: Buffer.from(text).toString('base64'),
    });
    expect((await call(fulcio, withCsr(csr(key.publicKey, key.privateKey)))).status).toBe(200);
    expect(await call(fulcio, withCsr(csr(key.publicKey, p256().privateKey)))).toEqual(BAD_SIGNATURE);
    expect(await call(fulcio, withCsr('not a CSR'))).toEqual(
      refusal('The certificate signing request could not be parsed'),
    );
    const mismatched = await call(fulcio, withCsr(csr(key.publicKey, key.privateKey, 'sha384')));
    expect(mismatched.status).toBe(400);
    expect((mismatched.body as { message: string }).message).toMatch(/^signing algorithm not permitted/);
  });
});

describe('Fulcio double: requests and claims', () => {
  const fulcio = createFulcio();

  it('refuses malformed JSON, a mistyped member and two keys at once', async () => {
    for (const body of ['{', '[]', { credentials: { oidcIdentityToken: 7 } }]) {
      const answer = await call(fulcio, body);
      expect(answer.status).toBe(400);
      expect((answer.body as { code: number }).code).toBe(3);
    }
    const token = fulcio.issueToken({ subject: EMAIL, issuer: GOOGLE });
    const both = { ...proven(token), certificateSigningRequest: 'AAAA' };
    expect((await call(fulcio, both)).status).toBe(400);
  });

  it('ignores unknown members and reads proto names', async () => {
    const token = fulcio.issueToken({ subject: EMAIL, issuer: GOOGLE });
    const body = proven(token);
    const snake = {
      credentials: { oidc_identity_token: token },
      public_key_request: {
        public_key: body.publicKeyRequest.publicKey,
        proof_of_possession: body.publicKeyRequest.proofOfPossession,
      },
      somethingNew: true,
    };
    expect((await call(fulcio, snake)).status).toBe(200);
  });

  it('answers a missing GitHub claim with 400 and the template error, after the proof', async () => {
    const issuer = 'https://token.actions.githubusercontent.com';
    const subject = 'repo:o/r:ref:refs/heads/main';
    const token = fulcio.issueToken({ subject, issuer, claims: { run_attempt: undefined } });
    const answer = await call(fulcio, proven(token, p256(), subject));
    expect(answer.status).toBe(400);
    expect((answer.body as { message: string }).message).toContain('run_attempt');
    expect(await call(fulcio, proven(token, p256(), 'wrong'))).toEqual(BAD_SIGNATURE);
  });

  it('answers another method with 501 and leaves other paths to other handlers', async () => {
    expect(await call(fulcio, '', { method: 'GET' })).toEqual({
      status: 501,
      body: { code: 12, message: 'Method Not Allowed', details: [] },
    });
    expect(
      await fulcio.handler({
        method: 'GET',
        path: '/api/v1/log',
        query: new URLSearchParams(),
        headers: {},
        body: new Uint8Array(),
      }),
    ).toBeUndefined();
  });

  it('serves its trust bundle and configuration', async () => {
    const bundle = await call(fulcio, '', { method: 'GET', path: '/api/v2/trustBundle' });
    expect(bundle.status).toBe(200);
    expect((bundle.body as { chains: { certificates: string[] }[] }).chains[0]?.certificates.join('')).toBe(
      fulcio.caChainPem,
    );
    const config = await call(fulcio, '', { method: 'GET', path: '/api/v2/configuration' });
    expect(config.body).toEqual({
      issuers: [
        {
          issuerUrl: 'https://token.actions.githubusercontent.com',
          audience: 'sigstore',
          challengeClaim: 'sub',
          spiffeTrustDomain: '',
          issuerType: 'ci-provider',
          subjectDomain: '',
          skipEmailVerification: false,
        },
        {
          issuerUrl: GOOGLE,
          audience: 'sigstore',
          challengeClaim: 'email',
          spiffeTrustDomain: '',
          issuerType: 'email',
          subjectDomain: '',
          skipEmailVerification: false,
        },
      ],
    });
    expect(fulcio.calls['/api/v2/configuration']).toBe(1);
  });
});

describe('Fulcio double: faults', () => {
  it('knows exactly these faults', () => {
    expect(FULCIO_FAULTS).toEqual(['unavailable', 'hang', 'garbage', 'invalid-sct', 'wrong-key']);
  });

  it('unavailable answers 503 for the number of requests asked, then recovers', async () => {
    const fulcio = createFulcio();
    const body = proven(fulcio.issueToken({ subject: EMAIL, issuer: GOOGLE }));
    fulcio.faults.inject('unavailable', { times: 2 });
    expect((await call(fulcio, body)).status).toBe(503);
    expect((await call(fulcio, '', { method: 'GET', path: '/api/v2/trustBundle' })).status).toBe(503);
    expect(fulcio.faults.active).toBeUndefined();
    expect((await call(fulcio, body)).status).toBe(200);
  });

  it('garbage answers 200 with a body that is not JSON; clear ends a fault', async () => {
    const fulcio = createFulcio();
    const body = proven(fulcio.issueToken({ subject: EMAIL, issuer: GOOGLE }));
    fulcio.faults.inject('garbage');
    const answer = await call(fulcio, body);
    expect(answer.status).toBe(200);
    expect(() => JSON.parse(String(answer.body))).toThrow(SyntaxError);
    expect((await call(fulcio, body)).status).toBe(200);
    expect(fulcio.faults.active).toBe('garbage');
    fulcio.faults.clear();
    expect(typeof (await call(fulcio, body)).body).toBe('object');
  });

  it('hang answers nothing until the fault is cleared, then answers normally', async () => {
    const fulcio = createFulcio();
    fulcio.faults.inject('hang', { times: 1 });
    const pending = Promise.resolve(
      fulcio.handler({
        method: 'GET',
        path: '/api/v2/trustBundle',
        query: new URLSearchParams(),
        headers: {},
        body: new Uint8Array(),
      }),
    );
    const winner = await Promise.race([
      pending,
      new Promise((resolve) => setTimeout(() => resolve('timeout'), 200)),
    ]);
    expect(winner).toBe('timeout');
    fulcio.faults.clear();
    expect((await pending)?.status).toBe(200);
  });

  it('wrong-key certifies a key other than the one proven; invalid-sct only touches signingCert', async () => {
    const fulcio = createFulcio();
    const key = p256();
    fulcio.faults.inject('wrong-key', { times: 1 });
    expect((await call(fulcio, '', { method: 'GET', path: '/api/v2/trustBundle' })).status).toBe(200);
    expect(fulcio.faults.active).toBe('wrong-key');
    const answer = await call(fulcio, proven(fulcio.issueToken({ subject: EMAIL, issuer: GOOGLE }), key));
    const leafPem = (answer.body as { signedCertificateEmbeddedSct: { chain: { certificates: string[] } } })
      .signedCertificateEmbeddedSct.chain.certificates[0] as string;
    const leafKey = new pkijs.Certificate({
      schema: asn1js.fromBER(Buffer.from(leafPem.replace(/-----[^-]+-----|\n/g, ''), 'base64')).result,
    });
    expect(Buffer.from(leafKey.subjectPublicKeyInfo.toSchema().toBER())).not.toEqual(
      key.publicKey.export({ type: 'spki', format: 'der' }),
    );
  });

  it('refuses a fault it does not know', () => {
    const fulcio = createFulcio();
    expect(() => fulcio.faults.inject('slow' as never)).toThrow(/unknown Fulcio fault/);
  });
});
