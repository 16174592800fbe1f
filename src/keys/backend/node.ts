/**
 * The node:crypto backend (OpenSSL underneath): 30–50× faster than pure JS for ECDSA verification.
 *
 * node:crypto is reached through `process.getBuiltinModule` rather than a static import, so this
 * module loads (and reports "unavailable") in browsers and other runtimes without bundler shims.
 * Prepared `KeyObject`s are cached on the key records so repeated operations never re-parse DER.
 */
import type * as NodeCrypto from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519.js';
import type { KeyAlgorithm } from '../algorithms.js';
import type { EcPrivateMaterial } from '../material.js';
import type { CryptoBackend, PrivateKeyRecord, PublicKeyRecord, SignatureScheme } from './types.js';

type NodeCryptoModule = typeof NodeCrypto;

let loaded: NodeCryptoModule | null | undefined;

/** node:crypto when this runtime has it, else undefined. */
export function nodeCrypto(): NodeCryptoModule | undefined {
  if (loaded === undefined) {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    try {
      loaded = (proc?.getBuiltinModule?.('node:crypto') as NodeCryptoModule | undefined) ?? null;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

function publicKeyObject(crypto: NodeCryptoModule, key: PublicKeyRecord): NodeCrypto.KeyObject {
  if (key.prepared === undefined) {
    key.prepared = crypto.createPublicKey({ key: Buffer.from(key.spki), format: 'der', type: 'spki' });
  }
  return key.prepared as NodeCrypto.KeyObject;
}

function privateKeyObject(crypto: NodeCryptoModule, key: PrivateKeyRecord): NodeCrypto.KeyObject {
  if (key.prepared === undefined) {
    key.prepared = crypto.createPrivateKey({ key: Buffer.from(key.pkcs8), format: 'der', type: 'pkcs8' });
  }
  return key.prepared as NodeCrypto.KeyObject;
}

function asBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

const GENERATE_OPTIONS: Record<KeyAlgorithm, [type: 'ec' | 'rsa' | 'ed25519', options: object]> = {
  'ecdsa-p256': ['ec', { namedCurve: 'P-256' }],
  'ecdsa-p384': ['ec', { namedCurve: 'P-384' }],
  'ecdsa-p521': ['ec', { namedCurve: 'P-521' }],
  'rsa-2048': ['rsa', { modulusLength: 2048, publicExponent: 65537 }],
  'rsa-3072': ['rsa', { modulusLength: 3072, publicExponent: 65537 }],
  'rsa-4096': ['rsa', { modulusLength: 4096, publicExponent: 65537 }],
  ed25519: ['ed25519', {}],
};

/** Creates the backend over a given node:crypto module. */
export function createNodeBackend(crypto: NodeCryptoModule): CryptoBackend {
  return {
    name: 'node',
    digest(algorithm, data) {
      // One-shot `hash` (Node ≥ 20.12) makes no Hash object: documents are hashed once per fetch.
      if (typeof crypto.hash === 'function') return asBytes(crypto.hash(algorithm, data, 'buffer'));
      return asBytes(crypto.createHash(algorithm).update(data).digest());
    },
    ecPublicPoint(material: EcPrivateMaterial) {
      const ecdh = crypto.createECDH(
        material.curve.name === 'P-256'
          ? 'prime256v1'
          : material.curve.name === 'P-384'
            ? 'secp384r1'
            : 'secp521r1',
      );
      ecdh.setPrivateKey(Buffer.from(material.d));
      return asBytes(ecdh.getPublicKey());
    },
    ed25519PublicKey(seed) {
      // PKCS#8 wrapper for a raw seed: the 16-byte prefix is fixed for Ed25519.
      const prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
      const key = crypto.createPrivateKey({
        key: Buffer.concat([prefix, seed]),
        format: 'der',
        type: 'pkcs8',
      });
      const spki = crypto.createPublicKey(key).export({ format: 'der', type: 'spki' });
      return asBytes(spki.subarray(spki.length - 32));
    },
    async generate(algorithm) {
      const [type, options] = GENERATE_OPTIONS[algorithm];
      const { privateKey } = await new Promise<{ privateKey: NodeCrypto.KeyObject }>((resolve, reject) => {
        crypto.generateKeyPair(
          type as 'ec',
          options as NodeCrypto.ECKeyPairKeyObjectOptions,
          (err, _pub, priv) => (err ? reject(err) : resolve({ privateKey: priv })),
        );
      });
      return asBytes(privateKey.export({ format: 'der', type: 'pkcs8' }));
    },
    async sign(key: PrivateKeyRecord, scheme: SignatureScheme, data: Uint8Array) {
      if (scheme.kind === 'ed25519ph') {
        return ed25519ph.sign(data, (key.material as { seed: Uint8Array }).seed);
      }
      const keyObject = privateKeyObject(crypto, key);
      if (scheme.kind === 'ed25519') return asBytes(crypto.sign(null, data, keyObject));
      if (scheme.kind === 'ecdsa')
        return asBytes(crypto.sign(scheme.digest, data, { key: keyObject, dsaEncoding: 'der' }));
      return asBytes(
        crypto.sign(scheme.digest, data, { key: keyObject, padding: crypto.constants.RSA_PKCS1_PADDING }),
      );
    },
    verify(key: PublicKeyRecord, scheme: SignatureScheme, data: Uint8Array, signature: Uint8Array) {
      try {
        if (scheme.kind === 'ed25519ph') {
          return ed25519ph.verify(signature, data, (key.material as { key: Uint8Array }).key);
        }
        const keyObject = publicKeyObject(crypto, key);
        if (scheme.kind === 'ed25519') return crypto.verify(null, data, keyObject, signature);
        if (scheme.kind === 'ecdsa')
          return crypto.verify(scheme.digest, data, { key: keyObject, dsaEncoding: 'der' }, signature);
        return crypto.verify(
          scheme.digest,
          data,
          { key: keyObject, padding: crypto.constants.RSA_PKCS1_PADDING },
          signature,
        );
      } catch {
        return false;
      }
    },
  };
}
