/**
 * The Fulcio double's certificates chain and carry a verifiable embedded SCT, as @sigstore/verify
 * checks them (`verifyCertificateChain`, `verifySCTs`, the same building blocks ocisign's
 * `sigstore-checks.ts` composes) against a trusted root written here by hand from the double's CA
 * chain and CT key (log ID = SHA-256 of the key's DER), and against the same material read through
 * ocisign's `trustedRootFromPems`. And they fail where they must: another instance's CA or CT key,
 * a time outside the certificate, an SCT the log did not sign.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { X509Certificate } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { type TrustMaterial, toTrustMaterial } from '@sigstore/verify';
import { verifyCertificateChain } from '@sigstore/verify/dist/key/certificate.js';
import { verifySCTs } from '@sigstore/verify/dist/key/sct.js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { decodePemBlocks } from '../../../../src/keys/pem.js';
import {
  TRUSTED_ROOT_MEDIA_TYPE,
  trustedRootFromPems,
  trustMaterialOf,
} from '../../../../src/sigstore/index.js';
import { createCertificateAuthority } from '../../../../src/testing/sigstore/fulcio/ca.js';
import { issueLeaf } from '../../../../src/testing/sigstore/fulcio/certificate.js';
import { createCtLog } from '../../../../src/testing/sigstore/fulcio/ct-log.js';
import {
  renderExtensions,
  subjectAltNameExtension,
} from '../../../../src/testing/sigstore/fulcio/extensions.js';
import { createFulcio, type TestFulcio } from '../../../../src/testing/sigstore/fulcio/index.js';

const GOOGLE = 'https://accounts.google.com';
const SCT_LIST = '1.3.6.1.4.1.11129.2.4.2';
const POISON = '1.3.6.1.4.1.11129.2.4.3';

/** A trusted root naming `fulcio`'s CA chain and CT key, written as protobuf-specs JSON. */
function trustMaterial(fulcio: TestFulcio): TrustMaterial {
  const ctKey = decodePemBlocks(fulcio.ctLogPublicKeyPem)[0]?.bytes as Uint8Array;
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  const validFor = { start: '2020-01-01T00:00:00Z' };
  return toTrustMaterial(
    TrustedRoot.fromJSON({
      mediaType: TRUSTED_ROOT_MEDIA_TYPE,
      tlogs: [],
      certificateAuthorities: [
        {
          subject: { organization: 'ocisign-testing', commonName: 'sigstore' },
          uri: 'http://127.0.0.1/fulcio',
          certChain: {
            certificates: decodePemBlocks(fulcio.caChainPem).map((b) => ({ rawBytes: b64(b.bytes) })),
          },
          validFor,
        },
      ],
      ctlogs: [
        {
          baseUrl: 'http://127.0.0.1/ct',
          hashAlgorithm: 'SHA2_256',
          publicKey: { rawBytes: b64(ctKey), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor },
          logId: { keyId: createHash('sha256').update(ctKey).digest('base64') },
        },
      ],
      timestampAuthorities: [],
    }),
  );
}

async function chainOf(fulcio: TestFulcio): Promise<string[]> {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const email = 'dave@example.com';
  const body = {
    credentials: { oidcIdentityToken: fulcio.issueToken({ subject: email, issuer: GOOGLE }) },
    publicKeyRequest: {
      publicKey: { algorithm: 'ECDSA', content: key.publicKey.export({ type: 'spki', format: 'pem' }) },
      proofOfPossession: sign('sha256', Buffer.from(email), key.privateKey).toString('base64'),
    },
  };
  const answer = await fulcio.handler({
    method: 'POST',
    path: '/api/v2/signingCert',
    query: new URLSearchParams(),
    headers: {},
    body: new Uint8Array(Buffer.from(JSON.stringify(body))),
  });
  if (answer?.status !== 200) throw new Error(`Fulcio answered ${JSON.stringify(answer)}`);
  return (answer.body as { signedCertificateEmbeddedSct: { chain: { certificates: string[] } } })
    .signedCertificateEmbeddedSct.chain.certificates;
}

describe('Fulcio double: chain and SCT', () => {
  const fulcio = createFulcio();

  it('answers leaf, intermediate, root: the CA chain it publishes', async () => {
    const chain = await chainOf(fulcio);
    expect(chain).toHaveLength(3);
    expect(chain.slice(1).join('')).toBe(fulcio.caChainPem);
  });

  it('chains to the trusted root and its SCT verifies against the CT log key', async () => {
    const leaf = X509Certificate.parse((await chainOf(fulcio))[0] as string);
    const material = trustMaterial(fulcio);
    const path = verifyCertificateChain(new Date(), leaf, material.certificateAuthorities);
    expect(path.map((c) => c.subject.toString())).toHaveLength(3);
    expect(path[1]?.extSubjectKeyID?.keyIdentifier).toEqual(leaf.extAuthorityKeyID?.keyIdentifier);
    const logIds = verifySCTs(leaf, path[1] as X509Certificate, material.ctlogs);
    const ctKey = decodePemBlocks(fulcio.ctLogPublicKeyPem)[0]?.bytes as Uint8Array;
    expect(logIds.map((id) => id.toString('hex'))).toEqual([
      createHash('sha256').update(ctKey).digest('hex'),
    ]);
  });

  it('verifies the same way through ocisign’s trustedRootFromPems', async () => {
    const leaf = X509Certificate.parse((await chainOf(fulcio))[0] as string);
    const material = trustMaterialOf(
      trustedRootFromPems({ fulcio: fulcio.caChainPem, ctlog: fulcio.ctLogPublicKeyPem }),
    );
    const path = verifyCertificateChain(new Date(), leaf, material.certificateAuthorities);
    expect(verifySCTs(leaf, path[1] as X509Certificate, material.ctlogs)).toHaveLength(1);
  });

  it('embeds one SCT and no poison in the final certificate', async () => {
    const leaf = pkijs.Certificate.fromBER(
      decodePemBlocks((await chainOf(fulcio))[0] as string)[0]?.bytes as Uint8Array,
    );
    const oids = (leaf.extensions ?? []).map((e) => e.extnID);
    expect(oids).not.toContain(POISON);
    expect(oids.filter((o) => o === SCT_LIST)).toHaveLength(1);
    const scts = X509Certificate.parse((await chainOf(fulcio))[0] as string).extSCT
      ?.signedCertificateTimestamps;
    expect(scts).toHaveLength(1);
    expect(Math.abs((scts?.[0]?.datetime.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it('does not chain to another instance, nor verify against its CT key', async () => {
    const other = createFulcio();
    const leaf = X509Certificate.parse((await chainOf(fulcio))[0] as string);
    expect(() =>
      verifyCertificateChain(new Date(), leaf, trustMaterial(other).certificateAuthorities),
    ).toThrow(/Failed to verify certificate chain/);
    const path = verifyCertificateChain(new Date(), leaf, trustMaterial(fulcio).certificateAuthorities);
    expect(() => verifySCTs(leaf, path[1] as X509Certificate, trustMaterial(other).ctlogs)).toThrow(
      /SCT verification failed/,
    );
  });

  it('is not valid after its ten minutes', async () => {
    const leaf = X509Certificate.parse((await chainOf(fulcio))[0] as string);
    const later = new Date(leaf.notAfter.getTime() + 1000);
    expect(() => verifyCertificateChain(later, leaf, trustMaterial(fulcio).certificateAuthorities)).toThrow();
    expect(
      verifyCertificateChain(leaf.notAfter, leaf, trustMaterial(fulcio).certificateAuthorities),
    ).toHaveLength(3);
  });

  it('the invalid-sct fault embeds an SCT that does not verify, the chain still does', async () => {
    const faulty = createFulcio();
    faulty.faults.inject('invalid-sct', { times: 1 });
    const leaf = X509Certificate.parse((await chainOf(faulty))[0] as string);
    const material = trustMaterial(faulty);
    const path = verifyCertificateChain(new Date(), leaf, material.certificateAuthorities);
    expect(() => verifySCTs(leaf, path[1] as X509Certificate, material.ctlogs)).toThrow(
      /SCT verification failed/,
    );
    const next = X509Certificate.parse((await chainOf(faulty))[0] as string);
    const nextPath = verifyCertificateChain(new Date(), next, material.certificateAuthorities);
    expect(verifySCTs(next, nextPath[1] as X509Certificate, material.ctlogs)).toHaveLength(1);
  });

  it('the CT log timestamps only a poisoned precertificate its issuer signed; the final keeps serial and validity', () => {
    const now = new Date();
    const ca = createCertificateAuthority(now);
    const ctLog = createCtLog();
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const leaf = issueLeaf(
      ca,
      ctLog,
      {
        publicKey: new Uint8Array(key.publicKey.export({ type: 'spki', format: 'der' })),
        subjectAltName: subjectAltNameExtension([{ type: 'email', value: 'x@example.com' }]),
        extensions: renderExtensions({ Issuer: GOOGLE }),
        notBefore: now,
        notAfter: new Date(now.getTime() + 60_000),
      },
      now,
    );
    const precert = pkijs.Certificate.fromBER(leaf.precertificate);
    const final = pkijs.Certificate.fromBER(leaf.der);
    expect(precert.extensions?.find((e) => e.extnID === POISON)?.critical).toBe(true);
    expect(final.serialNumber.isEqual(precert.serialNumber)).toBe(true);
    expect(final.notAfter.value).toEqual(precert.notAfter.value);
    expect(() => ctLog.addPreChain(leaf.der, ca.intermediate.der, now)).toThrow(/poison/);
    expect(() =>
      ctLog.addPreChain(leaf.precertificate, createCertificateAuthority(now).intermediate.der, now),
    ).toThrow(/not signed/);
  });
});
