/** Fresh key pairs, made by the crypto backend and read back through the same parser as imports. */
import { InvalidArgumentError } from '../errors/base.js';
import { KEY_ALGORITHMS, type KeyAlgorithm } from './algorithms.js';
import { backend } from './backend/select.js';
import { privateKeyFromMaterial } from './import.js';
import type { PrivateKey, PublicKey } from './key-objects.js';
import { parsePkcs8PrivateKey } from './private-der.js';

/** Options for {@link generateKeyPair}. */
export interface GenerateKeyPairOptions {
  /** Default `ecdsa-p256`, what `cosign generate-key-pair` makes and the most portable choice. */
  readonly algorithm?: KeyAlgorithm;
}

/** Generates a key pair. Encrypt the private key for storage with `encryptCosignPrivateKey`. */
export async function generateKeyPair(
  options: GenerateKeyPairOptions = {},
): Promise<{ privateKey: PrivateKey; publicKey: PublicKey }> {
  const algorithm = options.algorithm ?? 'ecdsa-p256';
  if (!KEY_ALGORITHMS.includes(algorithm)) {
    throw new InvalidArgumentError(
      `algorithm must be one of ${KEY_ALGORITHMS.join(', ')}, got ${String(algorithm)}`,
    );
  }
  const privateKey = privateKeyFromMaterial(parsePkcs8PrivateKey(await backend().generate(algorithm)));
  return { privateKey, publicKey: privateKey.publicKey };
}
