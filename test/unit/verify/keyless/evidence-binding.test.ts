/**
 * What ties keyless evidence to what is verified, on certificates the Fulcio double issues for a
 * key we hold (so the signatures are real): the bundle's message digest must be the artifact's
 * (sigstore-go: "artifact digest does not match message digest"); with `ignoreTlog` and no
 * `useSignedTimestamps` the certificate is checked now, an RFC 3161 timestamp nobody asked for
 * notwithstanding (cosign reads neither); a leaf with a critical extension no verifier handles is
 * refused, as Go's `x509.Verify` refuses it.
 */
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { VerificationError } from '../../../../src/errors/index.js';
import { trustedRootFromPems } from '../../../../src/sigstore/index.js';
import { parseTrustedRoot } from '../../../../src/sigstore/trusted-root.js';
import { createCertificateAuthority } from '../../../../src/testing/sigstore/fulcio/ca.js';
import { issueLeaf } from '../../../../src/testing/sigstore/fulcio/certificate.js';
import { createCtLog } from '../../../../src/testing/sigstore/fulcio/ct-log.js';
import {
  renderExtensions,
  subjectAltNameExtension,
} from '../../../../src/testing/sigstore/fulcio/extensions.js';
import { createRekor } from '../../../../src/testing/sigstore/rekor/index.js';
import type { ServiceResponse } from '../../../../src/testing/sigstore/service.js';
import { createTsa } from '../../../../src/testing/sigstore/tsa/index.js';
import { verifyBlob } from '../../../../src/verify/verify-blob.js';
import {
  jsonOf,
  serviceRequest,
  sha256,
  timestampJsonRequest,
  type V1LogEntryValue,
} from '../../../helpers/sigstore-doubles.js';

const ISSUER = 'https://issuer.example';
const SUBJECT = 'release@acme.example';
const identities = [{ subject: SUBJECT, issuer: ISSUER }];
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const artifact = new TextEncoder().encode('release artifact\n');

/** A leaf for a fresh key, valid from `notBefore` for ten minutes, with extra extensions if asked. */
function signedBundle(notBefore: Date, extra: pkijs.Extension[] = []) {
  const ca = createCertificateAuthority(new Date(notBefore.getTime() - 3_600_000));
  const ct = createCtLog();
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  const leaf = issueLeaf(
    ca,
    ct,
    {
      publicKey: spki,
      subjectAltName: subjectAltNameExtension([{ type: 'email', value: SUBJECT }]),
      extensions: [...renderExtensions({ Issuer: ISSUER }), ...extra],
      notBefore,
      notAfter: new Date(notBefore.getTime() + 600_000),
    },
    notBefore,
  );
  const signature = new Uint8Array(sign('sha256', artifact, privateKey));
  const root = trustedRootFromPems({ fulcio: ca.root.pem + ca.intermediate.pem });
  const bundle = (digest: Uint8Array, timestamps: Uint8Array[] = []) => ({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: b64(leaf.der) },
      tlogEntries: [],
      ...(timestamps.length === 0
        ? {}
        : {
            timestampVerificationData: {
              rfc3161Timestamps: timestamps.map((t) => ({ signedTimestamp: b64(t) })),
            },
          }),
    },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: b64(digest) },
      signature: b64(signature),
    },
  });
  return { root, bundle, signature, leaf: leaf.der };
}

/** `entry` (a Rekor v1 answer's value) as a bundle's tlog entry. */
function bundleEntry(entry: V1LogEntryValue): object {
  const hex = (h: string) => b64(Buffer.from(h, 'hex'));
  const proof = entry.verification.inclusionProof;
  return {
    logIndex: String(entry.logIndex),
    logId: { keyId: hex(entry.logID) },
    kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
    integratedTime: String(entry.integratedTime),
    inclusionPromise: { signedEntryTimestamp: entry.verification.signedEntryTimestamp },
    inclusionProof: {
      logIndex: String(proof.logIndex),
      rootHash: hex(proof.rootHash),
      treeSize: String(proof.treeSize),
      hashes: proof.hashes.map(hex),
      checkpoint: { envelope: proof.checkpoint },
    },
    canonicalizedBody: entry.body,
  };
}

function reason(run: () => unknown): string {
  try {
    run();
    return 'pass';
  } catch (error) {
    expect(error).toBeInstanceOf(VerificationError);
    return (error as VerificationError).failures[0]?.reason ?? '';
  }
}

describe('keyless evidence is bound to what is verified', () => {
  it("a message digest that is not the artifact's is refused, though the signature is over the artifact", () => {
    const { root, bundle } = signedBundle(new Date(Date.now() - 60_000));
    const options = { identities, trustedRoot: root, ignoreTlog: true, ignoreSct: true };
    expect(reason(() => verifyBlob(artifact, { ...options, bundle: bundle(sha256(artifact)) }))).toBe('pass');
    expect(
      reason(() => verifyBlob(artifact, { ...options, bundle: bundle(new Uint8Array(32).fill(7)) })),
    ).toBe('digest-mismatch');
  });

  it('ignoreTlog checks the certificate now, even when a timestamp nobody asked for verifies', async () => {
    const signedAt = new Date(Date.now() - 7 * 86_400_000); // a week ago: the certificate has expired
    const { root, bundle, signature } = signedBundle(signedAt);
    const tsa = await createTsa({ clock: () => new Date(signedAt.getTime() + 60_000) });
    const answer = await tsa.handler(timestampJsonRequest(signature));
    if (answer === undefined) throw new Error('the TSA double did not answer');
    const stamp = new Uint8Array(answer.body as Uint8Array);
    const withTsa = parseTrustedRoot({
      ...(root.json as object),
      timestampAuthorities: [tsa.timestampAuthority('http://127.0.0.1')],
    });
    const options = {
      identities,
      trustedRoot: withTsa,
      ignoreSct: true,
      bundle: bundle(sha256(artifact), [stamp]),
    };
    // Asked for, the timestamp is the signing time and the certificate was valid then.
    expect(
      reason(() => verifyBlob(artifact, { ...options, useSignedTimestamps: true, ignoreTlog: true })),
    ).toBe('pass');
    // Not asked for, with the tlog ignored: checked now, and expired.
    expect(reason(() => verifyBlob(artifact, { ...options, ignoreTlog: true }))).toBe('certificate-invalid');
  });

  it('with signed timestamps, a Rekor entry integrated outside the certificate window is refused', async () => {
    const signedAt = new Date(Date.now() - 7 * 86_400_000);
    const { root, bundle, signature, leaf } = signedBundle(signedAt);
    const tsa = await createTsa({ clock: () => new Date(signedAt.getTime() + 60_000) });
    const stamp = await tsa.handler(timestampJsonRequest(signature));
    if (stamp === undefined) throw new Error('the TSA double did not answer');
    // Logged today, a week after the certificate expired.
    const rekor = createRekor({ validFrom: new Date(signedAt.getTime() - 86_400_000) });
    const pem = `-----BEGIN CERTIFICATE-----\n${b64(leaf)}\n-----END CERTIFICATE-----\n`;
    const logged = await rekor.handler(
      serviceRequest('POST', '/api/v1/log/entries', {
        body: {
          apiVersion: '0.0.1',
          kind: 'hashedrekord',
          spec: {
            signature: {
              content: b64(signature),
              publicKey: { content: b64(new TextEncoder().encode(pem)) },
            },
            data: { hash: { algorithm: 'sha256', value: Buffer.from(sha256(artifact)).toString('hex') } },
          },
        },
      }),
    );
    expect(logged?.status).toBe(201);
    const entry = Object.values(jsonOf(logged as ServiceResponse))[0] as V1LogEntryValue;
    const trustedRoot = parseTrustedRoot({
      ...(root.json as object),
      tlogs: [rekor.v1.tlog('http://127.0.0.1')],
      timestampAuthorities: [tsa.timestampAuthority('http://127.0.0.1')],
    });
    const withEntry = bundle(sha256(artifact), [new Uint8Array(stamp.body as Uint8Array)]) as {
      verificationMaterial: { tlogEntries: object[] };
    };
    withEntry.verificationMaterial.tlogEntries = [bundleEntry(entry)];
    expect(
      reason(() =>
        verifyBlob(artifact, {
          identities,
          trustedRoot,
          ignoreSct: true,
          useSignedTimestamps: true,
          bundle: withEntry,
        }),
      ),
    ).toBe('certificate-invalid');
  });

  it('a leaf with a critical extension no verifier handles is refused', () => {
    const odd = new pkijs.Extension({
      extnID: '1.2.3.4.5.6.7',
      critical: true,
      extnValue: new Uint8Array([5, 0]).buffer,
    });
    const { root, bundle } = signedBundle(new Date(Date.now() - 60_000), [odd]);
    const options = { identities, trustedRoot: root, ignoreTlog: true, ignoreSct: true };
    expect(reason(() => verifyBlob(artifact, { ...options, bundle: bundle(sha256(artifact)) }))).toBe(
      'certificate-invalid',
    );
  });
});
