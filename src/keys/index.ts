/**
 * `ocisign/keys`: key handling with cosign's rules. Import and export PEM/DER keys (PKIX, PKCS#8,
 * SEC1, PKCS#1), read and write cosign's encrypted private keys, generate keys, sign and verify.
 *
 * Crypto runs on node:crypto where the runtime has it and on pure JS (@noble/curves) elsewhere.
 *
 * @packageDocumentation
 */
export type { CurveName, DigestAlgorithm, KeyAlgorithm } from './algorithms.js';
export { KEY_ALGORITHMS } from './algorithms.js';
export type { CosignScryptN } from './encrypted.js';
export { COSIGN_SCRYPT_N } from './encrypted.js';
export type { EncryptCosignKeyOptions, ExportPublicKeyOptions } from './export.js';
export { encryptCosignPrivateKey, exportPrivateKeyPem, exportPublicKeyPem } from './export.js';
export { publicKeyFingerprint, publicKeyHint } from './fingerprint.js';
export type { GenerateKeyPairOptions } from './generate.js';
export { generateKeyPair } from './generate.js';
export type { ImportPrivateKeyOptions } from './import.js';
export { importPrivateKey, importPublicKey } from './import.js';
export type { PrivateKey, PublicKey } from './key-objects.js';
export { isPrivateKey, isPublicKey } from './key-objects.js';
export type { SignatureOptions } from './signature-scheme.js';
export type { Signer } from './signer.js';
export { createSigner } from './signer.js';
export { verifySignature, verifySignatureSync } from './verify.js';
