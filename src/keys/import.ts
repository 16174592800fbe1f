/**
 * Reading keys: `importPrivateKey` and `importPublicKey`, with cosign's rules. Only the first PEM
 * block is read (so an `EC PARAMETERS` block in front of a key fails, as in cosign); keys cosign
 * would refuse are refused with an `UnsupportedKeyError` that says what to do instead.
 */
import * as asn1js from 'asn1js';
import { InvalidArgumentError } from '../errors/base.js';
import { KeyFormatError, PasswordRequiredError, UnsupportedKeyError } from '../errors/keys.js';
import { utf8 } from '../internal/bytes.js';
import { backend } from './backend/select.js';
import { fromBerSafe } from './der.js';
import { COSIGN_KEY_PEM_TYPE, decryptDocument, SIGSTORE_KEY_PEM_TYPE } from './encrypted.js';
import { newPrivateKey, newPublicKey, type PrivateKey, type PublicKey } from './key-objects.js';
import { checkKeyPolicy } from './key-policy.js';
import type { PrivateMaterial, PublicMaterial } from './material.js';
import { decodeFirstPemBlock, looksLikePem, type PemBlock } from './pem.js';
import {
  encodePkcs8,
  parsePkcs1PrivateKey,
  parsePkcs8PrivateKey,
  parseSec1PrivateKey,
} from './private-der.js';
import { encodeSpki, parsePkcs1PublicKey, parseSpki } from './public-der.js';

/** Options for {@link importPrivateKey}. */
export interface ImportPrivateKeyOptions {
  /**
   * Password of a cosign encrypted key (`ENCRYPTED SIGSTORE PRIVATE KEY` or `ENCRYPTED COSIGN PRIVATE
   * KEY`). The empty string is a valid password, as `COSIGN_PASSWORD=""` is in cosign. Ignored for
   * unencrypted keys.
   */
  readonly password?: string | undefined;
}

const PRIVATE_PEM_TYPES = ['PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY'];
const PUBLIC_PEM_TYPES = ['PUBLIC KEY', 'RSA PUBLIC KEY'];

function checkInput(input: unknown, fn: string): asserts input is string | Uint8Array {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new InvalidArgumentError(
      `${fn} takes PEM text or DER bytes (string or Uint8Array), got ${input === null ? 'null' : typeof input}`,
    );
  }
}

function firstBlock(input: string | Uint8Array): PemBlock {
  const block = decodeFirstPemBlock(input);
  if (block === undefined) {
    throw new KeyFormatError(
      'No valid PEM block found (cosign: "invalid pem block"). Check the file is a complete PEM key, BEGIN to END.',
    );
  }
  if (block.headers['Proc-Type']?.includes('ENCRYPTED')) {
    throw new UnsupportedKeyError(
      `This "${block.type}" is encrypted with legacy OpenSSL PEM encryption, which cosign does not read. Decrypt it first: openssl pkey -in key.pem -out plain.pem`,
    );
  }
  return block;
}

function refuseForeignPrivate(type: string): never {
  if (type === 'ENCRYPTED PRIVATE KEY') {
    throw new UnsupportedKeyError(
      'Encrypted PKCS#8 ("ENCRYPTED PRIVATE KEY") is not supported, as in cosign. Decrypt it (openssl pkcs8 -in key.pem -out plain.pem) or convert it to a cosign key with encryptCosignPrivateKey.',
    );
  }
  if (type === 'OPENSSH PRIVATE KEY') {
    throw new UnsupportedKeyError(
      'OpenSSH private keys are not supported, as in cosign. Convert it to PKCS#8 first: ssh-keygen -p -m PKCS8 -f <key>',
    );
  }
  if (PUBLIC_PEM_TYPES.includes(type)) {
    throw new KeyFormatError(
      `This PEM holds a public key ("${type}"), but a private key is needed (cosign: "unsupported private key").`,
    );
  }
  throw new KeyFormatError(
    `Unsupported PEM type "${type}" for a private key. Expected PRIVATE KEY, EC PRIVATE KEY, RSA PRIVATE KEY or a cosign encrypted key.`,
  );
}

/** Tells the DER structures apart by their shape: what follows the leading version INTEGER. */
function parsePrivateDer(der: Uint8Array): PrivateMaterial {
  const parsed = fromBerSafe(der);
  const second =
    parsed !== undefined && parsed.offset !== -1 && parsed.result instanceof asn1js.Sequence
      ? parsed.result.valueBlock.value[1]
      : undefined;
  if (second instanceof asn1js.Sequence) return parsePkcs8PrivateKey(der);
  if (second instanceof asn1js.OctetString) return parseSec1PrivateKey(der);
  if (second instanceof asn1js.Integer) return parsePkcs1PrivateKey(der);
  throw new KeyFormatError('These bytes are not a PKCS#8, SEC1 or PKCS#1 private key in DER or PEM.');
}

function publicMaterialOf(material: PrivateMaterial): PublicMaterial {
  switch (material.kind) {
    case 'ec':
      return { kind: 'ec', curve: material.curve, point: backend().ecPublicPoint(material) };
    case 'rsa':
      return { kind: 'rsa', n: material.n, e: material.e, bits: material.bits };
    case 'ed25519':
      return { kind: 'ed25519', key: backend().ed25519PublicKey(material.seed) };
  }
}

/** Builds the key objects for parsed private material, applying cosign's key policy. */
export function privateKeyFromMaterial(material: PrivateMaterial): PrivateKey {
  const publicMaterial = publicMaterialOf(material);
  checkKeyPolicy(publicMaterial);
  const publicKey = newPublicKey(publicMaterial, encodeSpki(publicMaterial));
  const pkcs8 = encodePkcs8(material, publicMaterial.kind === 'ec' ? publicMaterial.point : undefined);
  return newPrivateKey(material, pkcs8, publicKey);
}

async function decryptCosignKey(block: PemBlock, password: string | undefined): Promise<PrivateMaterial> {
  if (password === undefined) {
    throw new PasswordRequiredError(
      `This is a cosign encrypted key ("${block.type}"); pass its password (importPrivateKey(pem, { password })). The empty string is a valid password.`,
    );
  }
  if (typeof password !== 'string') throw new InvalidArgumentError('password must be a string');
  const plaintext = await decryptDocument(block.bytes, password);
  try {
    return parsePkcs8PrivateKey(plaintext);
  } catch (cause) {
    if (cause instanceof UnsupportedKeyError) throw cause;
    throw new KeyFormatError(
      'The cosign key decrypted, but it does not hold a PKCS#8 private key (cosign rejects such keys too, e.g. SEC1 inside). Re-import the key with cosign import-key-pair or encryptCosignPrivateKey.',
      { cause },
    );
  }
}

/**
 * Reads a private key from PEM text or DER bytes.
 *
 * Accepts PKCS#8 `PRIVATE KEY`, SEC1 `EC PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`, and cosign's
 * encrypted `ENCRYPTED SIGSTORE PRIVATE KEY` / `ENCRYPTED COSIGN PRIVATE KEY` (with `password`).
 * Keys cosign refuses are refused: P-224 and other curves, secp256k1, RSA outside 2048/3072/4096 bits
 * or with an exponent other than 65537, encrypted PKCS#8, OpenSSH.
 *
 * @throws KeyFormatError when the input is not a key; UnsupportedKeyError for a key cosign refuses;
 *   PasswordRequiredError / WrongPasswordError for encrypted keys.
 */
export async function importPrivateKey(
  input: string | Uint8Array,
  options: ImportPrivateKeyOptions = {},
): Promise<PrivateKey> {
  checkInput(input, 'importPrivateKey');
  let material: PrivateMaterial;
  if (looksLikePem(input)) {
    const block = firstBlock(input);
    if (block.type === SIGSTORE_KEY_PEM_TYPE || block.type === COSIGN_KEY_PEM_TYPE) {
      material = await decryptCosignKey(block, options.password);
    } else if (block.type === 'PRIVATE KEY') {
      material = parsePkcs8PrivateKey(block.bytes);
    } else if (block.type === 'EC PRIVATE KEY') {
      material = parseSec1PrivateKey(block.bytes);
    } else if (block.type === 'RSA PRIVATE KEY') {
      material = parsePkcs1PrivateKey(block.bytes);
    } else {
      refuseForeignPrivate(block.type);
    }
  } else {
    material = parsePrivateDer(typeof input === 'string' ? utf8(input) : input);
  }
  return privateKeyFromMaterial(material);
}

/** Bounded memo of PEM text → key, so verifying with the same PEM string does not re-parse it. */
const pemCache = new Map<string, PublicKey>();
const PEM_CACHE_LIMIT = 256;

function parsePublicDer(der: Uint8Array): PublicMaterial {
  const parsed = fromBerSafe(der);
  const first =
    parsed !== undefined && parsed.offset !== -1 && parsed.result instanceof asn1js.Sequence
      ? parsed.result.valueBlock.value[0]
      : undefined;
  return first instanceof asn1js.Integer ? parsePkcs1PublicKey(der) : parseSpki(der);
}

/**
 * Reads a public key: PKIX `PUBLIC KEY` (as in `cosign.pub`), PKCS#1 `RSA PUBLIC KEY`, or either in
 * DER. The same key policy as cosign applies (e.g. RSA-1024 is refused).
 *
 * @throws KeyFormatError when the input is not a public key; UnsupportedKeyError for keys cosign refuses.
 */
export function importPublicKey(input: string | Uint8Array): PublicKey {
  checkInput(input, 'importPublicKey');
  if (typeof input === 'string') {
    const cached = pemCache.get(input);
    if (cached !== undefined) return cached;
  }
  let material: PublicMaterial;
  if (looksLikePem(input)) {
    const block = firstBlock(input);
    if (block.type === 'PUBLIC KEY') material = parseSpki(block.bytes);
    else if (block.type === 'RSA PUBLIC KEY') material = parsePkcs1PublicKey(block.bytes);
    else if (PRIVATE_PEM_TYPES.includes(block.type) || block.type.includes('PRIVATE KEY')) {
      throw new KeyFormatError(
        `This PEM holds a private key ("${block.type}"); pass the public key (cosign.pub) instead.`,
      );
    } else {
      throw new KeyFormatError(
        `Unsupported PEM type "${block.type}" for a public key. Expected "PUBLIC KEY" or "RSA PUBLIC KEY".`,
      );
    }
  } else {
    material = parsePublicDer(typeof input === 'string' ? utf8(input) : input);
  }
  checkKeyPolicy(material);
  const key = newPublicKey(material, encodeSpki(material));
  if (typeof input === 'string') {
    if (pemCache.size >= PEM_CACHE_LIMIT) pemCache.delete(pemCache.keys().next().value as string);
    pemCache.set(input, key);
  }
  return key;
}
