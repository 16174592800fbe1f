/**
 * `AwsKmsSigner`: a `Signer` whose private key never leaves AWS KMS. Like cosign it fetches the
 * public key and key metadata once (cached 300 s by default), hashes locally, and calls `Sign` with
 * `MessageType: DIGEST` and an explicit signing algorithm chosen from the key spec. Keys that cannot
 * make cosign-compatible signatures are refused before any signing call.
 */
import { InvalidArgumentError } from '../../errors/base.js';
import { KmsKeyUnusableError } from '../../errors/kms.js';
import { abortError, SharedWork, throwIfAborted, untilAborted } from '../../internal/abort.js';
import {
  array,
  boolean,
  object,
  optionalOrNull,
  readShape,
  type Shape,
  ShapeError,
  string,
} from '../../internal/shape.js';
import { backend } from '../../keys/backend/select.js';
import { importPublicKey } from '../../keys/import.js';
import type { PublicKey } from '../../keys/key-objects.js';
import type { Signer } from '../../keys/signer.js';
import { type KmsAction, mapKmsError } from './errors.js';
import { type AwsSigningAlgorithm, digestOf, ECC_ALGORITHM, RSA_SPECS } from './key-specs.js';
import { type AwsKmsReference, parseAwsKmsReference } from './reference.js';
import { type KmsClientLike, loadKmsSdk } from './sdk.js';

/**
 * How to reach AWS KMS: region, credentials, endpoint override, an injected client, the RSA signing
 * algorithm and the metadata cache TTL.
 */
export interface AwsKmsSignerOptions {
  /** A configured `KMSClient` (region, credentials, endpoint). Default: one built from the SDK's default chain. */
  readonly client?: KmsClientLike;
  /** Region when no client is given. Default: the SDK's chain (AWS_REGION, profile), then the ARN's region. */
  readonly region?: string;
  /** Static credentials when no client is given. Default: the SDK's provider chain. */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /**
   * Full endpoint URL, overriding the reference's `host[:port]` (which, as in cosign, means
   * `https://host[:port]`). Use it for emulators on plain HTTP, e.g. `http://127.0.0.1:4566`.
   */
  readonly endpointUrl?: string;
  /** How long the public key and key metadata are cached. Default 300 000 ms, as cosign. */
  readonly cacheTtlMs?: number;
  /** For RSA keys: the PKCS#1 v1.5 algorithm. Default `RSASSA_PKCS1_V1_5_SHA_256`, as cosign. */
  readonly rsaSigningAlgorithm?:
    | 'RSASSA_PKCS1_V1_5_SHA_256'
    | 'RSASSA_PKCS1_V1_5_SHA_384'
    | 'RSASSA_PKCS1_V1_5_SHA_512';
  /** Clock for the cache (tests). */
  readonly now?: () => number;
}

interface KeyInfo {
  readonly publicKey: PublicKey;
  readonly algorithm: AwsSigningAlgorithm;
  readonly expiresAt: number;
}

/** Raw bytes, as the AWS SDK decodes a blob member (a Uint8Array, never a base64 string). */
const bytes: Shape<Uint8Array> = {
  expected: 'bytes (a Uint8Array)',
  check(value, path) {
    if (value instanceof Uint8Array) return value;
    throw new ShapeError(path, 'bytes (a Uint8Array)');
  },
};

/** The members of a DescribeKey response that signing depends on. */
const describeKeyResponse = object({
  KeyMetadata: optionalOrNull(
    object({
      KeyId: optionalOrNull(string),
      KeySpec: optionalOrNull(string),
      CustomerMasterKeySpec: optionalOrNull(string),
      KeyUsage: optionalOrNull(string),
      KeyState: optionalOrNull(string),
      Enabled: optionalOrNull(boolean),
      SigningAlgorithms: optionalOrNull(array(string, { max: 64 })),
    }),
  ),
});

/** The member of a GetPublicKey response that signing depends on. */
const getPublicKeyResponse = object({ PublicKey: optionalOrNull(bytes) });

/** Builds a KMSClient for a reference and options (shared with createAwsKmsKey). */
export async function kmsClientFor(
  ref: AwsKmsReference,
  options: AwsKmsSignerOptions,
): Promise<KmsClientLike> {
  if (options.client !== undefined) return options.client;
  const sdk = await loadKmsSdk();
  const endpoint = options.endpointUrl ?? (ref.endpoint === '' ? undefined : `https://${ref.endpoint}`);
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? ref.region;
  return new sdk.KMSClient({
    ...(region === undefined ? {} : { region }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
}

/**
 * Sends one KMS command, mapping failures to our typed errors. An abort of `signal` rejects at once
 * with AbortedError / OperationTimeoutError (cause: the reason), even when an injected client
 * ignores `abortSignal`.
 */
export async function kmsCall<T>(
  client: KmsClientLike,
  action: KmsAction,
  keyId: string,
  make: (sdk: Awaited<ReturnType<typeof loadKmsSdk>>) => unknown,
  signal?: AbortSignal,
): Promise<T> {
  const what = `AWS KMS ${action} on ${keyId}`;
  throwIfAborted(signal, what);
  try {
    const sdk = await loadKmsSdk();
    return (await untilAborted(
      client.send(make(sdk), signal === undefined ? undefined : { abortSignal: signal }),
      signal,
      what,
    )) as T;
  } catch (error) {
    if (signal?.aborted) throw abortError(signal, what);
    throw mapKmsError(error, action, keyId);
  }
}

export class AwsKmsSigner implements Signer {
  readonly reference: AwsKmsReference;
  readonly #options: AwsKmsSignerOptions;
  #client: Promise<KmsClientLike> | undefined;
  #info: SharedWork<KeyInfo> | undefined;
  #infoExpiresAt = 0;

  /** @param ref an `awskms://` reference, e.g. `awskms:///alias/container-image-verification`. */
  constructor(ref: string, options: AwsKmsSignerOptions = {}) {
    this.reference = parseAwsKmsReference(ref);
    if (
      options.cacheTtlMs !== undefined &&
      (!Number.isFinite(options.cacheTtlMs) || options.cacheTtlMs < 0)
    ) {
      throw new InvalidArgumentError('cacheTtlMs must be a non-negative number of milliseconds');
    }
    this.#options = options;
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  #getClient(): Promise<KmsClientLike> {
    this.#client ??= kmsClientFor(this.reference, this.#options).catch((error: unknown) => {
      this.#client = undefined;
      throw error;
    });
    return this.#client;
  }

  async #fetchInfo(signal: AbortSignal): Promise<KeyInfo> {
    const client = await this.#getClient();
    const keyId = this.reference.keyId;
    const [rawPub, rawDescribed] = await Promise.all([
      kmsCall<unknown>(
        client,
        'kms:GetPublicKey',
        keyId,
        (sdk) => new sdk.GetPublicKeyCommand({ KeyId: keyId }),
        signal,
      ),
      kmsCall<unknown>(
        client,
        'kms:DescribeKey',
        keyId,
        (sdk) => new sdk.DescribeKeyCommand({ KeyId: keyId }),
        signal,
      ),
    ]);
    const unusable = (message: string, cause: ShapeError) =>
      new KmsKeyUnusableError(keyId, `${message}; the KMS endpoint did not answer like AWS KMS.`, { cause });
    const described = readShape(
      rawDescribed,
      describeKeyResponse,
      `AWS KMS DescribeKey response for ${keyId}`,
      unusable,
    );
    const pub = readShape(
      rawPub,
      getPublicKeyResponse,
      `AWS KMS GetPublicKey response for ${keyId}`,
      unusable,
    );
    const metadata = described.KeyMetadata ?? {};
    if (metadata.KeyUsage !== undefined && metadata.KeyUsage !== 'SIGN_VERIFY') {
      throw new KmsKeyUnusableError(
        keyId,
        `AWS KMS key ${keyId} has key usage ${metadata.KeyUsage}; signing needs a SIGN_VERIFY key.`,
      );
    }
    if (metadata.KeyState !== undefined && metadata.KeyState !== 'Enabled') {
      throw new KmsKeyUnusableError(
        keyId,
        `AWS KMS key ${keyId} is ${metadata.KeyState}; only Enabled keys can sign.`,
      );
    }
    const spec = metadata.KeySpec ?? metadata.CustomerMasterKeySpec ?? '';
    let algorithm: AwsSigningAlgorithm;
    if (Object.hasOwn(ECC_ALGORITHM, spec)) algorithm = ECC_ALGORITHM[spec] as AwsSigningAlgorithm;
    else if (RSA_SPECS.includes(spec))
      algorithm = this.#options.rsaSigningAlgorithm ?? 'RSASSA_PKCS1_V1_5_SHA_256';
    else {
      throw new KmsKeyUnusableError(
        keyId,
        `AWS KMS key ${keyId} has key spec ${spec || '(unknown)'}, which cannot make cosign-compatible signatures. Use ECC_NIST_P256 (recommended), ECC_NIST_P384, ECC_NIST_P521 or RSA_2048/3072/4096.`,
      );
    }
    if (metadata.SigningAlgorithms !== undefined && !metadata.SigningAlgorithms.includes(algorithm)) {
      throw new KmsKeyUnusableError(
        keyId,
        `AWS KMS key ${keyId} does not offer ${algorithm} (it offers ${metadata.SigningAlgorithms.join(', ')}).`,
      );
    }
    if (pub.PublicKey === undefined)
      throw new KmsKeyUnusableError(keyId, `AWS KMS returned no public key for ${keyId}.`);
    return {
      publicKey: importPublicKey(pub.PublicKey),
      algorithm,
      expiresAt: this.#now() + (this.#options.cacheTtlMs ?? 300_000),
    };
  }

  /**
   * Public key and algorithm, from cache while fresh (no touch-on-hit, as cosign's TTL cache). The
   * fetch is shared by concurrent callers: one caller's abort must not fail the others, so each
   * stops waiting on its own signal, and the KMS requests are cancelled only once every caller
   * still waiting has aborted (a hanging KMS must not keep the process alive after that).
   */
  #keyInfo(signal?: AbortSignal): Promise<KeyInfo> {
    const what = `Reading AWS KMS key ${this.reference.keyId}`;
    throwIfAborted(signal, what);
    if (this.#info === undefined || this.#now() >= this.#infoExpiresAt) {
      const shared = new SharedWork((workSignal) => this.#fetchInfo(workSignal));
      this.#info = shared;
      this.#infoExpiresAt = Number.POSITIVE_INFINITY;
      shared.outcome.then(
        (i) => {
          if (this.#info === shared) this.#infoExpiresAt = i.expiresAt;
        },
        () => {
          if (this.#info === shared) this.#info = undefined;
        },
      );
    }
    return this.#info.join(signal, what);
  }

  /** The key's public key (cached like the metadata); `signal` stops waiting for KMS. */
  async publicKey(options: { signal?: AbortSignal } = {}): Promise<PublicKey> {
    return (await this.#keyInfo(options.signal)).publicKey;
  }

  /** The signing algorithm used for this key (`ECDSA_SHA_256`, …). */
  async signingAlgorithm(): Promise<AwsSigningAlgorithm> {
    return (await this.#keyInfo()).algorithm;
  }

  /** Signs the SHA digest of `data` with KMS `Sign` (`MessageType: DIGEST`), after checking the key can sign. */
  async sign(data: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('data must be a Uint8Array');
    throwIfAborted(options.signal, `Signing with AWS KMS key ${this.reference.keyId}`);
    const info = await this.#keyInfo(options.signal);
    const digest = backend().digest(digestOf(info.algorithm), data);
    const client = await this.#getClient();
    const keyId = this.reference.keyId;
    const result = await kmsCall<{ Signature?: Uint8Array }>(
      client,
      'kms:Sign',
      keyId,
      (sdk) =>
        new sdk.SignCommand({
          KeyId: keyId,
          Message: digest,
          MessageType: 'DIGEST',
          SigningAlgorithm: info.algorithm,
        }),
      options.signal,
    );
    if (!(result.Signature instanceof Uint8Array))
      throw new KmsKeyUnusableError(keyId, `AWS KMS returned no signature for ${keyId}.`);
    return result.Signature;
  }

  /**
   * Checks, without changing anything, that the caller may use this key for signing: DescribeKey,
   * GetPublicKey and a Sign of a dummy digest. Resolves with the algorithm; rejects with the typed
   * error of the first missing permission (e.g. KmsAccessDeniedError for `kms:Sign`).
   */
  async preflight(
    options: { signal?: AbortSignal } = {},
  ): Promise<{ keyId: string; algorithm: AwsSigningAlgorithm; publicKey: PublicKey }> {
    this.#info = undefined;
    const info = await this.#keyInfo(options.signal);
    await this.sign(new TextEncoder().encode('ocisign preflight'), options);
    return { keyId: this.reference.keyId, algorithm: info.algorithm, publicKey: info.publicKey };
  }
}
