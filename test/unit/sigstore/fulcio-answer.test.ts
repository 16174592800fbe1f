/**
 * readIssuedCertificate on a real answer of the Fulcio double (called directly, no HTTP) and on
 * edits of it: the answer is taken with or without a trusted root; a detached SCT is taken only
 * without one; a chain in another order, an extra certificate, two PEM blocks in one entry, both
 * or neither answer forms, too many certificates, an expired leaf — each a FulcioResponseError.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FulcioResponseError } from '../../../src/errors/sigstore.js';
import { utf8 } from '../../../src/internal/bytes.js';
import { generateKeyPair } from '../../../src/keys/generate.js';
import { createSigner } from '../../../src/keys/signer.js';
import { trustedRootFromPems } from '../../../src/sigstore/from-pems.js';
import { readIssuedCertificate } from '../../../src/sigstore/fulcio-answer.js';
import type { TrustedRoot } from '../../../src/sigstore/trusted-root.js';
import { createFulcio } from '../../../src/testing/sigstore/fulcio/index.js';
import { callService } from '../../helpers/sigstore-doubles.js';

const URL_ = 'http://fulcio.test/api/v2/signingCert';
const fulcio = createFulcio();
const other = createFulcio();
let answer: { signedCertificateEmbeddedSct: { chain: { certificates: string[] } } };
let spki: Uint8Array;
let root: TrustedRoot;

beforeAll(async () => {
  const { privateKey } = await generateKeyPair();
  spki = privateKey.publicKey.toDer();
  const subject = 'dev@example.com';
  const token = fulcio.issueToken({ subject, issuer: 'https://accounts.google.com' });
  const proof = await createSigner(privateKey).sign(utf8(subject));
  const response = await callService(fulcio.handler, 'POST', '/api/v2/signingCert', {
    body: {
      credentials: { oidcIdentityToken: token },
      publicKeyRequest: {
        publicKey: { algorithm: 'ECDSA', content: privateKey.publicKey.toPem() },
        proofOfPossession: Buffer.from(proof).toString('base64'),
      },
    },
  });
  expect(response.status).toBe(200);
  // The handler answers JSON as an object; the server would serialise it.
  answer = JSON.parse(JSON.stringify(response.body));
  root = trustedRootFromPems({ fulcio: fulcio.caChainPem, ctlog: fulcio.ctLogPublicKeyPem });
});

const body = (doc: unknown) => utf8(JSON.stringify(doc));
/** `trustedRoot` null: read without one (undefined would take the default). */
const read = (doc: unknown, trustedRoot: TrustedRoot | null = root, now = new Date()) =>
  readIssuedCertificate(body(doc), spki, trustedRoot ?? undefined, URL_, now);
const chainOf = (certificates: string[]) => ({ signedCertificateEmbeddedSct: { chain: { certificates } } });

function refused(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof FulcioResponseError) return error.message;
    throw error;
  }
  throw new Error('expected a FulcioResponseError');
}

describe('readIssuedCertificate', () => {
  it('takes a real answer, with or without a trusted root', () => {
    const issued = read(answer);
    expect(issued.chain).toHaveLength(3);
    expect(issued.verifiedAgainstRoot).toBe(true);
    expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(10 * 60 * 1000);
    expect(read(answer, null).verifiedAgainstRoot).toBe(false);
  });

  it('takes a detached SCT only without a trusted root', () => {
    const detached = {
      signedCertificateDetachedSct: {
        chain: answer.signedCertificateEmbeddedSct.chain,
        signedCertificateTimestamp: 'e30=',
      },
    };
    expect(read(detached, null).chain).toHaveLength(3);
    expect(refused(() => read(detached))).toMatch(/detached/);
  });

  it('refuses a chain that is not the path to the trusted root’s CA', () => {
    const [leaf, intermediate, rootPem] = answer.signedCertificateEmbeddedSct.chain.certificates as [
      string,
      string,
      string,
    ];
    expect(refused(() => read(chainOf([leaf, rootPem, intermediate])))).toMatch(
      /certificate 1 is not on the path/,
    );
    expect(refused(() => read(chainOf([leaf, intermediate, rootPem, intermediate])))).toMatch(
      /certificate 3/,
    );
    // The leaf alone is fine: the path is the trusted root's.
    expect(read(chainOf([leaf])).chain).toHaveLength(1);
    const otherRoot = trustedRootFromPems({ fulcio: other.caChainPem, ctlog: other.ctLogPublicKeyPem });
    expect(refused(() => read(answer, otherRoot))).toMatch(/does not chain/);
    // The right CA, a CT log of another instance: the SCT does not verify.
    const wrongLog = trustedRootFromPems({ fulcio: fulcio.caChainPem, ctlog: other.ctLogPublicKeyPem });
    expect(refused(() => read(answer, wrongLog))).toMatch(/SCT/);
  });

  it('refuses answers that are not one well-formed chain', () => {
    const [leaf, intermediate] = answer.signedCertificateEmbeddedSct.chain.certificates as [string, string];
    const cases: [unknown, RegExp][] = [
      [{}, /exactly one of/],
      [{ ...answer, signedCertificateDetachedSct: answer.signedCertificateEmbeddedSct }, /exactly one of/],
      [chainOf([]), /no certificate/],
      [chainOf([leaf + intermediate]), /not one PEM CERTIFICATE/],
      [chainOf(['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n']), /not an X.509/],
      [chainOf(['not pem']), /not one PEM/],
      [chainOf(Array.from({ length: 12 }, () => leaf)), /at most 11/],
      [{ signedCertificateEmbeddedSct: { chain: { certificates: 'x' } } }, /certificates must be/],
      [[answer], /must be an object/],
    ];
    for (const [doc, message] of cases) expect(refused(() => read(doc, null))).toMatch(message);
    expect(refused(() => readIssuedCertificate(utf8('{'), spki, undefined, URL_, new Date()))).toMatch(
      /not JSON/,
    );
  });

  it('refuses a leaf for another key, or one already expired', async () => {
    const { publicKey } = await generateKeyPair();
    expect(
      refused(() => readIssuedCertificate(body(answer), publicKey.toDer(), undefined, URL_, new Date())),
    ).toMatch(/another key/);
    expect(refused(() => read(answer, null, new Date(Date.now() + 11 * 60 * 1000)))).toMatch(/expired/);
  });
});
