/**
 * Fulcio's checks of the key a certificate is asked for (fulcio `pkg/server/grpc_server.go`
 * `CreateSigningCertificate`), in its order and with its messages:
 *
 * - a public key with a proof of possession: the key PEM (`PUBLIC KEY`, or `RSA PUBLIC KEY`) or DER
 *   (`challenges.ParsePublicKey`), not weak (`goodkey`: ECDSA P-256/P-384/P-521, RSA 2048/3072/4096,
 *   Ed25519), and the proof a signature over the principal's name — the token's `email` for email
 *   issuers, its `sub` otherwise — with the key's default algorithm (`signature.LoadDefaultVerifier`:
 *   ECDSA with the curve's hash, ASN.1 DER; RSA PKCS #1 v1.5 with SHA-256; Ed25519);
 * - or a PEM certificate signing request (`cryptoutils.ParseCSR`), whose own signature is the proof;
 * - then the key and hash must be an allowed pair (Fulcio's default `--client-signing-algorithms`:
 *   P-256/SHA-256, P-384/SHA-384, P-521/SHA-512, RSA with SHA-256, Ed25519).
 *
 * Deliberately not here: the token (`oidc.ts`), and anything about the certificate.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { utf8 } from '../../../internal/bytes.js';
import { decodeFirstPemBlock } from '../../../keys/pem.js';
import { badRequest, FULCIO_MESSAGES } from './rejection.js';

/** The key part of a signing-certificate request, as read from its JSON. */
export type KeyRequest =
  | { readonly kind: 'publicKey'; readonly content: string; readonly proof: Uint8Array }
  | { readonly kind: 'csr'; readonly csr: Uint8Array };

/** The hash Go's default verifier uses for each EC curve (node's curve names). */
const CURVE_HASHES: Readonly<Record<string, string>> = {
  prime256v1: 'sha256',
  secp384r1: 'sha384',
  secp521r1: 'sha512',
};

/** RSA sizes `goodkey` and the algorithm registry allow. */
const RSA_SIZES = [2048, 3072, 4096];

/** A CSR's signature algorithm: its key type and hash (`getHashFuncForSignatureAlgorithm`). */
const CSR_ALGORITHMS: Readonly<Record<string, { readonly key: string; readonly hash: string | null }>> = {
  '1.2.840.10045.4.3.2': { key: 'ec', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { key: 'ec', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { key: 'ec', hash: 'sha512' },
  '1.2.840.113549.1.1.11': { key: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { key: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { key: 'rsa', hash: 'sha512' },
  '1.3.101.112': { key: 'ed25519', hash: null },
};

/** Go's name of a hash, for the "not permitted" message. */
const GO_HASH_NAMES: Readonly<Record<string, string>> = {
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};

function parsePublicKey(content: string): KeyObject {
  if (content.length === 0) throw badRequest(FULCIO_MESSAGES.invalidPublicKey);
  const block = decodeFirstPemBlock(content);
  try {
    if (block?.type === 'PUBLIC KEY')
      return createPublicKey({ key: Buffer.from(block.bytes), format: 'der', type: 'spki' });
    if (block?.type === 'RSA PUBLIC KEY')
      return createPublicKey({ key: Buffer.from(block.bytes), format: 'der', type: 'pkcs1' });
    return createPublicKey({ key: Buffer.from(content, 'utf8'), format: 'der', type: 'spki' });
  } catch {
    throw badRequest(FULCIO_MESSAGES.invalidPublicKey);
  }
}

/** The hash Go's default verifier uses with `key`: null for Ed25519. Throws the insecure-key refusal. */
function defaultHash(key: KeyObject): string | null {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'ec') {
    const hash = CURVE_HASHES[details.namedCurve ?? ''];
    if (hash !== undefined) return hash;
  } else if (type === 'rsa') {
    if (RSA_SIZES.includes(details.modulusLength ?? 0)) return 'sha256';
  } else if (type === 'ed25519') return null;
  throw badRequest(FULCIO_MESSAGES.insecurePublicKey);
}

function signatureHolds(
  key: KeyObject,
  hash: string | null,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    return verify(hash, data, key, signature);
  } catch {
    return false;
  }
}

function spkiOf(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: 'spki', format: 'der' }));
}

function parseCsr(pem: Uint8Array): pkijs.CertificationRequest {
  const block = decodeFirstPemBlock(pem);
  if (block === undefined || !['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'].includes(block.type))
    throw badRequest(FULCIO_MESSAGES.invalidCSR);
  try {
    const parsed = asn1js.fromBER(block.bytes);
    if (parsed.offset !== block.bytes.length) throw new Error('trailing data');
    return new pkijs.CertificationRequest({ schema: parsed.result });
  } catch {
    throw badRequest(FULCIO_MESSAGES.invalidCSR);
  }
}

function csrKey(csr: pkijs.CertificationRequest): Uint8Array {
  let key: KeyObject;
  try {
    const spki = new Uint8Array(csr.subjectPublicKeyInfo.toSchema().toBER());
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    throw badRequest(FULCIO_MESSAGES.insecurePublicKey);
  }
  const keyHash = defaultHash(key);
  const algorithm = CSR_ALGORITHMS[csr.signatureAlgorithm.algorithmId];
  const signature = new Uint8Array(csr.signatureValue.valueBlock.valueHexView);
  if (
    algorithm === undefined ||
    algorithm.key !== key.asymmetricKeyType ||
    !signatureHolds(key, algorithm.hash, csr.tbsView, signature)
  )
    throw badRequest(FULCIO_MESSAGES.invalidSignature);
  // The registry allows each key with one hash only: the one its default verifier uses.
  if (algorithm.hash !== keyHash)
    throw badRequest(
      `signing algorithm not permitted: ${key.asymmetricKeyType} public key, ${GO_HASH_NAMES[algorithm.hash ?? ''] ?? 'unknown hash value 0'}`,
    );
  return spkiOf(key);
}

/**
 * The DER SubjectPublicKeyInfo of the key `request` proves it holds, `challenge` being the
 * principal's name; throws a 400 {@link badRequest} refusal with Fulcio's message otherwise.
 */
export function provenKey(request: KeyRequest, challenge: string): Uint8Array {
  if (request.kind === 'csr') return csrKey(parseCsr(request.csr));
  const key = parsePublicKey(request.content);
  const hash = defaultHash(key);
  if (!signatureHolds(key, hash, utf8(challenge), request.proof))
    throw badRequest(FULCIO_MESSAGES.invalidSignature);
  return spkiOf(key);
}
