/**
 * `PublicKey` and `PrivateKey`: immutable, parsed keys. Parsing happens once, on import; the
 * backend's prepared form (a node `KeyObject`) is cached on first use, so verifying with a key you
 * hold never re-parses PEM or DER.
 */
import { InvalidArgumentError } from '../errors/base.js';
import { bytesEqual } from '../internal/bytes.js';
import { CURVES, type KeyAlgorithm } from './algorithms.js';
import type { PrivateKeyRecord, PublicKeyRecord } from './backend/types.js';
import type { PrivateMaterial, PublicMaterial } from './material.js';
import { encodePem } from './pem.js';

/** A public key: ECDSA P-256/P-384/P-521, RSA or Ed25519. Create one with `importPublicKey`. */
export interface PublicKey {
  readonly type: 'public';
  readonly algorithm: KeyAlgorithm;
  /** The PKIX SubjectPublicKeyInfo DER (a fresh copy). */
  toDer(): Uint8Array;
  /** PKIX `PUBLIC KEY` PEM with a trailing newline, as `cosign.pub` holds it. */
  toPem(): string;
  /** True when both are the same key. */
  equals(other: PublicKey): boolean;
}

/**
 * A private key. Create one with `importPrivateKey` or `generateKeyPair`. It never prints its
 * secret: `JSON.stringify` and `util.inspect` show only the algorithm.
 */
export interface PrivateKey {
  readonly type: 'private';
  readonly algorithm: KeyAlgorithm;
  readonly publicKey: PublicKey;
}

const publicRecords = new WeakMap<object, PublicKeyRecord>();
const privateRecords = new WeakMap<object, PrivateKeyRecord>();
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export function keyAlgorithmOf(material: PublicMaterial | PrivateMaterial): KeyAlgorithm {
  switch (material.kind) {
    case 'ec':
      return CURVES[material.curve.name].algorithm;
    case 'rsa':
      return `rsa-${material.bits}` as KeyAlgorithm;
    case 'ed25519':
      return 'ed25519';
  }
}

class PublicKeyImpl implements PublicKey {
  readonly type = 'public' as const;
  readonly algorithm: KeyAlgorithm;
  readonly #spki: Uint8Array;

  constructor(record: PublicKeyRecord) {
    this.algorithm = keyAlgorithmOf(record.material);
    this.#spki = record.spki;
    publicRecords.set(this, record);
    Object.freeze(this);
  }

  toDer(): Uint8Array {
    return this.#spki.slice();
  }

  toPem(): string {
    return encodePem('PUBLIC KEY', this.#spki);
  }

  equals(other: PublicKey): boolean {
    const record = publicRecords.get(other);
    return record !== undefined && bytesEqual(record.spki, this.#spki);
  }

  toJSON(): string {
    return this.toPem();
  }

  [INSPECT](): string {
    return `PublicKey <${this.algorithm}>`;
  }
}

class PrivateKeyImpl implements PrivateKey {
  readonly type = 'private' as const;
  readonly algorithm: KeyAlgorithm;
  readonly publicKey: PublicKey;

  constructor(record: PrivateKeyRecord, publicKey: PublicKey) {
    this.algorithm = keyAlgorithmOf(record.material);
    this.publicKey = publicKey;
    privateRecords.set(this, record);
    Object.freeze(this);
  }

  toJSON(): { type: 'private'; algorithm: KeyAlgorithm } {
    return { type: 'private', algorithm: this.algorithm };
  }

  [INSPECT](): string {
    return `PrivateKey <${this.algorithm}>`;
  }
}

export function newPublicKey(material: PublicMaterial, spki: Uint8Array): PublicKey {
  return new PublicKeyImpl({ material, spki });
}

export function newPrivateKey(
  material: PrivateMaterial,
  pkcs8: Uint8Array,
  publicKey: PublicKey,
): PrivateKey {
  return new PrivateKeyImpl({ material, pkcs8 }, publicKey);
}

/** The parsed record behind a `PublicKey`, refusing look-alike objects. */
export function publicRecord(key: PublicKey): PublicKeyRecord {
  const record = typeof key === 'object' && key !== null ? publicRecords.get(key) : undefined;
  if (record === undefined) {
    throw new InvalidArgumentError(
      'Expected a PublicKey from ocisign/keys; create one with importPublicKey(pem).',
    );
  }
  return record;
}

/** The parsed record behind a `PrivateKey`, refusing look-alike objects. */
export function privateRecord(key: PrivateKey): PrivateKeyRecord {
  const record = typeof key === 'object' && key !== null ? privateRecords.get(key) : undefined;
  if (record === undefined) {
    throw new InvalidArgumentError(
      'Expected a PrivateKey from ocisign/keys; create one with importPrivateKey(pem) or generateKeyPair().',
    );
  }
  return record;
}

/** True for keys made by this module. */
export function isPublicKey(value: unknown): value is PublicKey {
  return typeof value === 'object' && value !== null && publicRecords.has(value);
}

/**
 * Whether a value is a `PrivateKey` made by this library (from `importPrivateKey` or
 * `generateKeyPair`).
 */
export function isPrivateKey(value: unknown): value is PrivateKey {
  return typeof value === 'object' && value !== null && privateRecords.has(value);
}
