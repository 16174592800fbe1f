/**
 * Key references → `Signer`s. Built in: `awskms://…` (loaded on demand from `ocisign/kms/aws`),
 * `env://VAR` (a PEM key in an environment variable) and a path to a PEM file (cosign's encrypted
 * keys included). Other schemes (`gcpkms`, `azurekms`, `hashivault`, `pkcs11`, …) plug in through
 * `registerKeyProvider`.
 *
 * The provider registry is the one piece of process-wide state in ocisign, on purpose: a provider is
 * registered once, at start-up, like a database driver.
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '../errors/base.js';
import { InvalidKeyReferenceError } from '../errors/kms.js';
import { abortError } from '../internal/abort.js';
import { importPrivateKey } from '../keys/import.js';
import type { PublicKey } from '../keys/key-objects.js';
import type { Signer } from '../keys/signer.js';
import { createSigner } from '../keys/signer.js';

/** Options every provider receives; providers read the fields they know. */
export interface ResolveSignerOptions {
  /**
   * Password for encrypted keys. Default: `COSIGN_PASSWORD` when it is set (the empty string is a
   * password, as in cosign).
   */
  readonly password?: string;
  /** Environment to read `COSIGN_PASSWORD` and `env://` variables from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
  /** Provider-specific options, keyed by scheme, e.g. `{ awskms: { region: 'eu-west-1' } }`. */
  readonly providerOptions?: Readonly<Record<string, unknown>>;
}

/** A source of signers for one reference scheme (GCP KMS, Azure Key Vault, Vault transit, PKCS#11…). */
export interface KeyProvider {
  /** A signer for `ref` (the whole reference, scheme included). */
  signer(ref: string, options: ResolveSignerOptions): Promise<Signer>;
  /** The public key alone, where the provider can give it without signing rights. */
  publicKey?(ref: string, options: ResolveSignerOptions): Promise<PublicKey>;
}

const providers = new Map<string, KeyProvider>();

/**
 * Registers (or replaces) the provider for `scheme` (`gcpkms`, not `gcpkms://`). Built-in schemes
 * `awskms` and `env` may be replaced, e.g. to inject a configured client.
 */
export function registerKeyProvider(scheme: string, provider: KeyProvider): void {
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme))
    throw new InvalidArgumentError(
      `scheme must look like "gcpkms" (lowercase, no "://"), got ${JSON.stringify(scheme)}`,
    );
  if (typeof provider?.signer !== 'function')
    throw new InvalidArgumentError('provider must have a signer(ref, options) method');
  providers.set(scheme, provider);
}

/**
 * The built-in `awskms://` provider (loads `./aws/signer.js` on first use). Exported for tests only;
 * not part of the public API (`ocisign/kms` does not re-export it).
 * @internal
 */
export const awsProvider: KeyProvider = {
  signer: awsSigner,
  async publicKey(ref, options) {
    const signer = await awsSigner(ref, options);
    return signer.publicKey(options.signal === undefined ? {} : { signal: options.signal });
  },
};

async function awsSigner(ref: string, options: ResolveSignerOptions) {
  const { AwsKmsSigner } = await import('./aws/signer.js');
  return new AwsKmsSigner(
    ref,
    (options.providerOptions?.awskms ?? {}) as ConstructorParameters<typeof AwsKmsSigner>[1],
  );
}

function password(options: ResolveSignerOptions): string | undefined {
  if (options.password !== undefined) return options.password;
  const env = options.env ?? process.env;
  return Object.hasOwn(env, 'COSIGN_PASSWORD') ? (env.COSIGN_PASSWORD ?? '') : undefined;
}

const envProvider: KeyProvider = {
  async signer(ref, options) {
    const name = ref.slice('env://'.length);
    const env = options.env ?? process.env;
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    if (name === '' || typeof value !== 'string' || value === '') {
      throw new InvalidKeyReferenceError(
        `${ref}: environment variable ${name || '(empty name)'} is not set; it should hold a PEM private key`,
      );
    }
    return createSigner(await importPrivateKey(value, { password: password(options) }));
  },
};

async function fileSigner(path: string, options: ResolveSignerOptions): Promise<Signer> {
  let pem: string;
  try {
    pem = await readFile(path, {
      encoding: 'utf8',
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (options.signal?.aborted) throw abortError(options.signal, `Reading key file ${path}`);
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidKeyReferenceError(
      `Cannot read key file ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'read failed')}`,
      { cause: error },
    );
  }
  return createSigner(await importPrivateKey(pem, { password: password(options) }));
}

/**
 * The local path of a `file://` reference. A URL that does not parse (`file://a:b/x`), names a remote
 * host, or holds a malformed percent-escape (`file:///%E0`) is an InvalidKeyReferenceError.
 */
function filePath(ref: string): string {
  let url: URL;
  try {
    url = new URL(ref);
  } catch (cause) {
    throw new InvalidKeyReferenceError(
      `${ref} is not a valid file:// URL; use file:///absolute/path or a plain path`,
      { cause },
    );
  }
  if (url.host !== '' && url.host !== 'localhost')
    throw new InvalidKeyReferenceError(
      `${ref} names the host "${url.host}"; file:// references must be local (file:///absolute/path)`,
    );
  try {
    return decodeURIComponent(url.pathname);
  } catch (cause) {
    throw new InvalidKeyReferenceError(
      `${ref} holds a malformed percent-escape; escape "%" as %25 or use a plain path`,
      { cause },
    );
  }
}

function schemeOf(ref: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\//.exec(ref);
  if (m !== null) return m[1];
  return ref.startsWith('pkcs11:') ? 'pkcs11' : undefined;
}

/**
 * A `Signer` for a key reference: `awskms://…`, `env://VAR`, a PEM file path (cosign's encrypted
 * `cosign.key` with `password` or `COSIGN_PASSWORD`), or any scheme registered with
 * `registerKeyProvider`. Unknown schemes fail with InvalidKeyReferenceError naming what to register.
 */
export async function resolveSigner(ref: string, options: ResolveSignerOptions = {}): Promise<Signer> {
  if (typeof ref !== 'string' || ref === '')
    throw new InvalidKeyReferenceError('A key reference must be a non-empty string');
  const scheme = schemeOf(ref);
  if (scheme === undefined) return fileSigner(ref, options);
  if (scheme === 'file') return fileSigner(filePath(ref), options);
  const provider =
    providers.get(scheme) ?? (scheme === 'awskms' ? awsProvider : scheme === 'env' ? envProvider : undefined);
  if (provider === undefined) {
    throw new InvalidKeyReferenceError(
      `No key provider for "${scheme}" references (${ref.split('?')[0]}). Built in: awskms://, env://, file paths; register others with registerKeyProvider('${scheme}', provider).`,
    );
  }
  return provider.signer(ref, options);
}
