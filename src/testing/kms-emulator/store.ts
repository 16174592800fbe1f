/**
 * Keys and aliases of the KMS emulator, with real crypto (node:crypto; @noble/curves for ECDSA over a
 * caller-supplied digest, which node:crypto cannot sign directly). No HTTP here.
 */
import {
  constants,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  privateEncrypt,
  publicDecrypt,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';

export const ACCOUNT = '111122223333';

export type KeySpec =
  | 'ECC_NIST_P256'
  | 'ECC_NIST_P384'
  | 'ECC_NIST_P521'
  | 'ECC_SECG_P256K1'
  | 'RSA_2048'
  | 'RSA_3072'
  | 'RSA_4096'
  | 'SYMMETRIC_DEFAULT';
export type KeyUsage = 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT';
export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface EmulatedKey {
  readonly keyId: string;
  readonly arn: string;
  readonly spec: KeySpec;
  readonly usage: KeyUsage;
  state: KeyState;
  readonly description: string;
  readonly created: number;
  readonly privateKey?: KeyObject;
  deletionDate?: number;
}

const CURVES: Partial<Record<KeySpec, { name: string; impl: typeof p256 }>> = {
  ECC_NIST_P256: { name: 'P-256', impl: p256 },
  ECC_NIST_P384: { name: 'P-384', impl: p384 },
  ECC_NIST_P521: { name: 'P-521', impl: p521 },
  ECC_SECG_P256K1: { name: 'secp256k1', impl: secp256k1 as unknown as typeof p256 },
};

const HASH_OF: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  ECDSA_SHA_256: 'sha256',
  ECDSA_SHA_384: 'sha384',
  ECDSA_SHA_512: 'sha512',
  RSASSA_PKCS1_V1_5_SHA_256: 'sha256',
  RSASSA_PKCS1_V1_5_SHA_384: 'sha384',
  RSASSA_PKCS1_V1_5_SHA_512: 'sha512',
  RSASSA_PSS_SHA_256: 'sha256',
  RSASSA_PSS_SHA_384: 'sha384',
  RSASSA_PSS_SHA_512: 'sha512',
};

const DIGEST_INFO: Record<string, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

export function signingAlgorithms(spec: KeySpec): string[] {
  if (spec === 'ECC_NIST_P256' || spec === 'ECC_SECG_P256K1') return ['ECDSA_SHA_256'];
  if (spec === 'ECC_NIST_P384') return ['ECDSA_SHA_384'];
  if (spec === 'ECC_NIST_P521') return ['ECDSA_SHA_512'];
  if (spec.startsWith('RSA_')) {
    return [
      'RSASSA_PKCS1_V1_5_SHA_256',
      'RSASSA_PKCS1_V1_5_SHA_384',
      'RSASSA_PKCS1_V1_5_SHA_512',
      'RSASSA_PSS_SHA_256',
      'RSASSA_PSS_SHA_384',
      'RSASSA_PSS_SHA_512',
    ];
  }
  return [];
}

export function hashOf(algorithm: string): 'sha256' | 'sha384' | 'sha512' | undefined {
  return Object.hasOwn(HASH_OF, algorithm) ? HASH_OF[algorithm] : undefined;
}

export class KmsStore {
  readonly #keys = new Map<string, EmulatedKey>();
  readonly #aliases = new Map<string, string>();
  readonly region: string;

  constructor(region: string) {
    this.region = region;
  }

  createKey(spec: KeySpec, usage: KeyUsage, description: string): EmulatedKey {
    const keyId = randomUUID();
    let privateKey: KeyObject | undefined;
    const curve = CURVES[spec];
    if (curve !== undefined) privateKey = generateKeyPairSync('ec', { namedCurve: curve.name }).privateKey;
    else if (spec.startsWith('RSA_'))
      privateKey = generateKeyPairSync('rsa', { modulusLength: Number(spec.slice(4)) }).privateKey;
    const key: EmulatedKey = {
      keyId,
      arn: `arn:aws:kms:${this.region}:${ACCOUNT}:key/${keyId}`,
      spec,
      usage,
      state: 'Enabled',
      description,
      created: Math.floor(Date.now() / 1000),
      ...(privateKey === undefined ? {} : { privateKey }),
    };
    this.#keys.set(keyId, key);
    return key;
  }

  /** Resolves a key ID, key ARN, alias name or alias ARN. */
  resolve(id: string): EmulatedKey | undefined {
    let keyId = id;
    const aliasArn = /^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:(alias\/.+)$/.exec(id);
    const keyArn = /^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/(.+)$/.exec(id);
    if (aliasArn !== null) keyId = this.#aliases.get(aliasArn[1] as string) ?? '';
    else if (id.startsWith('alias/')) keyId = this.#aliases.get(id) ?? '';
    else if (keyArn !== null) keyId = keyArn[1] as string;
    return this.#keys.get(keyId);
  }

  hasAlias(name: string): boolean {
    return this.#aliases.has(name);
  }

  setAlias(name: string, keyId: string): void {
    this.#aliases.set(name, keyId);
  }

  deleteAlias(name: string): boolean {
    return this.#aliases.delete(name);
  }

  aliases(): Array<{ AliasName: string; AliasArn: string; TargetKeyId: string }> {
    return [...this.#aliases].map(([name, keyId]) => ({
      AliasName: name,
      AliasArn: `arn:aws:kms:${this.region}:${ACCOUNT}:${name}`,
      TargetKeyId: keyId,
    }));
  }

  publicKeyDer(key: EmulatedKey): Buffer {
    return createPublicKey(key.privateKey as KeyObject).export({ format: 'der', type: 'spki' });
  }

  /** Signs a RAW message or a DIGEST with the key's private key. */
  sign(key: EmulatedKey, algorithm: string, message: Uint8Array, messageType: 'RAW' | 'DIGEST'): Uint8Array {
    const hash = HASH_OF[algorithm] as 'sha256' | 'sha384' | 'sha512';
    const priv = key.privateKey as KeyObject;
    const curve = CURVES[key.spec];
    if (curve !== undefined) {
      if (messageType === 'RAW')
        return new Uint8Array(sign(hash, message, { key: priv, dsaEncoding: 'der' }));
      const d = Buffer.from(priv.export({ format: 'jwk' }).d as string, 'base64url');
      return curve.impl.sign(message, d, { prehash: false, format: 'der', lowS: false });
    }
    const pss = algorithm.startsWith('RSASSA_PSS');
    if (messageType === 'RAW') {
      return new Uint8Array(
        sign(hash, message, {
          key: priv,
          padding: pss ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING,
          saltLength: 32,
        }),
      );
    }
    if (pss) throw new Error('PSS over a digest is not emulated');
    return new Uint8Array(
      privateEncrypt(
        { key: priv, padding: constants.RSA_PKCS1_PADDING },
        Buffer.concat([Buffer.from(DIGEST_INFO[hash] as string, 'hex'), message]),
      ),
    );
  }

  verify(
    key: EmulatedKey,
    algorithm: string,
    message: Uint8Array,
    messageType: 'RAW' | 'DIGEST',
    signature: Uint8Array,
  ): boolean {
    const hash = HASH_OF[algorithm] as 'sha256' | 'sha384' | 'sha512';
    const pub = createPublicKey(key.privateKey as KeyObject);
    const curve = CURVES[key.spec];
    try {
      if (messageType === 'RAW') return verify(hash, message, { key: pub, dsaEncoding: 'der' }, signature);
      if (curve !== undefined) {
        const point = Buffer.from(pub.export({ format: 'der', type: 'spki' })).subarray(
          -(1 + 2 * Math.ceil(curve.impl.Point.Fn.BITS / 8)),
        );
        return curve.impl.verify(signature, message, point, { prehash: false, format: 'der', lowS: false });
      }
      const decoded = publicDecrypt({ key: pub, padding: constants.RSA_PKCS1_PADDING }, signature);
      return decoded.equals(Buffer.concat([Buffer.from(DIGEST_INFO[hash] as string, 'hex'), message]));
    } catch {
      return false;
    }
  }
}
