/** Which KMS key specs can make cosign-compatible signatures, and with which algorithm and digest. */
import type { DigestAlgorithm } from '../../keys/algorithms.js';

/** The AWS KMS `SigningAlgorithm` values ocisign can ask for. */
export type AwsSigningAlgorithm =
  | 'ECDSA_SHA_256'
  | 'ECDSA_SHA_384'
  | 'ECDSA_SHA_512'
  | 'RSASSA_PKCS1_V1_5_SHA_256'
  | 'RSASSA_PKCS1_V1_5_SHA_384'
  | 'RSASSA_PKCS1_V1_5_SHA_512';

export const ECC_ALGORITHM: Readonly<Record<string, AwsSigningAlgorithm>> = {
  ECC_NIST_P256: 'ECDSA_SHA_256',
  ECC_NIST_P384: 'ECDSA_SHA_384',
  ECC_NIST_P521: 'ECDSA_SHA_512',
};

export const RSA_SPECS: readonly string[] = ['RSA_2048', 'RSA_3072', 'RSA_4096'];

export function digestOf(algorithm: AwsSigningAlgorithm): DigestAlgorithm {
  return algorithm.endsWith('256') ? 'sha256' : algorithm.endsWith('384') ? 'sha384' : 'sha512';
}
