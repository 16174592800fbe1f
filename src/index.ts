/**
 * `ocisign`: sign and verify container images in cosign's formats. Until the sign/verify layer
 * lands, the root entry re-exports the keys layer and the errors most callers need.
 *
 * @packageDocumentation
 */
export {
  InvalidArgumentError,
  KeyFormatError,
  OcisignError,
  PasswordRequiredError,
  UnsupportedKeyError,
  WrongPasswordError,
} from './errors/index.js';
export type { KeyAlgorithm, PrivateKey, PublicKey, Signer } from './keys/index.js';
export {
  createSigner,
  encryptCosignPrivateKey,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  verifySignature,
} from './keys/index.js';
