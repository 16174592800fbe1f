/** Test keys made by node:crypto (an implementation other than ours) in the encodings we must read. */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

export type NodeKeySpec =
  | { type: 'ec'; curve: string }
  | { type: 'rsa'; bits: number; e?: number }
  | { type: 'ed25519' };

export function nodeKeyPair(spec: NodeKeySpec): { privateKey: KeyObject; publicKey: KeyObject } {
  if (spec.type === 'ec') return generateKeyPairSync('ec', { namedCurve: spec.curve });
  if (spec.type === 'rsa')
    return generateKeyPairSync('rsa', { modulusLength: spec.bits, publicExponent: spec.e ?? 65537 });
  return generateKeyPairSync('ed25519');
}

export function pkcs8Pem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function spkiPem(key: KeyObject): string {
  return (key.type === 'private' ? createPublicKey(key) : key)
    .export({ format: 'pem', type: 'spki' })
    .toString();
}

export function spkiDer(key: KeyObject): Uint8Array {
  return new Uint8Array(
    (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' }),
  );
}
