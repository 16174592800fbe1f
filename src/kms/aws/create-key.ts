/** `createAwsKmsKey`: `cosign generate-key-pair --kms awskms:///alias/…` semantics. */
import { InvalidKeyReferenceError, KmsKeyNotFoundError } from '../../errors/kms.js';
import { throwIfAborted } from '../../internal/abort.js';
import type { PublicKey } from '../../keys/key-objects.js';
import { canCreateKey, parseAwsKmsReference } from './reference.js';
import { AwsKmsSigner, type AwsKmsSignerOptions, kmsCall, kmsClientFor } from './signer.js';

/**
 * Returns the public key behind an alias, creating the key if the alias does not exist yet: an
 * existing alias returns its key and creates nothing; otherwise CreateKey (ECC_NIST_P256,
 * SIGN_VERIFY, "Created by Sigstore") then CreateAlias — exactly as cosign. Only alias references can
 * create keys.
 */
export async function createAwsKmsKey(
  ref: string,
  options: AwsKmsSignerOptions & { signal?: AbortSignal } = {},
): Promise<PublicKey> {
  const reference = parseAwsKmsReference(ref);
  if (!canCreateKey(reference)) {
    throw new InvalidKeyReferenceError(
      `must use alias key format to create a key: ${ref} names a key ID or key ARN; use awskms:///alias/<name>`,
    );
  }
  const signal = options.signal;
  throwIfAborted(signal, `Creating AWS KMS key ${reference.alias}`);
  try {
    return await new AwsKmsSigner(ref, options).publicKey(signal === undefined ? {} : { signal });
  } catch (error) {
    if (!(error instanceof KmsKeyNotFoundError)) throw error;
  }
  const client = await kmsClientFor(reference, options);
  const created = await kmsCall<{ KeyMetadata?: { KeyId?: string } }>(
    client,
    'kms:CreateKey',
    reference.alias,
    (sdk) =>
      new sdk.CreateKeyCommand({
        CustomerMasterKeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        Description: 'Created by Sigstore',
      }),
    signal,
  );
  const keyId = created.KeyMetadata?.KeyId ?? '';
  await kmsCall(
    client,
    'kms:CreateAlias',
    reference.alias,
    (sdk) => new sdk.CreateAliasCommand({ AliasName: reference.alias, TargetKeyId: keyId }),
    signal,
  );
  return new AwsKmsSigner(ref, options).publicKey(signal === undefined ? {} : { signal });
}
