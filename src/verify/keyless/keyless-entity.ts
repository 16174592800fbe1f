/**
 * What @sigstore/verify checks, built from our evidence: a Sigstore bundle as it is, or a classic
 * cosign keyless `.sig` / `.att` layer as the v0.1 bundle it amounts to (its certificate, its Rekor
 * SET as an inclusion promise, its RFC 3161 timestamp, the signature over the payload). Only the
 * leaf certificate is used: with a trusted root, chain certificates come from the root, never from
 * what the signer attached (cosign ignores the `chain` annotation then; sigstore-go and sigstore-js
 * read only a bundle chain's first certificate, and a chain that carries a root is refused).
 *
 * Deliberately not here: checking any of it (`sigstore-checks.ts`), or the cosign claims.
 */

import { p256, p384 } from '@noble/curves/nist.js';
import { type Bundle, bundleFromJSON } from '@sigstore/bundle';
import { type crypto as sigstoreCrypto, X509Certificate } from '@sigstore/core';
import { type SignedEntity, toSignedEntity } from '@sigstore/verify';
import { fromBase64, toBase64 } from '../../internal/bytes.js';
import { BUNDLE_V01_MEDIA_TYPE, parseBundle, type TlogEntry } from '../../payload/bundle.js';
import type { Descriptor } from '../../payload/oci.js';
import { SignatureAnnotation } from '../../payload/signature-layer.js';
import type { KeylessFailure } from './sigstore-checks.js';

/** What the keyless checks take: the library's signed entity, and the tlog entries as we read them. */
export interface KeylessSubject {
  readonly entity: SignedEntity;
  readonly tlogEntries: readonly TlogEntry[];
}

function malformed(message: string): KeylessFailure {
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
function digestSignature(bundle: Bundle, digest: Uint8Array): SignedEntity['signature'] | KeylessFailure {
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
 * The signed entity of a Sigstore bundle (JSON text or object, already shape-checked by
 * `parseBundle`), over `artifact` for a message signature (its bytes, or `{ digest }` when only
 * the SHA-256 is known). A bundle chain with a root in it is refused, as sigstore-conformance
 * requires.
 */
export function bundleEntity(
  json: unknown,
  artifact: Uint8Array | { readonly digest: Uint8Array } | undefined,
): KeylessSubject | KeylessFailure {
  let bundle: Bundle;
  let tlogEntries: readonly TlogEntry[];
  try {
    const doc =
      typeof json === 'string' || json instanceof Uint8Array
        ? JSON.parse(Buffer.from(json).toString('utf8'))
        : json;
    // Ours first (sigstore-go's rules per version, typed errors), then the library's model.
    tlogEntries = parseBundle(JSON.stringify(doc)).tlogEntries;
    bundle = bundleFromJSON(doc);
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
  try {
    // A DSSE envelope signs its own payload: the artifact is named by the statement's subject,
    // which the judge compares; only a message signature is over the artifact itself.
    if (artifact === undefined || bundle.content.$case === 'dsseEnvelope')
      return { entity: toSignedEntity(bundle), tlogEntries };
    if (artifact instanceof Uint8Array)
      return { entity: toSignedEntity(bundle, Buffer.from(artifact)), tlogEntries };
    const signature = digestSignature(bundle, artifact.digest);
    if ('reason' in signature) return signature;
    return { entity: { ...toSignedEntity(bundle), signature }, tlogEntries };
  } catch (error) {
    return malformed(`the bundle: ${describe(error)}`);
  }
}

/** The parsed Rekor SET annotation of a classic layer, as much of it as a v0.1 bundle needs. */
interface RekorAnnotation {
  readonly SignedEntryTimestamp: string;
  readonly Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
}

function readRekorAnnotation(text: string): RekorAnnotation | KeylessFailure {
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

/**
 * The signed entity of a classic keyless layer: its certificate annotation (first certificate),
 * Rekor SET (when present), RFC 3161 timestamp (when present), and signature over `payload` (or,
 * for an attestation whose signature annotation is empty, the DSSE envelope is the caller's).
 */
export function classicEntity(layer: Descriptor, payload: Uint8Array): KeylessSubject | KeylessFailure {
  const annotations = layer.annotations ?? {};
  const pem = annotations[SignatureAnnotation.certificate];
  if (pem === undefined || pem === '')
    return { reason: 'wrong-key', message: 'the layer has no certificate: it was not signed keyless' };
  const der = firstCertificateDer(pem);
  if (der === undefined) return malformed('the certificate annotation holds no PEM certificate');
  const [algorithm, hex] = layer.digest.split(':');
  if (algorithm !== 'sha256' || hex === undefined) return malformed('the layer digest is not sha256');
  const tlogEntries: unknown[] = [];
  const rekorText = annotations[SignatureAnnotation.bundle];
  if (rekorText !== undefined && rekorText !== '') {
    const rekor = readRekorAnnotation(rekorText);
    if ('reason' in rekor) return rekor;
    tlogEntries.push({
      logIndex: String(rekor.Payload.logIndex),
      logId: { keyId: toBase64(Buffer.from(rekor.Payload.logID, 'hex')) },
      kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
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
  const bundle = {
    mediaType: BUNDLE_V01_MEDIA_TYPE,
    verificationMaterial: {
      x509CertificateChain: { certificates: [{ rawBytes: toBase64(der) }] },
      tlogEntries,
      timestampVerificationData: { rfc3161Timestamps: timestamps },
    },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: toBase64(Buffer.from(hex, 'hex')) },
      signature: annotations[SignatureAnnotation.signature] ?? '',
    },
  };
  return bundleEntity(bundle, payload);
}
