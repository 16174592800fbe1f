/**
 * What commands share: the registry client (docker config credentials, `--allow-insecure-registry`),
 * the deadline, `--output`, key loading from files, KMS references and environment variables, and
 * the transparency-log flags. `withCommandContext` is the only way to a registry client, so no
 * command can forget to close it. It prints nothing itself and maps no errors to exit codes
 * (run.ts does).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError } from '../errors/index.js';
import { untilAborted } from '../internal/abort.js';
import type { PublicKey, Signer } from '../keys/index.js';
import { importPublicKey } from '../keys/index.js';
import { resolveSigner } from '../kms/index.js';
import { parseJsonObject } from '../payload/json-object.js';
import { RegistryClient, type RegistryClientOptions } from '../registry/index.js';
import { deadline, outputFormat } from './args.js';
import { UsageError } from './exit-codes.js';
import type { CliIo } from './io.js';

/** The options every library call of a command is given: spread them into `signImage`, `verifyImage`, … */
export interface RegistryOptions {
  readonly registry: RegistryClient;
  readonly signal: AbortSignal;
  /** cosign's `COSIGN_REPOSITORY`: where signatures are stored instead of the image's repository. */
  readonly repository?: string;
}

/** One command run's shared state, alive until `withCommandContext` closes it. */
export interface CommandContext {
  readonly io: CliIo;
  readonly registry: RegistryClient;
  /** The `--timeout` deadline, started when the context was made. */
  readonly signal: AbortSignal;
  /** `registry`, `signal` and `repository` as library options. */
  readonly registryOptions: RegistryOptions;
  /** `--output json`: print one JSON report at the end instead of text as the work goes. */
  readonly json: boolean;
  /** A library warning, printed on stderr as cosign prints them (`WARNING: …`), each text once. */
  readonly warn: (message: string) => void;
}

/**
 * Makes the command's context (a registry client that may use plain HTTP for `hosts`' registries
 * under `--allow-insecure-registry`, the deadline, `COSIGN_REPOSITORY`), runs `run` with it, and
 * closes the registry client however `run` ends: the command's result, or its error, unchanged.
 */
export async function withCommandContext<T>(
  io: CliIo,
  values: Readonly<Record<string, unknown>>,
  hosts: readonly string[],
  run: (ctx: CommandContext) => Promise<T>,
  clientOptions: RegistryClientOptions = {},
): Promise<T> {
  const insecure = values['allow-insecure-registry'] === true || values['allow-http-registry'] === true;
  const signal = deadline(values.timeout);
  const registry = new RegistryClient({
    ...clientOptions,
    ...(insecure ? { insecureRegistries: hosts.map((h) => h.split('/')[0] as string) } : {}),
  });
  const repository = io.env.COSIGN_REPOSITORY;
  const warned = new Set<string>();
  try {
    return await run({
      io,
      registry,
      signal,
      registryOptions: {
        registry,
        signal,
        ...(repository === undefined || repository === '' ? {} : { repository }),
      },
      json: outputFormat(values.output) === 'json',
      // Once per command: an identity's warning comes again for every image verified.
      warn: (message) => {
        if (warned.has(message)) return;
        warned.add(message);
        io.err(`WARNING: ${message}\n`);
      },
    });
  } finally {
    await registry.close();
  }
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

/** How `verify` and `verify-attestation` with `--key` treat transparency-log evidence, from flags and environment. */
export interface TlogOptions {
  readonly ignoreTlog: boolean;
  readonly trustedRoot?: Record<string, unknown>;
  readonly rekorPublicKeys?: readonly string[];
}

/**
 * `--insecure-ignore-tlog`, `--trusted-root FILE`, or cosign's `SIGSTORE_REKOR_PUBLIC_KEY` (a PEM
 * file): one of them is required with `--key`, since ocisign never contacts Rekor (keyless
 * verification has the shipped public-good root's Rekor keys: trust-flags.ts).
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
