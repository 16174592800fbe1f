/**
 * Real Fulcio certificates from ../shared/vectors/keyless, and edited copies of them: a test takes a
 * real leaf and replaces, adds or removes extensions (subject alternative names of every kind, Fulcio
 * extensions in any encoding, extended key usage) to reach the cases no real certificate shows. An
 * edited copy keeps the CA's old signature, so it no longer verifies: it is for the certificate
 * reader and the identity matchers, which never check signatures.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { decodeFirstPemBlock } from '../../src/keys/pem.js';
import type { CertificateIdentity } from '../../src/verify/keyless/identity.js';
import { SHARED_DIR } from './vectors.js';

const KEYLESS = join(SHARED_DIR, 'vectors', 'keyless');

/** A keyless case's descriptor (the fields these tests read). */
export interface KeylessCase {
  readonly id: string;
  readonly format: string;
  readonly files: { readonly bundle?: string; readonly layer?: string };
  readonly verify?: Readonly<Record<string, unknown>>;
  readonly expected?: { readonly outcome: 'pass' | 'fail'; readonly reason: string };
}

/** The case.json of a keyless case folder (`holdout/x` for a holdout artifact). */
export function keylessCase(id: string): KeylessCase {
  const text = readFileSync(join(KEYLESS, id, 'case.json'), 'utf8');
  return { id, ...(JSON.parse(text) as Omit<KeylessCase, 'id'>) };
}

/** The `dev.sigstore.cosign/certificate` annotation (PEM) of a classic case's layer. */
export function classicCertificatePem(dir: string, layerFile = 'layer.json'): string {
  const layer = JSON.parse(readFileSync(join(KEYLESS, dir, layerFile), 'utf8'));
  return layer.annotations['dev.sigstore.cosign/certificate'] as string;
}

/** The leaf DER of a bundle: `certificate.rawBytes` (v0.3) or the chain's first certificate. */
export function bundleCertificateDer(dir: string, bundleFile = 'bundle.sigstore.json'): Uint8Array {
  const bundle = JSON.parse(readFileSync(join(KEYLESS, dir, bundleFile), 'utf8'));
  const material = bundle.verificationMaterial;
  const raw = material.certificate?.rawBytes ?? material.x509CertificateChain.certificates[0].rawBytes;
  return new Uint8Array(Buffer.from(raw as string, 'base64'));
}

/** The DER of a PEM certificate. */
export function pemToDer(pem: string): Uint8Array {
  const block = decodeFirstPemBlock(pem);
  if (block === undefined) throw new Error('no PEM block');
  return block.bytes;
}

/** A copy of `der` whose extensions are `edit`'s result (the TBS re-encoded, the old signature kept). */
export function withExtensions(
  der: Uint8Array,
  edit: (extensions: pkijs.Extension[]) => pkijs.Extension[],
): Uint8Array {
  const cert = pkijs.Certificate.fromBER(der);
  cert.extensions = edit([...(cert.extensions ?? [])]);
  return new Uint8Array(cert.toSchema(true).toBER());
}

/** An extension with these exact extnValue bytes. */
export function extension(oid: string, value: Uint8Array, critical = false): pkijs.Extension {
  return new pkijs.Extension({ extnID: oid, critical, extnValue: value.slice().buffer });
}

/** Fulcio extension `.1.n` with raw bytes as its value. */
export function fulcioExtension(n: number, value: Uint8Array, critical = false): pkijs.Extension {
  return extension(`1.3.6.1.4.1.57264.1.${n}`, value, critical);
}

/** Text as raw UTF-8 bytes (how Fulcio writes `.1.1`–`.1.6`). */
export function raw(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Text as a DER UTF8String (how Fulcio writes `.1.8` on). */
export function derUtf8(text: string): Uint8Array {
  return new Uint8Array(new asn1js.Utf8String({ value: text }).toBER());
}

/** Removes the extensions with these OIDs. */
export function without(...oids: string[]): (extensions: pkijs.Extension[]) => pkijs.Extension[] {
  return (extensions) => extensions.filter((e) => !oids.includes(e.extnID));
}

function contextPrimitive(tag: number, bytes: Uint8Array): asn1js.Primitive {
  return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: tag }, valueHex: bytes.slice().buffer });
}

/** GeneralNames, as a subject alternative name holds them. */
export const san = {
  email: (value: string) => contextPrimitive(1, raw(value)),
  dns: (value: string) => contextPrimitive(2, raw(value)),
  uri: (value: string) => contextPrimitive(6, raw(value)),
  ip: (bytes: number[]) => contextPrimitive(7, new Uint8Array(bytes)),
  otherName: (oid: string, value: asn1js.AsnType = new asn1js.Utf8String({ value: 'foo!oidc.local' })) =>
    new asn1js.Constructed({
      idBlock: { tagClass: 3, tagNumber: 0 },
      value: [
        new asn1js.ObjectIdentifier({ value: oid }),
        new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [value] }),
      ],
    }),
};

/** A subject alternative name extension (critical, as Fulcio writes it) with these names. */
export function sanExtension(names: asn1js.AsnType[], critical = true): pkijs.Extension {
  return extension('2.5.29.17', new Uint8Array(new asn1js.Sequence({ value: names }).toBER()), critical);
}

/** An extended key usage extension with these purposes. */
export function ekuExtension(oids: string[]): pkijs.Extension {
  const value = new asn1js.Sequence({
    value: oids.map((oid) => new asn1js.ObjectIdentifier({ value: oid })),
  });
  return extension('2.5.29.37', new Uint8Array(value.toBER()));
}

/** A keyless case's cosign flags (`case.json` `verify`) as one identity entry. */
export function identityOf(flags: Readonly<Record<string, unknown>>): CertificateIdentity {
  const field = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  const identity: Record<string, unknown> = {
    subject: field('certificateIdentity'),
    subjectRegExp: field('certificateIdentityRegexp'),
    issuer: field('certificateOidcIssuer'),
    issuerRegExp: field('certificateOidcIssuerRegexp'),
    github: flags.githubWorkflow,
  };
  for (const key of Object.keys(identity)) if (identity[key] === undefined) delete identity[key];
  return identity as CertificateIdentity;
}

/** The evidence failure cosign 3 names for each keyless vector case that fails on its evidence. */
export const KEYLESS_EVIDENCE_FAILURES: Readonly<Record<string, string>> = {
  'conf-bundle-from-wrong-instance': 'certificate-invalid',
  'conf-bundle-with-root-cert': 'malformed',
  'conf-intoto-expired-certificate': 'certificate-invalid',
  'conf-intoto-set-outside-signing-cert-validity': 'certificate-invalid',
  'conf-intoto-tsa-timestamp-outside-cert-validity': 'certificate-invalid',
  'conf-message-digest-mismatch': 'tlog-invalid',
  'conf-rekor2-no-timestamp': 'timestamp-missing',
  'conf-set-invalid-signature': 'tlog-invalid',
  'conf-signature-mismatch': 'tlog-invalid',
  'conf-wrong-material': 'wrong-key',
  'sct-unverifiable-no-ct-log': 'sct-invalid',
};
