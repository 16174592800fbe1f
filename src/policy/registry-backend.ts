/**
 * The real `VerificationBackend`: verifies cosign signatures and attestations in OCI registries
 * with ocisign's verifier, offline (Rekor evidence checked against the trusted root you pass, never
 * fetched). Static keys come from the policy's PEM, from a KMS reference (`awskms://…`) through
 * `ocisign/kms`, or from your `resolveKey` (e.g. `k8s://namespace/secret`). Keyless and certificate
 * attestors are refused with a clear error: ocisign does not verify Fulcio certificates yet.
 */
import { PolicyUnsupportedError } from '../errors/policy.js';
import { VerificationError } from '../errors/verify.js';
import { untilAborted } from '../internal/abort.js';
import type { DigestAlgorithm, PublicKey } from '../keys/index.js';
import { type ResolveSignerOptions, resolveSigner } from '../kms/index.js';
import { RegistryClient } from '../registry/index.js';
import { verifyImage, verifyImageAttestations } from '../sign/index.js';
import type { SignatureFormat } from '../sign/sign-image.js';
import type { SignatureCheck, VerificationBackend } from './backend.js';
import type { ImageRegistryCredentials } from './types.js';

/**
 * Options of {@link registryBackend}: the registry client, trust material for transparency logs,
 * and how to turn key references into keys.
 */
export interface RegistryBackendOptions {
  /** The registry client to use (share one for connection reuse). Default: a new `RegistryClient`. */
  readonly registry?: RegistryClient;
  /**
   * `trusted_root.json` content, for policies that require transparency-log evidence and do not
   * name their Rekor key (`rekor.pubkey`).
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
}

/** cosign's wording ("no matching signatures: …") on one line, keeping the typed error. */
async function cosignWording<T>(what: 'signatures' | 'attestations', run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof VerificationError)) throw error;
    const reasons = [...new Set(error.failures.map((f) => f.message))].join('; ');
    throw new VerificationError(error.digest, error.failures, `no matching ${what}: ${reasons}`);
  }
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

function notSupported(check: SignatureCheck): never {
  const a = check.attestor;
  const what =
    a.keyless !== undefined
      ? 'keyless verification is'
      : a.certificates !== undefined
        ? 'certificates verification is'
        : 'an attestor with no keys, certificates or keyless block (for attestations: Sigstore public-good keyless) is';
  throw new PolicyUnsupportedError(
    `${what} not supported yet by ocisign (it verifies static keys: keys.publicKeys, keys.kms, keys.secret)`,
  );
}

/** The `VerificationBackend` that talks to registries. */
export function registryBackend(options: RegistryBackendOptions = {}): VerificationBackend {
  const registry = options.registry ?? new RegistryClient();
  const keyCache = new Map<string, Promise<PublicKey | string>>();

  const keyFor = (check: SignatureCheck): Promise<PublicKey | string> => {
    if (check.type === 'Notary')
      throw new PolicyUnsupportedError(
        'type: Notary is not supported by ocisign (it verifies cosign signatures and Sigstore bundles)',
      );
    const keys = check.attestor.keys;
    if (keys === undefined) notSupported(check);
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
    let pending = keyCache.get(ref);
    if (pending === undefined) {
      pending =
        options.resolveKey !== undefined
          ? Promise.resolve().then(() =>
              (options.resolveKey as NonNullable<typeof options.resolveKey>)(ref, check.signal),
            )
          : ref.startsWith('k8s://')
            ? Promise.reject(
                new PolicyUnsupportedError(
                  `${ref}: reading keys from Kubernetes secrets needs the resolveKey option of registryBackend`,
                ),
              )
            : resolveSigner(ref, { ...options.keyProviderOptions, signal: check.signal }).then((signer) =>
                signer.publicKey(),
              );
      pending.catch(() => keyCache.delete(ref));
      keyCache.set(ref, pending);
    }
    // A KMS or secret store that hangs must not hold the admission decision past its deadline.
    return untilAborted(pending, check.signal);
  };

  /** The registry client for an image: the shared one, or `clientFor` its credentials. */
  const clientOf = (credentials: ImageRegistryCredentials | undefined): RegistryClient =>
    credentials !== undefined && options.clientFor !== undefined ? options.clientFor(credentials) : registry;

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
      const verify = await verifyOptions(check);
      const verified = await cosignWording('attestations', () =>
        verifyImageAttestations(check.image, {
          ...verify,
          predicateType: check.predicateType,
        }),
      );
      const statements = verified.map((a) => a.statement as unknown as Record<string, unknown>);
      const subject = verified[0]?.statement.subject[0]?.digest;
      const hex = subject?.sha256;
      return { digest: hex === undefined ? '' : `sha256:${hex}`, statements };
    },
    async resolveDigest(image, signal, credentials) {
      return (await clientOf(credentials).resolve(image, { signal })).digest;
    },
  };
}
