/**
 * trustedRootFromPems on real and made material: the public-good Fulcio certificates and log keys
 * (as PEM, shuffled) give back the chains and log IDs the public-good root lists; openssl-made
 * roots, intermediates and a TSA chain sort into leaf-to-anchor chains; the result round-trips
 * through parseTrustedRoot and converts to trust material; bad PEM is refused, naming the input.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors/index.js';
import { exportPublicKeyPem, generateKeyPair, importPublicKey } from '../../../src/keys/index.js';
import { encodePem } from '../../../src/keys/pem.js';
import {
  parseTrustedRoot,
  TRUSTED_ROOT_MEDIA_TYPE,
  trustedRootFromPems,
  trustMaterialOf,
} from '../../../src/sigstore/index.js';
import { caCertificate, issuedCertificate } from '../../helpers/certs.js';
import { readVectors } from '../../helpers/vectors.js';

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
type Json = any;
const publicGood = readVectors<Json>('keyless/trusted-roots/public-good-sigstore-tuf-4.0.2.json');
const der = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const certPem = (b64: string) => encodePem('CERTIFICATE', der(b64));
const keyPem = (b64: string) => encodePem('PUBLIC KEY', der(b64));
const chainOf = (ca: { certChain: { certificates: readonly { rawBytes: Uint8Array }[] } }) =>
  ca.certChain.certificates.map((c) => Buffer.from(c.rawBytes).toString('base64'));
const EPOCH = new Date(0);

const dir = mkdtempSync(join(tmpdir(), 'ocisign-pems-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pem = (files: { certPath: string }) => readFileSync(files.certPath, 'utf8');

describe('trustedRootFromPems on the public-good material', () => {
  const cas = publicGood.certificateAuthorities as Json[];
  const certs: string[] = cas.flatMap((ca) => ca.certChain.certificates.map((c: Json) => c.rawBytes));
  const rekorV1 = publicGood.tlogs[0];

  it('sorts the Fulcio certificates, in any order, into the chains the root lists (intermediate first, root last)', () => {
    for (const order of [certs, [...certs].reverse(), [certs[1], certs[2], certs[0]]]) {
      const root = trustedRootFromPems({ fulcio: order.map((c) => certPem(c as string)).join('') });
      const chains = root.certificateAuthorities.map(chainOf);
      expect(chains.sort()).toEqual(
        cas.map((ca) => ca.certChain.certificates.map((c: Json) => c.rawBytes)).sort(),
      );
      for (const ca of root.certificateAuthorities) expect(ca.validFor).toEqual({ start: EPOCH });
    }
  });

  it("gives each log the ID the public-good root states for it: SHA-256 of the key's DER", () => {
    const root = trustedRootFromPems({
      fulcio: certPem(certs[0] as string),
      rekor: keyPem(rekorV1.publicKey.rawBytes),
      ctlog: publicGood.ctlogs.map((l: Json) => keyPem(l.publicKey.rawBytes)),
    });
    expect(root.tlogs.map((l) => Buffer.from(l.logId?.keyId ?? []).toString('base64'))).toEqual([
      rekorV1.logId.keyId,
    ]);
    expect(root.ctlogs.map((l) => Buffer.from(l.logId?.keyId ?? []).toString('base64'))).toEqual(
      publicGood.ctlogs.map((l: Json) => l.logId.keyId),
    );
    expect(root.tlogs[0]?.publicKey).toEqual({
      rawBytes: der(rekorV1.publicKey.rawBytes),
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
      validFor: { start: EPOCH },
    });
    expect(root.tlogs[0]?.hashAlgorithm).toBe('SHA2_256');
  });

  it('gives the TSA chain the root lists, signing certificate first', () => {
    const tsa = publicGood.timestampAuthorities[0].certChain.certificates.map(
      (c: Json) => c.rawBytes,
    ) as string[];
    const root = trustedRootFromPems({
      fulcio: certPem(certs[0] as string),
      tsa: [...tsa].reverse().map(certPem).join('\n'),
    });
    expect(root.timestampAuthorities.map(chainOf)).toEqual([tsa]);
  });
});

describe('trustedRootFromPems over a base root', () => {
  const base = parseTrustedRoot(publicGood);
  const rekorV1 = publicGood.tlogs[0];

  it('replaces only the parts given: a private CA keeps the base logs and TSAs', () => {
    const ca = publicGood.certificateAuthorities[0].certChain.certificates.at(-1).rawBytes as string;
    const root = trustedRootFromPems({ fulcio: certPem(ca), base });
    expect(root.certificateAuthorities.map(chainOf)).toEqual([[ca]]);
    expect(root.tlogs).toEqual(base.tlogs);
    expect(root.ctlogs).toEqual(base.ctlogs);
    expect(root.timestampAuthorities).toEqual(base.timestampAuthorities);
  });

  it("a Rekor key given replaces the base's logs (Kyverno's rekor.pubkey), the CAs stay", async () => {
    const key = exportPublicKeyPem((await generateKeyPair({ algorithm: 'ecdsa-p256' })).publicKey);
    const root = trustedRootFromPems({ rekor: key, base });
    expect(root.tlogs).toHaveLength(1);
    expect(Buffer.from(root.tlogs[0]?.logId?.keyId ?? []).toString('base64')).not.toBe(rekorV1.logId.keyId);
    expect(root.certificateAuthorities).toEqual(base.certificateAuthorities);
    expect(root.ctlogs).toEqual(base.ctlogs);
  });

  it('refuses no CAs without a base, and a base that is not a parsed root', () => {
    expect(() => trustedRootFromPems({ rekor: keyPem(rekorV1.publicKey.rawBytes) })).toThrow(/needs fulcio/);
    expect(() =>
      trustedRootFromPems({ rekor: keyPem(rekorV1.publicKey.rawBytes), base: publicGood as never }),
    ).toThrow(InvalidArgumentError);
  });
});

describe('trustedRootFromPems on made chains', () => {
  const root = caCertificate(dir, 'root', '/O=example/CN=root');
  const intermediateA = issuedCertificate(dir, 'int-a', {
    subject: '/O=example/CN=int-a',
    issuer: root,
    ca: true,
  });
  const intermediateB = issuedCertificate(dir, 'int-b', {
    subject: '/O=example/CN=int-b',
    issuer: root,
    ca: true,
  });
  const below = issuedCertificate(dir, 'below-a', {
    subject: '/O=example/CN=below-a',
    issuer: intermediateA,
    ca: true,
  });
  const otherRoot = caCertificate(dir, 'other', '/O=example/CN=root'); // the same name, another key
  const tsaRoot = caCertificate(dir, 'tsa-root', '/O=example/CN=tsa-root');
  const tsaLeaf = issuedCertificate(dir, 'tsa', {
    subject: '/O=example/CN=tsa',
    issuer: tsaRoot,
    extensions: ['extendedKeyUsage=critical,timeStamping'],
  });
  const b64 = (files: { certPath: string }) =>
    Buffer.from(pem(files).replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64');

  it('one CA per path from a bottom certificate to its anchor; a root of the same name but another key apart', async () => {
    const rekor = await generateKeyPair({ algorithm: 'ecdsa-p256' });
    const ct = await generateKeyPair({ algorithm: 'rsa-2048' });
    const built = trustedRootFromPems({
      fulcio: [root, below, otherRoot, intermediateB, intermediateA].map(pem).join(''),
      rekor: [exportPublicKeyPem(rekor.publicKey)],
      ctlog: exportPublicKeyPem(ct.publicKey),
      tsa: pem(tsaRoot) + pem(tsaLeaf),
    });
    expect(built.certificateAuthorities.map(chainOf).sort()).toEqual(
      [[b64(below), b64(intermediateA), b64(root)], [b64(otherRoot)], [b64(intermediateB), b64(root)]].sort(),
    );
    expect(built.timestampAuthorities.map(chainOf)).toEqual([[b64(tsaLeaf), b64(tsaRoot)]]);
    expect(built.tlogs[0]?.publicKey.rawBytes).toEqual(rekor.publicKey.toDer());
    expect(built.ctlogs[0]?.publicKey.keyDetails).toBe('PKIX_RSA_PKCS1V15_2048_SHA256');
    // What it builds is a trusted root like any other: it round-trips and converts.
    expect(built.mediaType).toBe(TRUSTED_ROOT_MEDIA_TYPE);
    const again = parseTrustedRoot(JSON.stringify(built.json));
    expect(again.certificateAuthorities).toEqual(built.certificateAuthorities);
    expect(again.tlogs).toEqual(built.tlogs);
    expect(again.ctlogs).toEqual(built.ctlogs);
    expect(again.timestampAuthorities).toEqual(built.timestampAuthorities);
    const material = trustMaterialOf(built);
    expect(material.certificateAuthorities.map((ca) => ca.certChain.length).sort()).toEqual([1, 2, 3]);
    expect(material.ctlogs[0]?.publicKey.asymmetricKeyType).toBe('rsa');
    expect(material.tlogs[0]?.validFor.start).toEqual(EPOCH);
  });

  it('the same certificate twice is one; keys in one text are all read', async () => {
    const a = await generateKeyPair({ algorithm: 'ecdsa-p384' });
    const b = await generateKeyPair({ algorithm: 'ed25519' });
    const built = trustedRootFromPems({
      fulcio: pem(root) + pem(root),
      rekor: exportPublicKeyPem(a.publicKey) + exportPublicKeyPem(b.publicKey),
    });
    expect(built.certificateAuthorities.map(chainOf)).toEqual([[b64(root)]]);
    expect(built.tlogs.map((l) => l.publicKey.keyDetails)).toEqual([
      'PKIX_ECDSA_P384_SHA_384',
      'PKIX_ED25519',
    ]);
    expect(importPublicKey(built.tlogs[1]?.publicKey.rawBytes as Uint8Array).equals(b.publicKey)).toBe(true);
  });

  it.each([
    ['no PEM at all', () => ({ fulcio: 'hello' }), /fulcio holds no PEM certificate/],
    ['fulcio missing', () => ({}), /needs fulcio \(CA certificates\) unless a base root gives them/],
    ['not an object', () => null, /takes \{ fulcio/],
    [
      'a key among the certificates',
      () => ({ fulcio: pem(root) + keyPem(publicGood.tlogs[0].publicKey.rawBytes) }),
      /fulcio: PEM block 2 is a "PUBLIC KEY", not a CERTIFICATE/,
    ],
    [
      'a leaf among the CA certificates',
      () => ({ fulcio: pem(tsaLeaf) }),
      /fulcio: PEM block 1 is not a CA certificate/,
    ],
    [
      'a certificate that does not parse',
      () => ({ fulcio: encodePem('CERTIFICATE', new Uint8Array([48, 3, 2, 1, 1])) }),
      /fulcio: PEM block 1 is not a DER X\.509 certificate/,
    ],
    [
      'a Rekor text without a key',
      () => ({ fulcio: pem(root), rekor: ['', 'x'] }),
      /rekor\[0\] holds no PEM public key/,
    ],
    [
      'a certificate as a CT key',
      () => ({ fulcio: pem(root), ctlog: pem(root) }),
      /ctlog is a "CERTIFICATE", not a PUBLIC KEY/,
    ],
    [
      'a key cosign refuses',
      () => ({ fulcio: pem(root), rekor: encodePem('PUBLIC KEY', new Uint8Array([48, 0])) }),
      /rekor is not a public key we can use/,
    ],
    [
      'too many certificates',
      () => ({ fulcio: pem(root).repeat(101) }),
      /fulcio holds 101 PEM blocks, more than the 100 read/,
    ],
    [
      'a list that is no list',
      () => ({ fulcio: pem(root), rekor: 5 }),
      /rekor must be PEM text or a list of them/,
    ],
  ])('%s: InvalidArgumentError naming it', (_, make, message) => {
    expect(() => trustedRootFromPems(make() as never)).toThrow(InvalidArgumentError);
    expect(() => trustedRootFromPems(make() as never)).toThrow(message);
  });
});
