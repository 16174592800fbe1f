/**
 * The flags `sign` and `attest` take from cosign for Sigstore services, read into the library's
 * options: where each signature is logged (`--tlog-upload`, `--rekor-url`) and timestamped
 * (`--timestamp-server-url`), the signing config that names the services (`--signing-config`,
 * `--use-signing-config`), the trusted root their answers are checked against (`--trusted-root`),
 * and keyless signing (`--fulcio-url`, `--identity-token`, `--oidc-issuer`); also
 * `--new-bundle-format` and the cosign signing flags ocisign refuses by name.
 *
 * The services, as cosign v3.1.2 chooses them (`cmd/cosign/cli/signcommon/common.go`
 * `LoadTrustedMaterialAndSigningConfig`, `NewSigningConfigFromKeyOpts`):
 * - `--signing-config FILE`: its services (`selectServices`), and no service URL flag with it;
 * - a service URL flag, `--use-signing-config=false` or `--tlog-upload=false`: cosign's flag path —
 *   Rekor v1 at `--rekor-url` (default the public-good log), Fulcio at `--fulcio-url` (default the
 *   public-good CA), a TSA only with `--timestamp-server-url`;
 * - otherwise the public-good signing config (shipped, `PUBLIC_GOOD_SIGNING_CONFIG`: never TUF),
 *   its log and its TSA, as cosign 3 signs by default.
 * cosign 3 refuses service URL flags and `--tlog-upload=false` unless `--use-signing-config=false`
 * is given; ocisign takes them as that, so commands written for cosign 2 keep working.
 *
 * Deliberately not here: calling the services (the library), loading `--key` (context.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { OperationTimeoutError, RekorUnavailableError, TsaUnavailableError } from '../errors/index.js';
import type { Signer } from '../keys/signer.js';
import type { SigstoreEvidenceOptions } from '../sign/evidence-options.js';
import {
  fulcioSigner,
  type IdentityTokenSource,
  identityTokenFromEnvironment,
  PUBLIC_GOOD_SIGNING_CONFIG,
  parseSigningConfig,
  parseTrustedRoot,
  type SelectedServices,
  selectServices,
  type TrustedRoot,
} from '../sigstore/index.js';
import { oneOf, type RefusedFlags } from './args.js';
import { loadSigner } from './context.js';
import { UsageError } from './exit-codes.js';
import type { CliIo } from './io.js';

/** cosign's Sigstore flags of `sign` and `attest`. */
export const SIGSTORE_SIGN_OPTIONS = {
  'tlog-upload': { type: 'boolean' },
  'rekor-url': { type: 'string' },
  'timestamp-server-url': { type: 'string' },
  'signing-config': { type: 'string' },
  'use-signing-config': { type: 'boolean' },
  'trusted-root': { type: 'string' },
  'fulcio-url': { type: 'string' },
  'identity-token': { type: 'string' },
  'oidc-issuer': { type: 'string' },
  'new-bundle-format': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

const NO_SECURITY_KEYS =
  'ocisign signs with key files, KMS keys (--key awskms://…) or keyless, not PIV tokens';
const NO_OIDC_FLOW =
  'ocisign has no interactive OIDC login: pass --identity-token, or set SIGSTORE_ID_TOKEN (GitHub Actions tokens are read on their own)';
const NO_TSA_MTLS = 'ocisign reaches a TSA over plain HTTPS, without client certificates';

/** cosign flags of `sign` and `attest` that ocisign does not take, with why. */
export const REFUSED_SIGN_FLAGS: RefusedFlags = {
  sk: NO_SECURITY_KEYS,
  slot: NO_SECURITY_KEYS,
  certificate: 'ocisign stores no certificate with a --key signature; sign keyless for a Fulcio certificate',
  'certificate-chain':
    'ocisign stores no certificate with a --key signature; sign keyless for a Fulcio certificate',
  'issue-certificate': 'sign without --key to get a Fulcio certificate for an ephemeral key',
  'record-creation-timestamp': 'ocisign writes no creation time into signature images (cosign’s default)',
  'timestamp-client-cacert': NO_TSA_MTLS,
  'timestamp-client-cert': NO_TSA_MTLS,
  'timestamp-client-key': NO_TSA_MTLS,
  'timestamp-server-name': NO_TSA_MTLS,
  'fulcio-auth-flow': NO_OIDC_FLOW,
  'oidc-client-id': NO_OIDC_FLOW,
  'oidc-client-secret-file': NO_OIDC_FLOW,
  'oidc-redirect-url': NO_OIDC_FLOW,
  'oidc-provider': NO_OIDC_FLOW,
  'oidc-disable-ambient-providers': NO_OIDC_FLOW,
  'insecure-skip-verify': 'ocisign always verifies Fulcio’s certificate (and its SCT) before signing',
};

/** The flags that name a service; cosign refuses them next to a signing config. */
const SERVICE_URL_FLAGS = ['rekor-url', 'fulcio-url', 'timestamp-server-url', 'oidc-issuer'] as const;

/** The values this module reads. */
export interface SigstoreFlagValues {
  readonly key?: string;
  readonly format?: string;
  readonly 'tlog-upload'?: boolean;
  readonly 'rekor-url'?: string;
  readonly 'timestamp-server-url'?: string;
  readonly 'signing-config'?: string;
  readonly 'use-signing-config'?: boolean;
  readonly 'trusted-root'?: string;
  readonly 'fulcio-url'?: string;
  readonly 'identity-token'?: string;
  readonly 'oidc-issuer'?: string;
  readonly 'new-bundle-format'?: boolean;
  readonly yes?: boolean;
}

/** What a signing command was asked to do with Sigstore services. */
export interface SigningServices {
  /** `tlog`, `timestamp` and `trustedRoot` for `signImage` / `attestImage`. */
  readonly evidence: SigstoreEvidenceOptions;
  /** The `--key` reference; undefined to sign keyless. */
  readonly key: string | undefined;
  /** The Fulcio CA of a keyless signature. */
  readonly fulcioUrl: string | undefined;
  /** `--trusted-root`, parsed. */
  readonly trustedRoot: TrustedRoot | undefined;
  /** Printed on stderr as `WARNING: …` before anything is signed. */
  readonly warnings: readonly string[];
  /** Printed on stderr before the first upload unless `-y`: the log is public and permanent. */
  readonly notice: string | undefined;
}

/** Go reads a flag given as `""` as not given. */
const given = (value: string | undefined): value is string => value !== undefined && value !== '';

/**
 * `--format` with cosign's `--new-bundle-format` (true: `bundle`, false: `simple-signing`);
 * default `simple-signing`.
 *
 * @throws UsageError for a word not in `words`, or the two flags disagreeing.
 */
export function storageFormat<const W extends 'simple-signing' | 'bundle' | 'both'>(
  values: SigstoreFlagValues,
  words: readonly W[],
): W | 'simple-signing' {
  const format = oneOf(values.format, '--format', words);
  const newBundle = values['new-bundle-format'];
  if (newBundle === undefined) return format ?? 'simple-signing';
  const fits = newBundle ? format !== 'simple-signing' : format === undefined || format === 'simple-signing';
  if (!fits) throw new UsageError(`--new-bundle-format=${newBundle} contradicts --format ${format}`);
  return format ?? ((newBundle ? 'bundle' : 'simple-signing') as W);
}

function services(values: SigstoreFlagValues, io: CliIo, classic: boolean): SelectedServices {
  const urlFlags = SERVICE_URL_FLAGS.filter((flag) => given(values[flag]));
  const configPath = values['signing-config'];
  const useConfig = values['use-signing-config'];
  if (given(configPath) && useConfig !== undefined)
    throw new UsageError(
      'if any flags in the group [use-signing-config signing-config] are set none of the others can be; [signing-config use-signing-config] were all set',
    );
  if ((given(configPath) || useConfig === true) && urlFlags.length > 0)
    throw new UsageError(
      `cannot specify service URLs and use signing config: ${urlFlags.map((f) => `--${f}`).join(', ')} with ${given(configPath) ? '--signing-config' : '--use-signing-config'}`,
    );
  // A Rekor v2 entry has no SET for a classic layer's bundle annotation: classic signatures need v1.
  const rekorApiVersions = classic ? ([1] as const) : ([1, 2] as const);
  if (given(configPath))
    return selectServices(parseSigningConfig(readFileSync(resolve(io.cwd, configPath))), {
      rekorApiVersions,
    });
  if (urlFlags.length === 0 && useConfig !== false && values['tlog-upload'] !== false)
    return selectServices(PUBLIC_GOOD_SIGNING_CONFIG, { rekorApiVersions });
  const defaults = selectServices(PUBLIC_GOOD_SIGNING_CONFIG, { rekorApiVersions: [1] });
  const rekorUrl = values['rekor-url'];
  const tsaUrl = values['timestamp-server-url'];
  return {
    fulcioUrl: given(values['fulcio-url']) ? values['fulcio-url'] : defaults.fulcioUrl,
    rekor: given(rekorUrl) ? [{ url: rekorUrl, apiVersion: 1 }] : defaults.rekor,
    tsaUrls: given(tsaUrl) ? [tsaUrl] : [],
  };
}

/**
 * Reads the Sigstore flags of a signing command (see the module comment for which services).
 * `classic`: some signature goes into a classic layer (so only Rekor v1 will do).
 *
 * @throws UsageError for flags cosign refuses together; SigningConfigError for a `--signing-config`
 * that is not one or lists no usable service; TrustedRootError for a `--trusted-root` that is not
 * one; a file system error for a file that cannot be read.
 */
export function signingServices(
  values: SigstoreFlagValues,
  io: CliIo,
  options: { readonly classic: boolean },
): SigningServices {
  const key = given(values.key) ? values.key : undefined;
  const selected = services(values, io, options.classic);
  const rootPath = values['trusted-root'];
  const trustedRoot = given(rootPath) ? parseTrustedRoot(readFileSync(resolve(io.cwd, rootPath))) : undefined;
  const warnings: string[] = [];
  const [log, ...moreLogs] = values['tlog-upload'] === false ? [] : selected.rekor;
  if (log !== undefined && moreLogs.length > 0)
    warnings.push(
      `the signing config selects ${moreLogs.length + 1} transparency logs; ocisign logs each signature to one, ${log.url}`,
    );
  const [tsaUrl, ...moreTsas] = selected.tsaUrls;
  if (tsaUrl !== undefined && moreTsas.length > 0)
    warnings.push(
      `the signing config selects ${moreTsas.length + 1} timestamp authorities; ocisign stamps each signature at one, ${tsaUrl}`,
    );
  if (key === undefined && log === undefined && tsaUrl === undefined)
    warnings.push(
      'a keyless signature with neither a transparency-log entry nor a timestamp stops verifying when its certificate expires (Fulcio certificates live 10 minutes)',
    );
  if (key !== undefined)
    for (const flag of ['fulcio-url', 'identity-token'] as const)
      if (given(values[flag])) warnings.push(`--${flag} is ignored with --key (it is for keyless signing)`);
  if (given(values['oidc-issuer'])) warnings.push(`--oidc-issuer is ignored: ${NO_OIDC_FLOW}`);
  return {
    evidence: {
      ...(log === undefined ? {} : { tlog: { rekorUrl: log.url, apiVersion: log.apiVersion } }),
      ...(tsaUrl === undefined ? {} : { timestamp: { url: tsaUrl } }),
      ...(trustedRoot === undefined ? {} : { trustedRoot }),
    },
    key,
    fulcioUrl: selected.fulcioUrl,
    trustedRoot,
    warnings,
    notice:
      log === undefined || values.yes === true
        ? undefined
        : `Note: each signature is logged at ${log.url}; transparency-log entries are public and cannot be deleted (--tlog-upload=false signs without; -y hides this note).`,
  };
}

/**
 * Where keyless signing gets its identity token: `--identity-token` (a token, or the path of a
 * file holding one, as cosign reads it), else `SIGSTORE_ID_TOKEN` or the GitHub Actions token
 * endpoint from the command's environment.
 */
export function identityTokenSource(values: SigstoreFlagValues, io: CliIo): IdentityTokenSource {
  const flag = values['identity-token'];
  if (given(flag)) {
    const path = resolve(io.cwd, flag);
    if (existsSync(path) && statSync(path).isFile()) return readFileSync(path, 'utf8').trim();
    return flag;
  }
  return (options) =>
    identityTokenFromEnvironment({
      env: io.env,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
}

/**
 * The signer of a signing command: `--key` loaded (context.ts), or keyless — an ephemeral key
 * certified by Fulcio for the identity token, its certificates checked against `--trusted-root`
 * when given (else the shipped public-good root for the public CA).
 */
export function commandSigner(
  plan: SigningServices,
  values: SigstoreFlagValues,
  io: CliIo,
  signal: AbortSignal,
): Promise<Signer> {
  if (plan.key !== undefined) return loadSigner(plan.key, io, signal);
  return fulcioSigner({
    ...(plan.fulcioUrl === undefined ? {} : { fulcioUrl: plan.fulcioUrl }),
    identityToken: identityTokenSource(values, io),
    ...(plan.trustedRoot === undefined ? {} : { trustedRoot: plan.trustedRoot }),
    signal,
  });
}

/**
 * Runs one image's signing and says, in the one line the CLI prints, what a service failure means
 * for it: nothing was stored for the signature that needed the service. A service's own deadline
 * (not `--timeout`) is told apart from the command's.
 */
export async function explainServiceFailure<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const unstored = 'the signature was not stored';
    if (error instanceof RekorUnavailableError)
      throw new RekorUnavailableError(
        `${error.message}; ${unstored} (--tlog-upload=false signs without a transparency log)`,
        { status: error.status, cause: error },
      );
    if (error instanceof TsaUnavailableError)
      throw new TsaUnavailableError(`${error.message}; ${unstored}`, { status: error.status, cause: error });
    // The command's own deadline is run.ts's to explain; a service's shorter one is said here.
    if (error instanceof OperationTimeoutError && !signal.aborted)
      throw new OperationTimeoutError(`${error.message} (the service's own deadline); ${unstored}`);
    throw error;
  }
}
