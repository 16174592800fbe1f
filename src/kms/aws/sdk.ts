/**
 * Loads `@aws-sdk/client-kms` on first use. It is an optional peer dependency (about 18 MB
 * installed), imported by this subpath alone; when it is missing, callers get a typed error that
 * says how to install it rather than a module-not-found crash at import time.
 */
import { KmsUnavailableError } from '../../errors/kms.js';

export type KmsSdk = typeof import('@aws-sdk/client-kms');

let sdk: Promise<KmsSdk> | undefined;

export function loadKmsSdk(): Promise<KmsSdk> {
  sdk ??= import('@aws-sdk/client-kms').catch((cause: unknown) => {
    sdk = undefined;
    throw new KmsUnavailableError(
      'AWS KMS support needs @aws-sdk/client-kms: npm install @aws-sdk/client-kms',
      { cause },
    );
  });
  return sdk;
}

/** The slice of `KMSClient` we use; pass your own configured client through `options.client`. */
export interface KmsClientLike {
  /** Sends one KMS command, as `KMSClient.send` does. */
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}
