/** Maps AWS SDK errors to ours, naming the IAM action and the key; never leaks credentials. */

import { OcisignError } from '../../errors/base.js';
import {
  KmsAccessDeniedError,
  KmsKeyNotFoundError,
  KmsKeyUnusableError,
  KmsUnavailableError,
} from '../../errors/kms.js';

/** The IAM action each KMS API call needs. */
export type KmsAction =
  | 'kms:Sign'
  | 'kms:GetPublicKey'
  | 'kms:DescribeKey'
  | 'kms:CreateKey'
  | 'kms:CreateAlias'
  | 'kms:Verify';

export function mapKmsError(error: unknown, action: KmsAction, keyId: string): OcisignError {
  if (error instanceof OcisignError) return error;
  const name = (error as { name?: string })?.name ?? '';
  const message = String((error as { message?: unknown })?.message ?? '').slice(0, 300);
  switch (name) {
    case 'AccessDeniedException':
      return new KmsAccessDeniedError(
        action,
        keyId,
        `AWS KMS denied ${action} on ${keyId}. Grant ${action} on this key to the caller's IAM role or user (and check the key policy). AWS said: ${message}`,
        { cause: error },
      );
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'IncompleteSignature':
    case 'ExpiredTokenException':
    case 'InvalidClientTokenId':
      return new KmsAccessDeniedError(
        action,
        keyId,
        `AWS KMS rejected the credentials (${name}) while calling ${action} on ${keyId}. Check the access key, secret and session token the AWS SDK found.`,
        { cause: error },
      );
    case 'NotFoundException':
      return new KmsKeyNotFoundError(
        keyId,
        `AWS KMS key ${keyId} was not found. Check the key ID or alias, the account and the region.`,
        { cause: error },
      );
    case 'DisabledException':
      return new KmsKeyUnusableError(keyId, `AWS KMS key ${keyId} is disabled. Enable it before signing.`, {
        cause: error,
      });
    case 'KMSInvalidStateException':
      return new KmsKeyUnusableError(
        keyId,
        `AWS KMS key ${keyId} cannot be used in its current state (for example, pending deletion): ${message}`,
        { cause: error },
      );
    case 'InvalidKeyUsageException':
      return new KmsKeyUnusableError(
        keyId,
        `AWS KMS key ${keyId} cannot sign: its key usage is not SIGN_VERIFY.`,
        { cause: error },
      );
    case 'ThrottlingException':
    case 'LimitExceededException':
      return new KmsUnavailableError(
        `AWS KMS kept throttling ${action} on ${keyId} after the SDK's retries; slow down or raise the quota.`,
        { cause: error },
      );
    default:
      return new KmsUnavailableError(
        `AWS KMS ${action} on ${keyId} failed: ${name || 'network or unknown error'}${message ? ` (${message})` : ''}`,
        { cause: error },
      );
  }
}
