/**
 * What Rekor v2 (rekor-tiles) logs for a `CreateEntryRequest`: `hashedrekord` 0.0.2
 * (`pkg/types/hashedrekord/hashedrekord.go` `ToLogEntry`: the signature must verify over the
 * digest with the key or certificate's key, the algorithm its `keyDetails` names must be allowed
 * and the digest of its length) and, when enabled, `dsse` 0.0.2 (`pkg/types/dsse/dsse.go` as it
 * stood before rekor-tiles #744 dropped it: every envelope signature verified by one of at most 10
 * distinct verifiers, signatures sorted by their raw bytes). The body is the JCS of the protojson
 * `Entry`. Any failure is the gRPC `InvalidArgument` rekor-tiles answers (`internal/server/service.go`):
 * HTTP 400 with a fixed message. Deliberately not here: parsing (`v2-request.ts`).
 */
import { createHash, type KeyObject } from 'node:crypto';
import { toBase64 } from '../../../internal/bytes.js';
import { preAuthEncoding } from '../../../payload/dsse.js';
import type { CanonicalEntry } from './entry-kinds.js';
import { InvalidEntry, RekorRefusal } from './refusal.js';
import {
  algorithmPermitted,
  type DigestName,
  verifyDigestSignature,
  verifyMessageSignature,
} from './signatures.js';
import { canonicalBody } from './spec-values.js';
import {
  type CreateEntryRequest,
  type DsseRequest,
  type HashedRekordRequest,
  INVALID_ARGUMENT,
  type V2Verifier,
} from './v2-request.js';
import { readDerVerifier } from './verifiers.js';

/** The digest each `PublicKeyDetails` signs with (sigstore's algorithm registry); null: none (pure Ed25519). */
const KEY_DETAILS_HASH: Readonly<Record<string, DigestName | null>> = {
  PKIX_ECDSA_P256_SHA_256: 'sha256',
  PKIX_ECDSA_P384_SHA_384: 'sha384',
  PKIX_ECDSA_P521_SHA_512: 'sha512',
  PKIX_ECDSA_P384_SHA_256: 'sha256',
  PKIX_ECDSA_P521_SHA_256: 'sha256',
  PKIX_RSA_PKCS1V15_2048_SHA256: 'sha256',
  PKIX_RSA_PKCS1V15_3072_SHA256: 'sha256',
  PKIX_RSA_PKCS1V15_4096_SHA256: 'sha256',
  PKIX_ED25519: null,
  PKIX_ED25519_PH: 'sha512',
};

const PROTO_HASH: Readonly<Record<DigestName, string>> = {
  sha256: 'SHA2_256',
  sha384: 'SHA2_384',
  sha512: 'SHA2_512',
};

const DIGEST_SIZES: Readonly<Record<DigestName, number>> = { sha256: 32, sha384: 48, sha512: 64 };

/** rekor-tiles' DSSE limits (`maxVerifiers`, `maxSignatures`). */
const MAX_DSSE_VERIFIERS = 10;
const MAX_DSSE_SIGNATURES = 10;

/** `pbverifier.Validate`, then the key it names: an {@link InvalidEntry} when missing or unreadable. */
function verifierKey(verifier: V2Verifier | undefined): KeyObject {
  if (verifier === undefined) throw new InvalidEntry('missing verifier');
  const { publicKeyDer, certificateDer } = verifier;
  if (publicKeyDer === undefined && certificateDer === undefined)
    throw new InvalidEntry('missing signature public key or X.509 certificate');
  if (publicKeyDer?.length === 0) throw new InvalidEntry('missing public key raw bytes');
  if (certificateDer?.length === 0) throw new InvalidEntry('missing X.509 certificate raw bytes');
  return readDerVerifier({ publicKeyDer, certificateDer });
}

/** The digest `keyDetails` names, checked against the registry with the actual key. */
function allowedHash(verifier: V2Verifier, key: KeyObject): DigestName | null {
  const details = verifier.keyDetails;
  const hash =
    details !== undefined && Object.hasOwn(KEY_DETAILS_HASH, details) ? KEY_DETAILS_HASH[details] : undefined;
  if (hash === undefined)
    throw new InvalidEntry(`getting key algorithm details: unsupported key details ${details}`);
  if (!algorithmPermitted(key, hash ?? undefined)) throw new InvalidEntry('unsupported entry algorithm');
  return hash;
}

/** The protojson form of a `Verifier` (default marshal options: unset members omitted). */
function verifierJson(verifier: V2Verifier): object {
  return {
    ...(verifier.publicKeyDer === undefined
      ? {}
      : { publicKey: { rawBytes: toBase64(verifier.publicKeyDer) } }),
    ...(verifier.certificateDer === undefined
      ? {}
      : { x509Certificate: { rawBytes: toBase64(verifier.certificateDer) } }),
    ...(verifier.keyDetails === undefined ? {} : { keyDetails: verifier.keyDetails }),
  };
}

function hashedRekordV002(request: HashedRekordRequest): object {
  const { signature, digest } = request;
  if (signature === undefined || signature.content.length === 0) throw new InvalidEntry('missing signature');
  if (signature.verifier === undefined) throw new InvalidEntry('missing verifier');
  if (digest.length === 0) throw new InvalidEntry('missing digest');
  const key = verifierKey(signature.verifier);
  const hash = allowedHash(signature.verifier, key);
  if (hash === null)
    throw new InvalidEntry('unsupported signing algorithm for hashedrekord: no associated digest algorithm');
  if (digest.length !== DIGEST_SIZES[hash])
    throw new InvalidEntry('digest length does not match the algorithm');
  if (!verifyDigestSignature(key, hash, digest, signature.content))
    throw new InvalidEntry('verifying signature');
  return {
    hashedRekordV002: {
      data: { algorithm: PROTO_HASH[hash], digest: toBase64(digest) },
      signature: { content: toBase64(signature.content), verifier: verifierJson(signature.verifier) },
    },
  };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function dsseV002(request: DsseRequest): object {
  const { envelope, verifiers } = request;
  if (envelope === undefined) throw new InvalidEntry('missing envelope');
  if (verifiers.length === 0) throw new InvalidEntry('missing verifiers');
  if (verifiers.length > MAX_DSSE_VERIFIERS) throw new InvalidEntry('too many verifiers');
  const keys = verifiers.map(verifierKey);
  const raw = verifiers.map((v) => toBase64(v.publicKeyDer ?? v.certificateDer ?? new Uint8Array()));
  if (new Set(raw).size !== raw.length) throw new InvalidEntry('duplicate verifier');
  if (envelope.signatures.length === 0) throw new InvalidEntry('envelope missing signatures');
  if (envelope.signatures.length > MAX_DSSE_SIGNATURES) throw new InvalidEntry('too many signatures');
  if (envelope.signatures.some((s) => s.sig.length === 0)) throw new InvalidEntry('envelope signature empty');
  const hashes = verifiers.map((v, i) => allowedHash(v, keys[i] as KeyObject));
  const pae = preAuthEncoding(envelope.payloadType, envelope.payload);
  const all = new Map(envelope.signatures.map((s) => [toBase64(s.sig), s.sig]));
  const pending = new Set(all.keys());
  const bySignature = new Map<string, { sig: Uint8Array; verifier: V2Verifier }>();
  for (const [i, verifier] of verifiers.entries()) {
    if (pending.size === 0) break;
    const key = keys[i] as KeyObject;
    // go-securesystemslib's verifier, threshold 1: this key must verify one of the envelope's signatures.
    const accepted = [...all].filter(([, sig]) =>
      verifyMessageSignature(key, hashes[i] ?? 'sha256', pae, sig),
    );
    if (accepted.length === 0) throw new InvalidEntry('could not verify envelope: no signature verified');
    for (const [text, sig] of accepted) {
      pending.delete(text);
      bySignature.set(text, { sig, verifier });
    }
  }
  if (pending.size > 0) throw new InvalidEntry('all signatures must have a key that verifies it');
  const signatures = [...bySignature.values()]
    .sort((a, b) => compareBytes(a.sig, b.sig))
    .map(({ sig, verifier }) => ({ content: toBase64(sig), verifier: verifierJson(verifier) }));
  const payloadDigest = new Uint8Array(createHash('sha256').update(envelope.payload).digest());
  return {
    dsseV002: { payloadHash: { algorithm: 'SHA2_256', digest: toBase64(payloadDigest) }, signatures },
  };
}

/**
 * Checks a parsed `CreateEntryRequest` and returns what rekor-tiles logs for it.
 *
 * @throws RekorRefusal 400 (gRPC code 3) with rekor-tiles' message.
 */
export function canonicalizeCreateEntryRequest(
  request: CreateEntryRequest,
  options: { readonly acceptDsse: boolean },
): CanonicalEntry {
  const refuse = (message: string) => new RekorRefusal(400, message, INVALID_ARGUMENT);
  const attempt = <T>(kind: string, check: () => T): T => {
    try {
      return check();
    } catch (error) {
      if (error instanceof InvalidEntry) throw refuse(`invalid ${kind} request`);
      throw error;
    }
  };
  const { hashedRekord, dsse } = request;
  if (hashedRekord !== undefined) {
    const spec = attempt('hashedrekord', () => hashedRekordV002(hashedRekord));
    return { kind: 'hashedrekord', apiVersion: '0.0.2', body: canonicalBody('hashedrekord', '0.0.2', spec) };
  }
  if (dsse !== undefined && options.acceptDsse) {
    const spec = attempt('dsse', () => dsseV002(dsse));
    return { kind: 'dsse', apiVersion: '0.0.2', body: canonicalBody('dsse', '0.0.2', spec) };
  }
  throw refuse(
    options.acceptDsse
      ? 'invalid type, must be either hashedrekord or dsse'
      : 'invalid type, must be hashedrekord',
  );
}
