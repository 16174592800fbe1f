/**
 * How keyless and certificates attestors are read, as Kyverno reads them (buildCosignVerifier,
 * buildCosignOptions, sigstore.go): which roots apply, when tlog and SCTs are required, the bare key
 * of `certificates.cert`, `cert` with `certChain` never verifying, SigstoreBundle's identity rule —
 * and the trusted root each attestor stands for, built over the base root with trustedRootFromPems.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../../src/errors/index.js';
import {
  exportPublicKeyPem,
  generateKeyPair,
  importPublicKey,
  publicKeyFingerprint,
} from '../../../../src/keys/index.js';
import { encodePem } from '../../../../src/keys/pem.js';
import type { SignatureCheck } from '../../../../src/policy/common/backend.js';
import {
  attestorTrustedRoot,
  certificatePlan,
  certificatePublicKey,
  type EvidenceSettings,
} from '../../../../src/policy/common/certificate-attestor.js';
import type { Attestor } from '../../../../src/policy/common/types.js';
import { shippedTrustedRoot } from '../../../../src/sigstore/shipped.js';
import { caCertificate, issuedCertificate } from '../../../helpers/certs.js';

const dir = mkdtempSync(join(tmpdir(), 'ocisign-cert-attestor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const check = (attestor: Attestor, extra: Partial<SignatureCheck> = {}): SignatureCheck => ({
  image: 'ghcr.io/acme/app:1.0',
  attestor,
  type: 'Cosign',
  signal: new AbortController().signal,
  ...extra,
});

const base = shippedTrustedRoot();
/** Public-good's current Fulcio CA: [intermediate, root]. */
const [fulcioIntermediate, fulcioRoot] = (base.certificateAuthorities[1]?.certChain.certificates ?? []).map(
  (c) => encodePem('CERTIFICATE', c.rawBytes),
);
const none: EvidenceSettings = {
  ignoreTlog: false,
  rekorPubkey: undefined,
  ignoreSct: false,
  ctlogPubkey: undefined,
  tsaCertChain: undefined,
};
const ca = caCertificate(dir, 'ca', '/CN=Private CA');
const caPem = readFileSync(ca.certPath, 'utf8');
const leaf = issuedCertificate(dir, 'leaf', {
  subject: '/CN=signer',
  issuer: ca,
  extensions: ['extendedKeyUsage=codeSigning'],
});
const leafPem = readFileSync(leaf.certPath, 'utf8');

describe('certificatePlan, type Cosign', () => {
  it('keyless: its own roots replace the entry roots, even when empty; tlog and SCT required by default', () => {
    const plan = certificatePlan(
      check({ keyless: { subject: 's', roots: caPem } }, { roots: 'entry' }),
      false,
    );
    expect(plan).toMatchObject({
      mode: 'chain',
      roots: caPem,
      evidence: none,
      constraints: { subject: 's' },
    });
    expect(certificatePlan(check({ keyless: { issuer: 'i' } }, { roots: caPem }), false)).toMatchObject({
      mode: 'chain',
      roots: undefined,
    });
  });

  it('rekor and ctlog blocks map to the evidence settings', () => {
    const plan = certificatePlan(
      check({
        keyless: {
          rekor: { url: 'https://rekor.example', pubkey: 'R', ignoreTlog: true },
          ctlog: { ignoreSCT: true, pubkey: 'C', tsaCertChain: 'T' },
        },
      }),
      true,
    );
    expect(plan).toMatchObject({
      mode: 'chain',
      evidence: { ignoreTlog: true, rekorPubkey: 'R', ignoreSct: true, ctlogPubkey: 'C', tsaCertChain: 'T' },
    });
  });

  it('certificates: certChain alone is the roots pool; neither field takes the entry roots; no identity', () => {
    expect(certificatePlan(check({ certificates: { certChain: caPem } }), false)).toMatchObject({
      mode: 'chain',
      roots: caPem,
      constraints: {},
    });
    expect(certificatePlan(check({ certificates: {} }, { roots: caPem }), false)).toMatchObject({
      mode: 'chain',
      roots: caPem,
    });
  });

  it('certificates.cert alone is a bare key; with certChain it never verifies (chain length capped first)', () => {
    expect(certificatePlan(check({ certificates: { cert: leafPem } }), false)).toMatchObject({
      mode: 'bare-key',
      cert: leafPem,
    });
    const refused = certificatePlan(check({ certificates: { cert: leafPem, certChain: caPem } }), false);
    expect(refused).toMatchObject({ mode: 'refused', message: expect.stringContaining('never verifies') });
    const long = certificatePlan(
      check({ certificates: { cert: leafPem, certChain: caPem.repeat(12) } }),
      false,
    );
    expect(long).toMatchObject({ message: 'certificate chain too long (12), maximum allowed is 11' });
  });

  it('the implicit attestor (attestations without attestors) skips SCTs only for attestations', () => {
    expect(certificatePlan(check({}), true)).toMatchObject({ mode: 'chain', evidence: { ignoreSct: true } });
    expect(certificatePlan(check({}), false)).toMatchObject({
      mode: 'chain',
      evidence: { ignoreSct: false },
    });
  });
});

describe('certificatePlan, type SigstoreBundle', () => {
  const bundle = (attestor: Attestor) => certificatePlan(check(attestor, { type: 'SigstoreBundle' }), false);

  it('an identity only when both an issuer and a subject are given, exact or regexp', () => {
    expect(
      bundle({
        keyless: { issuer: 'i', subjectRegExp: '^s$', roots: caPem, additionalExtensions: { x: 'y' } },
      }),
    ).toEqual({ mode: 'bundle', identity: { issuer: 'i', subjectRegExp: '^s$' }, ignoreTlog: false });
    for (const keyless of [{ issuer: 'i' }, { subject: 's' }, {}])
      expect(bundle({ keyless })).toMatchObject({
        mode: 'refused',
        reason: 'identity-mismatch',
        message: expect.stringContaining('both an issuer and a subject'),
      });
    expect(bundle({ certificates: { certChain: caPem } })).toMatchObject({ mode: 'refused' });
  });

  it('ignoreTlog is read; roots and pubkeys are not', () => {
    expect(
      bundle({ keyless: { issuer: 'i', subject: 's', rekor: { ignoreTlog: true, pubkey: 'R' } } }),
    ).toMatchObject({
      ignoreTlog: true,
    });
  });
});

describe('attestorTrustedRoot', () => {
  it("nothing given: the base root's CA roots alone, without its TSAs (cosign's legacy path reads none), built once", () => {
    expect(base.timestampAuthorities.length).toBeGreaterThan(0);
    const root = attestorTrustedRoot(undefined, none, base);
    expect(root.timestampAuthorities).toEqual([]);
    // Kyverno trusts the Fulcio roots and reads intermediates from each signature's chain annotation.
    expect(base.certificateAuthorities.some((ca) => ca.certChain.certificates.length > 1)).toBe(true);
    expect(root.certificateAuthorities).toEqual(
      base.certificateAuthorities.map((ca) => ({
        ...ca,
        certChain: { certificates: ca.certChain.certificates.slice(-1) },
      })),
    );
    expect(root.tlogs).toEqual(base.tlogs);
    expect(root.ctlogs).toEqual(base.ctlogs);
    expect(attestorTrustedRoot(undefined, none, base)).toBe(root);
  });

  it('roots given: they alone are the anchors, no base intermediate comes along (Kyverno reads those from the chain annotation)', () => {
    const root = attestorTrustedRoot(fulcioRoot, none, base);
    expect(root.certificateAuthorities).toHaveLength(1);
    expect(
      root.certificateAuthorities[0]?.certChain.certificates.map((c) => encodePem('CERTIFICATE', c.rawBytes)),
    ).toEqual([fulcioRoot]);
    // An intermediate given with its root is one chain of two anchors.
    const both = attestorTrustedRoot(`${fulcioIntermediate}\n${fulcioRoot}`, none, base);
    expect(
      both.certificateAuthorities[0]?.certChain.certificates.map((c) => encodePem('CERTIFICATE', c.rawBytes)),
    ).toEqual([fulcioIntermediate, fulcioRoot]);
    // The logs are the base's.
    expect(root.tlogs).toHaveLength(base.tlogs.length);
    expect(root.ctlogs).toHaveLength(base.ctlogs.length);
    // A private root brings nothing of the base's CAs.
    const own = attestorTrustedRoot(caPem, none, base);
    expect(own.certificateAuthorities).toHaveLength(1);
    expect(own.certificateAuthorities[0]?.certChain.certificates).toHaveLength(1);
  });

  it('rekor.pubkey and ctlog.pubkey are the only keys of their kind', async () => {
    const rekor = exportPublicKeyPem((await generateKeyPair()).publicKey);
    const ct = exportPublicKeyPem((await generateKeyPair()).publicKey);
    const root = attestorTrustedRoot(undefined, { ...none, rekorPubkey: rekor, ctlogPubkey: ct }, base);
    expect(root.tlogs.map((t) => publicKeyFingerprint(importPublicKey(t.publicKey.rawBytes)))).toEqual([
      publicKeyFingerprint(importPublicKey(rekor)),
    ]);
    expect(root.ctlogs).toHaveLength(1);
    expect(root.certificateAuthorities).toEqual(
      attestorTrustedRoot(undefined, none, base).certificateAuthorities,
    );
  });

  it('tsaCertChain: the only TSA, with Kyverno caps (one leaf, 12 certificates)', () => {
    const tsaLeaf = readFileSync(
      issuedCertificate(dir, 'tsa', {
        subject: '/CN=tsa',
        issuer: ca,
        extensions: ['extendedKeyUsage=critical,timeStamping'],
      }).certPath,
      'utf8',
    );
    const root = attestorTrustedRoot(undefined, { ...none, tsaCertChain: `${tsaLeaf}${caPem}` }, base);
    expect(root.timestampAuthorities).toHaveLength(1);
    expect(() =>
      attestorTrustedRoot(undefined, { ...none, tsaCertChain: `${tsaLeaf}${leafPem}${caPem}` }, base),
    ).toThrow('certificate chain must contain at most one TSA certificate');
    expect(() => attestorTrustedRoot(undefined, { ...none, tsaCertChain: caPem.repeat(13) }, base)).toThrow(
      /too many certificates \(13\), maximum allowed is 12/,
    );
  });

  it('PEM that holds no CA certificate is a typed error naming the input', () => {
    expect(() => attestorTrustedRoot(leafPem, none, base)).toThrow(InvalidArgumentError);
    expect(() => attestorTrustedRoot('not pem', none, base)).toThrow(InvalidArgumentError);
  });
});

describe('certificatePublicKey', () => {
  it('reads PEM or base64 of PEM, the first certificate', () => {
    const fromPem = publicKeyFingerprint(certificatePublicKey(`${leafPem}${caPem}`));
    expect(publicKeyFingerprint(certificatePublicKey(Buffer.from(leafPem).toString('base64')))).toBe(fromPem);
    expect(fromPem).not.toBe(publicKeyFingerprint(certificatePublicKey(caPem)));
  });

  it('refuses text with no certificate with a typed error', () => {
    expect(() => certificatePublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).toThrow(
      InvalidArgumentError,
    );
    expect(() => certificatePublicKey('%%%')).toThrow(/holds no PEM certificate/);
  });
});
