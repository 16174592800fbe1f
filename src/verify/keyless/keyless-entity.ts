/**
 * What @sigstore/verify checks, built from our evidence: a Sigstore bundle as it is, or a classic
 * cosign keyless `.sig` / `.att` layer as the v0.1 bundle it amounts to (its certificate, its Rekor
 * SET as an inclusion promise, its RFC 3161 timestamp, the signature over the payload or the DSSE
 * envelope). A bundle already read by `parseBundle` is not read again: only the library's model
 * is built from its JSON. Only the
 * leaf certificate goes into the model: with a trusted root, chain certificates come from the root,
 * never from what the signer attached (cosign ignores the `chain` annotation then; sigstore-go and
 * sigstore-js read only a bundle chain's first certificate, and a chain that carries a root is
 * refused). A classic layer's `chain` annotation is kept as text beside it, for cosign's legacy
 * chain rules (`certificate-path.ts`), which read it only when asked to.
 *
 * Deliberately not here: checking any of it (`sigstore-checks.ts`), or the cosign claims.
 */

import { p256, p384 } from '@noble/curves/nist.js';
import { type Bundle, bundleFromJSON } from '@sigstore/bundle';
import { type crypto as sigstoreCrypto, X509Certificate } from '@sigstore/core';
import { type SignedEntity, toSignedEntity } from '@sigstore/verify';
import { fromBase64, toBase64 } from '../../internal/bytes.js';
import { importPublicKey } from '../../keys/import.js';
import { BUNDLE_V01_MEDIA_TYPE, type SigstoreBundle, type TlogEntry } from '../../payload/bundle.js';
import { type DsseEnvelope, verifyDsseEnvelope } from '../../payload/dsse.js';
import type { Descriptor } from '../../payload/oci.js';
import { SignatureAnnotation } from '../../payload/signature-layer.js';
import { readRekorBody } from '../../sigstore/tlog/rekor-body.js';
import type { CheckFailure } from '../verify-types.js';

/** What the keyless checks take: the library's signed entity, and the tlog entries as we read them. */
export interface KeylessSubject {
  readonly entity: SignedEntity;
  readonly tlogEntries: readonly TlogEntry[];
  /**
   * A classic `.att` layer's blob: the DSSE envelope as stored. cosign logs and timestamps these
   * bytes for an attestation, so its Rekor entry is matched on them (`attestationEntryMatches`)
   * and its RFC 3161 timestamp is over them, not over a signature.
   */
  readonly attestationBlob?: Uint8Array;
  /**
   * A classic layer's `dev.sigstore.cosign/chain` annotation as stored (not read here): only cosign's
   * legacy chain rules (`KeylessFlags.legacyChain`) take intermediates from it.
   */
  readonly chainAnnotation?: string;
  /**
   * A bundle's DSSE envelope: a Rekor v2 `hashedrekord` logs the digest of its PAE (rekor-v2 spec
   * §6.1.4), which @sigstore/verify 3.1 does not compare, so the entry is matched on it here.
   */
  readonly envelope?: DsseEnvelope;
}

function malformed(message: string): CheckFailure {
  return { reason: 'malformed', message };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The DER of the first certificate in PEM text (cosign's `Cert()`), or undefined. */
function firstCertificateDer(pem: string): Uint8Array | undefined {
  const match = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem);
  return match === null ? undefined : fromBase64(match[1]?.replace(/\s+/g, '') ?? '');
}

/** Whether a certificate is self-signed (a root), by its own subject and issuer. */
function isSelfSigned(der: Uint8Array): boolean {
  const cert = X509Certificate.parse(Buffer.from(der));
  return cert.isCA && cert.subject.toString() === cert.issuer.toString();
}

const CURVES = { 'P-256': p256, 'P-384': p384 } as const;

/**
 * A message signature checked over a digest the caller knows (cosign `verify-blob` with only the
 * artifact's digest): ECDSA over the prehashed digest, which node:crypto cannot verify.
 */
function digestSignature(bundle: Bundle, digest: Uint8Array): SignedEntity['signature'] | CheckFailure {
  if (bundle.content.$case !== 'messageSignature') return malformed('the bundle holds no message signature');
  const { signature, messageDigest } = bundle.content.messageSignature;
  if (messageDigest === undefined || !Buffer.from(digest).equals(messageDigest.digest))
    return { reason: 'digest-mismatch', message: "the bundle's message digest is not the artifact's" };
  return {
    signature,
    compareSignature: (other: Buffer) => other.equals(signature),
    compareDigest: (other: Buffer) => other.equals(messageDigest.digest),
    verifySignature(key: sigstoreCrypto.KeyObject) {
      const jwk = key.export({ format: 'jwk' }) as { crv?: string; x?: string; y?: string };
      const curve = CURVES[jwk.crv as keyof typeof CURVES];
      if (curve === undefined || jwk.x === undefined || jwk.y === undefined) return false;
      const point = Buffer.concat([
        Buffer.from([4]),
        Buffer.from(jwk.x, 'base64url'),
        Buffer.from(jwk.y, 'base64url'),
      ]);
      return curve.verify(signature, digest, point, { prehash: false, format: 'der', lowS: false });
    },
  };
}

/**
 * The library's model of a bundle document (the JSON text, bytes or value), or why it is not
 * one. A bundle chain with a root in it is refused, as sigstore-conformance requires.
 */
function libraryBundle(document: unknown): Bundle | CheckFailure {
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(
      typeof document === 'string' || document instanceof Uint8Array
        ? JSON.parse(Buffer.from(document).toString('utf8'))
        : document,
    );
  } catch (error) {
    return malformed(`the bundle: ${describe(error)}`);
  }
  const material = bundle.verificationMaterial.content;
  if (material.$case === 'x509CertificateChain') {
    const certs = material.x509CertificateChain.certificates;
    try {
      if (certs.slice(1).some((c) => isSelfSigned(c.rawBytes)))
        return malformed('the bundle carries a root certificate; roots come only from the trusted root');
    } catch (error) {
      return malformed(`the bundle's certificate chain: ${describe(error)}`);
    }
  }
  return bundle;
}

/** The library's signed entity of `bundle`; what it throws (a malformed timestamp) is a failure. */
function signedEntity(bundle: Bundle, artifact?: Buffer): SignedEntity | CheckFailure {
  try {
    return toSignedEntity(bundle, artifact);
  } catch (error) {
    return malformed(`the bundle: ${describe(error)}`);
  }
}

/**
 * The signed entity of a Sigstore bundle `parseBundle` has read, over `artifact` for a message
 * signature (its bytes, or `{ digest }` when only the SHA-256 is known). `document` is the same
 * bundle as JSON (text, bytes or the decoded value): the library's model is built from it, and
 * checked by the library's own rules, while the tlog entries are taken from `bundle`.
 */
export function bundleEntity(
  bundle: SigstoreBundle,
  document: unknown,
  artifact: Uint8Array | { readonly digest: Uint8Array } | undefined,
): KeylessSubject | CheckFailure {
  const model = libraryBundle(document);
  if ('reason' in model) return model;
  const { tlogEntries } = bundle;
  // A DSSE envelope signs its own payload: the artifact is named by the statement's subject,
  // which the judge compares; only a message signature is over the artifact itself.
  if (artifact === undefined || model.content.$case === 'dsseEnvelope') {
    const entity = signedEntity(model);
    const envelope = bundle.dsseEnvelope === undefined ? {} : { envelope: bundle.dsseEnvelope };
    return 'reason' in entity ? entity : { entity, tlogEntries, ...envelope };
  }
  if (artifact instanceof Uint8Array) {
    const entity = signedEntity(model, Buffer.from(artifact));
    return 'reason' in entity ? entity : { entity, tlogEntries };
  }
  const signature = digestSignature(model, artifact.digest);
  if ('reason' in signature) return signature;
  const entity = signedEntity(model);
  return 'reason' in entity ? entity : { entity: { ...entity, signature }, tlogEntries };
}

/** The parsed Rekor SET annotation of a classic layer, as much of it as a v0.1 bundle needs. */
interface RekorAnnotation {
  readonly SignedEntryTimestamp: string;
  readonly Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
}

function readRekorAnnotation(text: string): RekorAnnotation | CheckFailure {
  try {
    const doc = JSON.parse(text) as RekorAnnotation;
    const p = doc?.Payload;
    if (
      typeof doc?.SignedEntryTimestamp !== 'string' ||
      typeof p?.body !== 'string' ||
      !Number.isSafeInteger(p.integratedTime) ||
      !Number.isSafeInteger(p.logIndex) ||
      typeof p.logID !== 'string' ||
      !/^[0-9a-f]{64}$/.test(p.logID)
    )
      return { reason: 'tlog-invalid', message: 'the Rekor bundle annotation is not one cosign writes' };
    return doc;
  } catch (error) {
    return { reason: 'tlog-invalid', message: `the Rekor bundle annotation: ${describe(error)}` };
  }
}

/** What a classic layer's annotations give a v0.1 bundle: certificate, tlog entries, timestamps. */
interface ClassicMaterial {
  readonly verificationMaterial: object;
  readonly tlogEntries: readonly TlogEntry[];
  readonly chainAnnotation: string | undefined;
}

/**
 * A classic keyless layer's annotations as v0.1 bundle material: the certificate annotation (first
 * certificate), the Rekor SET (when present) as an inclusion promise of an entry of kind `kind`
 * (`kindOf` reads it from the logged body), the RFC 3161 timestamp (when present).
 */
function classicMaterial(
  layer: Descriptor,
  kindOf: (body: string) => { kind: string; version: string },
): ClassicMaterial | CheckFailure {
  const annotations = layer.annotations ?? {};
  const pem = annotations[SignatureAnnotation.certificate];
  if (pem === undefined || pem === '')
    return { reason: 'wrong-key', message: 'the layer has no certificate: it was not signed keyless' };
  const der = firstCertificateDer(pem);
  if (der === undefined) return malformed('the certificate annotation holds no PEM certificate');
  const tlogEntries: TlogEntry[] = [];
  const rekorText = annotations[SignatureAnnotation.bundle];
  if (rekorText !== undefined && rekorText !== '') {
    const rekor = readRekorAnnotation(rekorText);
    if ('reason' in rekor) return rekor;
    tlogEntries.push({
      logIndex: String(rekor.Payload.logIndex),
      logId: { keyId: toBase64(Buffer.from(rekor.Payload.logID, 'hex')) },
      kindVersion: kindOf(rekor.Payload.body),
      integratedTime: String(rekor.Payload.integratedTime),
      inclusionPromise: { signedEntryTimestamp: rekor.SignedEntryTimestamp },
      canonicalizedBody: rekor.Payload.body,
    });
  }
  const rfc3161 = annotations[SignatureAnnotation.rfc3161Timestamp];
  let timestamps: unknown[] = [];
  if (rfc3161 !== undefined && rfc3161 !== '') {
    try {
      const signed = (JSON.parse(rfc3161) as { SignedRFC3161Timestamp?: unknown }).SignedRFC3161Timestamp;
      if (typeof signed !== 'string') return malformed("the RFC 3161 timestamp annotation is not cosign's");
      timestamps = [{ signedTimestamp: signed }];
    } catch (error) {
      return malformed(`the RFC 3161 timestamp annotation: ${describe(error)}`);
    }
  }
  return {
    verificationMaterial: {
      x509CertificateChain: { certificates: [{ rawBytes: toBase64(der) }] },
      tlogEntries,
      timestampVerificationData: { rfc3161Timestamps: timestamps },
    },
    tlogEntries,
    chainAnnotation: annotations[SignatureAnnotation.chain],
  };
}

/**
 * The signed entity of a classic keyless `.sig` layer: its certificate, Rekor SET and RFC 3161
 * timestamp (see {@link classicMaterial}; the entry must be a hashedrekord v0.0.1, as cosign logs
 * a signature), and the signature annotation over `payload`.
 */
export function classicEntity(layer: Descriptor, payload: Uint8Array): KeylessSubject | CheckFailure {
  const [algorithm, hex] = layer.digest.split(':');
  if (algorithm !== 'sha256' || hex === undefined) return malformed('the layer digest is not sha256');
  const material = classicMaterial(layer, () => ({ kind: 'hashedrekord', version: '0.0.1' }));
  if ('reason' in material) return material;
  const model = libraryBundle({
    mediaType: BUNDLE_V01_MEDIA_TYPE,
    verificationMaterial: material.verificationMaterial,
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: toBase64(Buffer.from(hex, 'hex')) },
      signature: layer.annotations?.[SignatureAnnotation.signature] ?? '',
    },
  });
  if ('reason' in model) return model;
  const entity = signedEntity(model, Buffer.from(payload));
  if ('reason' in entity) return entity;
  return { entity, tlogEntries: material.tlogEntries, ...chainOf(material) };
}

/** The chain annotation of classic material, as a {@link KeylessSubject} member when there is one. */
function chainOf(material: ClassicMaterial): Pick<KeylessSubject, 'chainAnnotation'> {
  return material.chainAnnotation === undefined ? {} : { chainAnnotation: material.chainAnnotation };
}

/** The kind and version a Rekor entry body names, or none when it cannot be read. */
function bodyKind(body: string): { kind: string; version: string } {
  const read = readRekorBody(body);
  return read.ok
    ? { kind: read.body.kind ?? '', version: read.body.apiVersion ?? '' }
    : { kind: '', version: '' };
}

/**
 * The signed entity of a classic keyless `.att` layer: its certificate, Rekor SET and RFC 3161
 * timestamp (see {@link classicMaterial}; the entry is of whichever kind its body says, and is
 * matched on `blob` by the checks), and `envelope` (`blob` parsed), which verifies as cosign's DSSE
 * verifier decides: when any of its signatures verifies over PAE with the certificate's key.
 */
export function classicAttestationEntity(
  layer: Descriptor,
  blob: Uint8Array,
  envelope: DsseEnvelope,
): KeylessSubject | CheckFailure {
  const [first] = envelope.signatures;
  if (first === undefined) return { reason: 'wrong-key', message: 'the envelope has no signature' };
  const material = classicMaterial(layer, bodyKind);
  if ('reason' in material) return material;
  const model = libraryBundle({
    mediaType: BUNDLE_V01_MEDIA_TYPE,
    verificationMaterial: material.verificationMaterial,
    dsseEnvelope: {
      payload: toBase64(envelope.payload),
      payloadType: envelope.payloadType,
      signatures: [{ sig: first.sig, keyid: first.keyid ?? '' }],
    },
  });
  if ('reason' in model) return model;
  const entity = signedEntity(model);
  if ('reason' in entity) return entity;
  const signed = entity.signature;
  const anyOf: SignedEntity['signature'] = {
    signature: signed.signature,
    compareSignature: (other) => signed.compareSignature(other),
    compareDigest: (other) => signed.compareDigest(other),
    verifySignature: (keyObject) => {
      const key = importPublicKey(new Uint8Array(keyObject.export({ type: 'spki', format: 'der' })));
      // cosign's classic path verifies with SHA-256 whatever the curve (`LoadVerifier(…, SHA256)`).
      const options = key.algorithm === 'ed25519' ? {} : { digestAlgorithm: 'sha256' as const };
      return verifyDsseEnvelope(envelope, key, options).length > 0;
    },
  };
  return {
    entity: { ...entity, signature: anyOf },
    tlogEntries: material.tlogEntries,
    attestationBlob: blob,
    ...chainOf(material),
  };
}
