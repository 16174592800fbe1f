/**
 * The real `VerificationBackend`: verifies cosign signatures and attestations in OCI registries
 * with ocisign's verifier, offline (Rekor evidence checked against the trusted root you pass, or the
 * public-good one shipped with ocisign; never fetched). Static keys come from the policy's PEM, from
 * a KMS reference (`awskms://…`) through `ocisign/kms`, or from your `resolveKey` (e.g.
 * `k8s://namespace/secret`). Keyless and certificate attestors are verified as Kyverno verifies
 * them (`certificate-attestor.ts`, `certificate-verification.ts`).
 */
import { InvalidArgumentError } from '../../errors/base.js';
import { PolicyUnsupportedError } from '../../errors/policy.js';
import { SharedWork, untilAborted } from '../../internal/abort.js';
import type { DigestAlgorithm, PublicKey } from '../../keys/index.js';
import { type ResolveSignerOptions, resolveSigner } from '../../kms/index.js';
import type { SignatureFormat } from '../../payload/signature-format.js';
import { RegistryClient } from '../../registry/index.js';
import { shippedTrustedRoot } from '../../sigstore/shipped.js';
import { parseTrustedRoot, type TrustedRoot } from '../../sigstore/trusted-root.js';
import { verifyImage, verifyImageAttestations } from '../../verify/index.js';
import type { SignatureCheck, VerificationBackend } from './backend.js';
import { certificatePlan } from './certificate-attestor.js';
import { verifyCertificatePlan } from './certificate-verification.js';
import { cosignWording } from './cosign-wording.js';
import type { ImageRegistryCredentials } from './types.js';

/**
 * Options of {@link registryBackend}: the registry client, trust material for transparency logs,
 * and how to turn key references into keys.
 */
export interface RegistryBackendOptions {
  /** The registry client to use (share one for connection reuse). Default: a new `RegistryClient`. */
  readonly registry?: RegistryClient;
  /**
   * The trusted root (`trusted_root.json` content, or a `TrustedRoot` from `ocisign/sigstore`): the
   * Rekor keys for static-key policies that require transparency-log evidence and do not name their
   * Rekor key (`rekor.pubkey`), and the Fulcio CAs, Rekor, CT logs and TSAs keyless and certificate
   * attestors start from (their `roots`, `pubkey`s and `tsaCertChain` replace the parts they name).
   * Default for keyless and certificate attestors: the public-good root shipped with ocisign
   * (`shippedTrustedRoot()`); static keys then need `rekor.pubkey` or `ignoreTlog`.
   */
  readonly trustedRoot?: unknown;
  /**
   * Turns a key reference that is not PEM (`k8s://ns/name`, `gcpkms://…`, a file) into a public key.
   * Default: `awskms://`, `env://` and file paths through `resolveSigner`; anything else is refused.
   */
  readonly resolveKey?: (ref: string, signal: AbortSignal) => Promise<PublicKey | string>;
  /**
   * The client for an entry with `imageRegistryCredentials` (Kyverno reads those pull secrets from
   * the cluster; map them to a client with the right credentials here). Default: `registry`.
   */
  readonly clientFor?: (credentials: ImageRegistryCredentials) => RegistryClient;
  /** Options for `resolveSigner` when the default key resolution is used. */
  readonly keyProviderOptions?: ResolveSignerOptions;
  /**
   * The bound on one key lookup (`resolveKey`, a KMS `GetPublicKey`), in milliseconds, after which
   * it fails with `OperationTimeoutError` and is forgotten. Default 30 000.
   */
  readonly keyLookupTimeoutMs?: number;
}

/**
 * Default bound on one key lookup. Lookups are cached and shared by every check of the key, so a
 * KMS or secret store that never answers would otherwise leave a promise in the cache that never
 * settles — every later check of that key waiting on it forever (or until its own deadline, then
 * an error) until restart. 30 s is well past a healthy KMS round trip (with the SDK's retries) and
 * as long as Kubernetes' longest admission webhook timeout.
 */
const KEY_LOOKUP_TIMEOUT_MS = 30_000;

/** A signer's `publicKey`, which some signers (AwsKmsSigner) let a signal cancel. */
interface KeyReader {
  publicKey(options?: { signal?: AbortSignal }): Promise<PublicKey>;
}

/**
 * Kyverno's `signatureAlgorithm` (the deprecated `keys.signatureAlgorithm` wins over the attestor's):
 * the hash the signatures were made over. Unset: the key's own hash.
 */
function digestAlgorithmOf(check: SignatureCheck): DigestAlgorithm | undefined {
  const name = check.attestor.keys?.signatureAlgorithm ?? check.attestor.signatureAlgorithm;
  if (name === undefined || name === '') return undefined;
  if (name === 'sha256' || name === 'sha384' || name === 'sha512') return name;
  throw new PolicyUnsupportedError(
    `signatureAlgorithm ${name} is not supported by ocisign (sha256, sha384, sha512 are)`,
  );
}

/** The `VerificationBackend` that talks to registries. */
export function registryBackend(options: RegistryBackendOptions = {}): VerificationBackend {
  const registry = options.registry ?? new RegistryClient();
  const keyCache = new Map<string, SharedWork<PublicKey | string>>();
  const keyLookupTimeoutMs = options.keyLookupTimeoutMs ?? KEY_LOOKUP_TIMEOUT_MS;
  if (!(Number.isInteger(keyLookupTimeoutMs) && keyLookupTimeoutMs > 0 && keyLookupTimeoutMs <= 2 ** 31 - 1))
    throw new InvalidArgumentError(
      'keyLookupTimeoutMs must be a whole number of milliseconds (1 to 2147483647)',
    );

  const keyFor = (check: SignatureCheck): Promise<PublicKey | string> => {
    const keys = check.attestor.keys;
    if (keys === undefined)
      throw new PolicyUnsupportedError('keys: one of publicKeys, kms or secret is required');
    const ref =
      keys.publicKeys !== undefined && keys.publicKeys !== ''
        ? keys.publicKeys
        : keys.kms !== undefined && keys.kms !== ''
          ? keys.kms
          : keys.secret !== undefined
            ? `k8s://${keys.secret.namespace}/${keys.secret.name}`
            : '';
    if (ref.includes('-----BEGIN')) return Promise.resolve(ref);
    if (ref === '') throw new PolicyUnsupportedError('keys: one of publicKeys, kms or secret is required');
    let shared = keyCache.get(ref);
    if (shared === undefined) {
      const lookup = new SharedWork<PublicKey | string>((workSignal) => {
        // Its own bound as well as its callers': a lookup that never settles would stay cached.
        const signal = AbortSignal.any([workSignal, AbortSignal.timeout(keyLookupTimeoutMs)]);
        const work = Promise.resolve().then(() =>
          options.resolveKey !== undefined
            ? options.resolveKey(ref, signal)
            : ref.startsWith('k8s://')
              ? Promise.reject(
                  new PolicyUnsupportedError(
                    `${ref}: reading keys from Kubernetes secrets needs the resolveKey option of registryBackend`,
                  ),
                )
              : resolveSigner(ref, { ...options.keyProviderOptions, signal }).then((signer) =>
                  // AwsKmsSigner takes `{ signal }`; a signer whose publicKey() takes none ignores it.
                  (signer as KeyReader).publicKey({ signal }),
                ),
        );
        return untilAborted(work, signal, `looking up the key ${ref}`);
      });
      shared = lookup;
      // A failed, timed-out or abandoned lookup is forgotten: the next check asks again.
      lookup.outcome.catch(() => {
        if (keyCache.get(ref) === lookup) keyCache.delete(ref);
      });
      keyCache.set(ref, lookup);
    }
    // A KMS or secret store that hangs must not hold the admission decision past its deadline, and
    // one check's abort must not fail the others waiting for the same key.
    return shared.join(check.signal, `looking up the key ${ref}`);
  };

  /** The registry client for an image: the shared one, or `clientFor` its credentials. */
  const clientOf = (credentials: ImageRegistryCredentials | undefined): RegistryClient =>
    credentials !== undefined && options.clientFor !== undefined ? options.clientFor(credentials) : registry;

  let baseRoot: TrustedRoot | undefined;
  /** The root keyless and certificate attestors start from: the caller's, or the shipped one. */
  const baseRootOf = (): TrustedRoot => {
    baseRoot ??=
      options.trustedRoot === undefined ? shippedTrustedRoot() : parseTrustedRoot(options.trustedRoot);
    return baseRoot;
  };

  /** Refuses Notary; answers whether the attestor is verified by certificate (not by a key). */
  const byCertificate = (check: SignatureCheck): boolean => {
    if (check.type === 'Notary')
      throw new PolicyUnsupportedError(
        'type: Notary is not supported by ocisign (it verifies cosign signatures and Sigstore bundles)',
      );
    return check.attestor.keys === undefined;
  };

  /** Verifies a keyless, certificates or implicit attestor (signatures, or attestations of a type). */
  const viaCertificate = (check: SignatureCheck, predicateType?: string) => {
    const plan = certificatePlan(check, predicateType !== undefined);
    // Only a bare key reads signatureAlgorithm; certificates sign with SHA-256, as cosign's keyless path.
    const digestAlgorithm = plan.mode === 'bare-key' ? digestAlgorithmOf(check) : undefined;
    const context = { client: clientOf(check.credentials), baseRoot: baseRootOf(), digestAlgorithm };
    return verifyCertificatePlan(check, plan, context, predicateType);
  };

  /** What `verifyImage` / `verifyImageAttestations` need for one check: key, client, tlog, formats. */
  const verifyOptions = async (check: SignatureCheck) => {
    const key = await keyFor(check);
    const keys = check.attestor.keys;
    const digestAlgorithm = digestAlgorithmOf(check);
    const formats: SignatureFormat[] = check.type === 'SigstoreBundle' ? ['bundle'] : ['simple-signing'];
    return {
      keys: [key],
      registry: clientOf(check.credentials),
      formats,
      ignoreTlog: keys?.rekor?.ignoreTlog === true,
      ...(digestAlgorithm === undefined ? {} : { digestAlgorithm }),
      // Kyverno's rekor.pubkey: the Rekor key to check tlog evidence with (a private Rekor).
      ...(keys?.rekor?.pubkey === undefined || keys.rekor.pubkey === ''
        ? {}
        : { rekorPublicKeys: [keys.rekor.pubkey] }),
      ...(options.trustedRoot === undefined ? {} : { trustedRoot: options.trustedRoot }),
      ...(check.repository === undefined ? {} : { repository: check.repository }),
      signal: check.signal,
    };
  };

  return {
    async verifySignatures(check) {
      if (byCertificate(check)) return { digest: (await viaCertificate(check)).digest };
      const verify = await verifyOptions(check);
      const result = await cosignWording('signatures', () =>
        verifyImage(check.image, {
          ...verify,
          ...(check.attestor.annotations === undefined ? {} : { annotations: check.attestor.annotations }),
        }),
      );
      return { digest: result.digest };
    },
    async fetchAttestations(check) {
      if (byCertificate(check)) {
        const found = await viaCertificate(check, check.predicateType);
        return { digest: found.digest, statements: found.statements ?? [] };
      }
      const verify = await verifyOptions(check);
      const verified = await cosignWording('attestations', () =>
        verifyImageAttestations(check.image, {
          ...verify,
          predicateType: check.predicateType,
        }),
      );
      const statements = verified.map((a) => a.statement as unknown as Record<string, unknown>);
      // The digest each statement was verified against — not its first subject, which in a
      // multi-subject statement (SLSA provenance) may be another artifact.
      return { digest: verified[0]?.digest ?? '', statements };
    },
    async resolveDigest(image, signal, credentials) {
      return (await clientOf(credentials).resolve(image, { signal })).digest;
    },
  };
}
