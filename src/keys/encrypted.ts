/**
 * cosign's encrypted private key format (`cosign.key`), read and written byte-for-byte as cosign
 * does: PEM of base64 of a compact JSON document holding scrypt parameters, a salt, a nonce and a
 * NaCl secretbox (XSalsa20-Poly1305) sealing PKCS#8 DER.
 *
 * Only the scrypt parameters cosign accepts are tried (N ∈ {32768, 65536, 131072}, r = 8, p = 1), so
 * a hostile file cannot make us spend unbounded time or memory. This module neither chooses what a
 * decrypted key may be (import rules live in import.ts) nor reads passwords from the environment.
 */
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { InvalidArgumentError } from '../errors/base.js';
import { KeyFormatError, WrongPasswordError } from '../errors/keys.js';
import { fromBase64, fromUtf8, toBase64, utf8 } from '../internal/bytes.js';
import { encodePem } from './pem.js';

/** The scrypt work factors cosign reads; 65536 is what cosign ≥ 2.2 writes, 32768 what ≤ 2.1 reads. */
export const COSIGN_SCRYPT_N = [32768, 65536, 131072] as const;
/**
 * The scrypt cost parameters cosign's encrypted keys use (32768 for old cosign, 65536 by default,
 * 131072).
 */
export type CosignScryptN = (typeof COSIGN_SCRYPT_N)[number];

export const SIGSTORE_KEY_PEM_TYPE = 'ENCRYPTED SIGSTORE PRIVATE KEY';
export const COSIGN_KEY_PEM_TYPE = 'ENCRYPTED COSIGN PRIVATE KEY';

const SALT_BYTES = 32;
const NONCE_BYTES = 24;
const SECRETBOX_OVERHEAD = 16;

export interface EncryptionParameters {
  readonly scryptN: CosignScryptN;
  readonly label: 'SIGSTORE' | 'COSIGN';
  readonly salt: Uint8Array;
  readonly nonce: Uint8Array;
}

async function deriveKey(password: string, salt: Uint8Array, N: number): Promise<Uint8Array> {
  return scryptAsync(utf8(password), salt, { N, r: 8, p: 1, dkLen: 32 });
}

/**
 * Seals PKCS#8 DER with explicit salt and nonce. Callers other than tests use `encryptPkcs8`, which
 * draws both from the CSPRNG; a reused nonce under one password would leak the key.
 */
export async function encryptPkcs8WithParameters(
  pkcs8: Uint8Array,
  password: string,
  params: EncryptionParameters,
): Promise<string> {
  if (!COSIGN_SCRYPT_N.includes(params.scryptN)) {
    throw new InvalidArgumentError(
      `scryptN must be one of ${COSIGN_SCRYPT_N.join(', ')} (the values cosign reads)`,
    );
  }
  if (params.label !== 'SIGSTORE' && params.label !== 'COSIGN')
    throw new InvalidArgumentError('label must be "SIGSTORE" or "COSIGN"');
  if (params.salt.length !== SALT_BYTES || params.nonce.length !== NONCE_BYTES) {
    throw new InvalidArgumentError(`salt must be ${SALT_BYTES} bytes and nonce ${NONCE_BYTES} bytes`);
  }
  const key = await deriveKey(password, params.salt, params.scryptN);
  const sealed = xsalsa20poly1305(key, params.nonce).encrypt(pkcs8);
  // Field order and spelling are Go's struct order in go-securesystemslib's encrypted package.
  const json =
    `{"kdf":{"name":"scrypt","params":{"N":${params.scryptN},"r":8,"p":1},"salt":"${toBase64(params.salt)}"},` +
    `"cipher":{"name":"nacl/secretbox","nonce":"${toBase64(params.nonce)}"},"ciphertext":"${toBase64(sealed)}"}`;
  return encodePem(params.label === 'SIGSTORE' ? SIGSTORE_KEY_PEM_TYPE : COSIGN_KEY_PEM_TYPE, utf8(json));
}

export async function encryptPkcs8(
  pkcs8: Uint8Array,
  password: string,
  options: { scryptN?: CosignScryptN; label?: 'SIGSTORE' | 'COSIGN' } = {},
): Promise<string> {
  if (typeof password !== 'string')
    throw new InvalidArgumentError('password must be a string (it may be empty, as COSIGN_PASSWORD="" is)');
  return encryptPkcs8WithParameters(pkcs8, password, {
    scryptN: options.scryptN ?? 65536,
    label: options.label ?? 'SIGSTORE',
    salt: randomBytes(SALT_BYTES),
    nonce: randomBytes(NONCE_BYTES),
  });
}

/** Looks a JSON member up the way Go's `encoding/json` does: exact name first, then case-insensitively. */
function member(object: unknown, name: string): unknown {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return undefined;
  const record = object as Record<string, unknown>;
  if (Object.hasOwn(record, name)) return record[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(record)) if (key.toLowerCase() === lower) return record[key];
  return undefined;
}

function base64Member(object: unknown, name: string, what: string): Uint8Array {
  const value = member(object, name);
  const bytes = typeof value === 'string' ? fromBase64(value) : undefined;
  if (bytes === undefined) throw new KeyFormatError(`cosign private key: ${what} is missing or not base64`);
  return bytes;
}

interface ParsedDocument {
  readonly N: number;
  readonly salt: Uint8Array;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

function parseDocument(body: Uint8Array): ParsedDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(fromUtf8(body));
  } catch {
    throw new KeyFormatError('cosign private key: the PEM body is not the JSON document cosign writes');
  }
  const kdf = member(doc, 'kdf');
  const cipher = member(doc, 'cipher');
  if (member(kdf, 'name') !== 'scrypt')
    throw new KeyFormatError('cosign private key: unsupported key derivation function (cosign uses scrypt)');
  if (member(cipher, 'name') !== 'nacl/secretbox')
    throw new KeyFormatError('cosign private key: unsupported cipher (cosign uses nacl/secretbox)');
  const params = member(kdf, 'params');
  const N = member(params, 'N');
  if (
    !COSIGN_SCRYPT_N.includes(N as CosignScryptN) ||
    member(params, 'r') !== 8 ||
    member(params, 'p') !== 1
  ) {
    throw new KeyFormatError(
      'cosign private key: unsupported scrypt parameters (cosign reads only N = 32768, 65536 or 131072 with r = 8, p = 1)',
    );
  }
  const nonce = base64Member(cipher, 'nonce', 'the nonce');
  if (nonce.length !== NONCE_BYTES)
    throw new KeyFormatError(`cosign private key: the nonce must be ${NONCE_BYTES} bytes`);
  const ciphertext = base64Member(doc, 'ciphertext', 'the ciphertext');
  if (ciphertext.length < SECRETBOX_OVERHEAD)
    throw new KeyFormatError('cosign private key: the ciphertext is truncated');
  return { N: N as number, salt: base64Member(kdf, 'salt', 'the salt'), nonce, ciphertext };
}

/** What a cosign encrypted key says about itself, without decrypting it. */
export function inspectEncryptedDocument(body: Uint8Array): {
  scryptN: number;
  saltBytes: number;
  nonceBytes: number;
} {
  const doc = parseDocument(body);
  return { scryptN: doc.N, saltBytes: doc.salt.length, nonceBytes: doc.nonce.length };
}

/** Opens a cosign encrypted key's PEM body, returning the plaintext (PKCS#8 DER for keys cosign wrote). */
export async function decryptDocument(body: Uint8Array, password: string): Promise<Uint8Array> {
  const doc = parseDocument(body);
  const key = await deriveKey(password, doc.salt, doc.N);
  try {
    return xsalsa20poly1305(key, doc.nonce).decrypt(doc.ciphertext);
  } catch (cause) {
    throw new WrongPasswordError(undefined, { cause });
  }
}
