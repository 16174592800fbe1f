/**
 * Rekor entry bodies read through their kind's own schema: who an entry says signed comes from
 * that kind's field only (hashedrekord `spec.signature.publicKey.content`, dsse
 * `spec.signatures[].verifier`, intoto `spec.content.envelope.signatures[].publicKey` or
 * `spec.publicKey`, Rekor v2 hashedrekord `signature.verifier`), never from a PEM found elsewhere
 * in the body; kinds not read (Rekor v2 dsse, rekord) are refused with a reason. On a real Rekor v2
 * bundle, the certificate the entry names is now compared with the signing certificate.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VerificationError } from '../../../../src/errors/index.js';
import { decodeFirstPemBlock } from '../../../../src/keys/pem.js';
import { loggedVerifiers, readRekorBody } from '../../../../src/sigstore/tlog/rekor-body.js';
import { verifyBlob } from '../../../../src/verify/index.js';
import { bundleCertificateDer, classicCertificatePem } from '../../../helpers/fulcio-certs.js';
import { SHARED_DIR } from '../../../helpers/vectors.js';

const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');
// Two real Fulcio certificates, to tell which one a body's reading returns.
const pemA = classicCertificatePem('classic-github-actions');
const pemB = classicCertificatePem('classic-google-service-account');
const derA = (decodeFirstPemBlock(pemA) as { bytes: Uint8Array }).bytes;
const derB = (decodeFirstPemBlock(pemB) as { bytes: Uint8Array }).bytes;

function verifiersOf(body: object): ReturnType<typeof loggedVerifiers> {
  const read = readRekorBody(b64(JSON.stringify(body)));
  if (!read.ok) throw new Error(read.message);
  return loggedVerifiers(read.body);
}

describe('loggedVerifiers: each kind’s own field', () => {
  it.each([
    [
      'hashedrekord 0.0.1',
      {
        kind: 'hashedrekord',
        apiVersion: '0.0.1',
        spec: {
          signature: { content: 'AAAA', publicKey: { content: b64(pemA) } },
          data: { note: b64(pemB) },
        },
      },
      [derA],
    ],
    [
      'dsse 0.0.1',
      {
        kind: 'dsse',
        apiVersion: '0.0.1',
        spec: {
          signatures: [
            { signature: 'AAAA', verifier: b64(pemA) },
            { signature: 'AAAA', verifier: b64(pemB) },
          ],
          payloadHash: { algorithm: 'sha256', value: b64(pemB) },
        },
      },
      [derA, derB],
    ],
    [
      'intoto 0.0.2',
      {
        kind: 'intoto',
        apiVersion: '0.0.2',
        spec: {
          content: {
            envelope: { payloadType: b64(pemB), signatures: [{ publicKey: b64(pemA), sig: 'AA' }] },
          },
        },
      },
      [derA],
    ],
    [
      'intoto 0.0.1',
      { kind: 'intoto', apiVersion: '0.0.1', spec: { publicKey: b64(pemA), content: { extra: b64(pemB) } } },
      [derA],
    ],
    [
      'hashedrekord 0.0.2 (Rekor v2, DER)',
      {
        kind: 'hashedrekord',
        apiVersion: '0.0.2',
        spec: {
          hashedRekordV002: {
            signature: { content: 'AAAA', verifier: { x509Certificate: { rawBytes: b64(derA) } } },
          },
        },
      },
      [derA],
    ],
  ])('%s: the verifier its kind names, nothing else in the body', (_kind, body, expected) => {
    expect(verifiersOf(body)).toEqual({ ok: true, verifiers: expected });
  });

  it.each([
    ['Rekor v2 dsse (sigstore-go refuses it)', { kind: 'dsse', apiVersion: '0.0.2', spec: { dsseV002: {} } }],
    [
      'rekord',
      { kind: 'rekord', apiVersion: '0.0.1', spec: { signature: { publicKey: { content: b64(pemA) } } } },
    ],
    ['no kind', { spec: { signature: { publicKey: { content: b64(pemA) } } } }],
  ])('%s is refused, naming the kind', (_name, body) => {
    const result = verifiersOf(body);
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/not one ocisign reads/) });
  });

  it('a missing verifier, or one that is not base64 PEM, is a failed check', () => {
    expect(verifiersOf({ kind: 'dsse', apiVersion: '0.0.1', spec: { signatures: [] } }).ok).toBe(false);
    expect(verifiersOf({ kind: 'intoto', apiVersion: '0.0.1', spec: {} }).ok).toBe(false);
    expect(verifiersOf({ kind: 'intoto', apiVersion: '0.0.1', spec: { publicKey: b64('not pem') } }).ok).toBe(
      false,
    );
    expect(
      verifiersOf({ kind: 'hashedrekord', apiVersion: '0.0.2', spec: { hashedRekordV002: {} } }).ok,
    ).toBe(false);
  });

  it('a body member of the wrong type for its kind is a failed read, not a throw', () => {
    const read = readRekorBody(
      b64(JSON.stringify({ kind: 'intoto', apiVersion: '0.0.1', spec: { publicKey: 5 } })),
    );
    expect(read).toEqual({ ok: false, message: expect.stringContaining('/publicKey') });
  });
});

describe('a real Rekor v2 bundle whose entry names another certificate', () => {
  const dir = join(SHARED_DIR, 'vectors', 'keyless', 'conf-rekor2-happy-path');
  const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));
  const text = readFileSync(join(dir, 'bundle.sigstore.json'), 'utf8');
  const artifact = new Uint8Array(readFileSync(join(dir, 'artifact')));
  const options = {
    identities: [{ subject: c.verify.certificateIdentity, issuer: c.verify.certificateOidcIssuer }],
    trustedRoot: readFileSync(join(dir, 'trusted_root.json'), 'utf8'),
  };

  it('verifies as it is, and is tlog-invalid with another certificate in its entry', () => {
    expect(verifyBlob(artifact, { ...options, bundle: text }).identityIndex).toBe(0);
    const bundle = JSON.parse(text);
    const entry = bundle.verificationMaterial.tlogEntries[0];
    const body = JSON.parse(Buffer.from(entry.canonicalizedBody, 'base64').toString('utf8'));
    body.spec.hashedRekordV002.signature.verifier.x509Certificate.rawBytes = b64(
      bundleCertificateDer('conf-happy-path-v0.3'),
    );
    entry.canonicalizedBody = b64(JSON.stringify(body));
    let failure: unknown;
    try {
      verifyBlob(artifact, { ...options, bundle });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(VerificationError);
    expect((failure as VerificationError).failures[0]).toEqual(
      expect.objectContaining({
        reason: 'tlog-invalid',
        message: expect.stringMatching(/another certificate/),
      }),
    );
  });
});
