/**
 * What commands share: the registry client (docker config credentials, `--allow-insecure-registry`),
 * key loading from files, KMS references and environment variables, and the deadline.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError } from '../errors/index.js';
import { untilAborted } from '../internal/abort.js';
import type { PublicKey, Signer } from '../keys/index.js';
import { importPublicKey } from '../keys/index.js';
import { resolveSigner } from '../kms/index.js';
import { parseJsonObject } from '../payload/json-object.js';
import { RegistryClient } from '../registry/index.js';
import { timeoutMs } from './args.js';
import { UsageError } from './exit-codes.js';
import type { CliIo } from './io.js';

export interface CommandContext {
  readonly io: CliIo;
  readonly registry: RegistryClient;
  readonly signal: AbortSignal;
  /** cosign's `COSIGN_REPOSITORY`: where signatures are stored instead of the image's repository. */
  readonly repository: string | undefined;
  close(): Promise<void>;
}

export function commandContext(
  io: CliIo,
  values: Record<string, unknown>,
  hosts: readonly string[],
): CommandContext {
  const insecure = values['allow-insecure-registry'] === true || values['allow-http-registry'] === true;
  const registry = new RegistryClient({
    ...(insecure ? { insecureRegistries: hosts.map((h) => h.split('/')[0] as string) } : {}),
  });
  const repository = io.env.COSIGN_REPOSITORY;
  return {
    io,
    registry,
    signal: AbortSignal.timeout(timeoutMs(values.timeout)),
    repository: repository === undefined || repository === '' ? undefined : repository,
    close: () => registry.close(),
  };
}

const hasScheme = (ref: string) => /^[a-z][a-z0-9+.-]*:\/\//.test(ref);

/** A signer for `--key`: a cosign.key file (COSIGN_PASSWORD), `awskms://…`, `env://VAR`. */
export function loadSigner(ref: string, io: CliIo, signal: AbortSignal): Promise<Signer> {
  // A KMS that never answers must not outlast --timeout.
  return untilAborted(
    resolveSigner(hasScheme(ref) ? ref : resolve(io.cwd, ref), { env: io.env, signal }),
    signal,
  );
}

/** A public key for `--key`: a PEM public key file, a cosign.key (public half), or a KMS reference. */
export async function loadPublicKey(ref: string, io: CliIo, signal: AbortSignal): Promise<PublicKey> {
  if (!hasScheme(ref)) {
    const text = readFileSync(resolve(io.cwd, ref), 'utf8');
    if (text.includes('PUBLIC KEY-----')) return importPublicKey(text);
  }
  return untilAborted((await loadSigner(ref, io, signal)).publicKey(), signal);
}

/** How `verify` and `verify-attestation` treat transparency-log evidence, from flags and environment. */
export interface TlogOptions {
  readonly ignoreTlog: boolean;
  readonly trustedRoot?: Record<string, unknown>;
  readonly rekorPublicKeys?: readonly string[];
}

/**
 * `--insecure-ignore-tlog`, `--trusted-root FILE`, or cosign's `SIGSTORE_REKOR_PUBLIC_KEY` (a PEM
 * file): one of them is required, since ocisign never contacts Rekor.
 */
export function tlogOptions(
  values: { readonly 'insecure-ignore-tlog'?: boolean; readonly 'trusted-root'?: string },
  io: CliIo,
): TlogOptions {
  const ignoreTlog = values['insecure-ignore-tlog'] === true;
  const rekorKeyPath = io.env.SIGSTORE_REKOR_PUBLIC_KEY;
  const rekorPublicKeys =
    rekorKeyPath === undefined || rekorKeyPath === ''
      ? []
      : [readFileSync(resolve(io.cwd, rekorKeyPath), 'utf8')];
  const rootPath = values['trusted-root'];
  if (!ignoreTlog && rootPath === undefined && rekorPublicKeys.length === 0)
    throw new UsageError(
      'ocisign never contacts Rekor: pass --trusted-root trusted_root.json (or set SIGSTORE_REKOR_PUBLIC_KEY) to check transparency-log evidence offline, or --insecure-ignore-tlog to skip it',
    );
  return {
    ignoreTlog,
    ...(rootPath === undefined
      ? {}
      : {
          trustedRoot: parseJsonObject(
            readFileSync(resolve(io.cwd, rootPath), 'utf8'),
            `--trusted-root ${rootPath}`,
            (m) => new InvalidArgumentError(m),
          ),
        }),
    ...(rekorPublicKeys.length === 0 ? {} : { rekorPublicKeys }),
  };
}
