/**
 * cosign's registry flags on `sign` and `attest` (cosign v3.1.2 `cmd/cosign/cli/options/registry.go`):
 * basic or bearer credentials and a CA certificate for the registry connection, onto a
 * `RegistryClient`; the flags it has no counterpart for are refused by name. Credentials given
 * here are sent to the registries the command talks to, as cosign sends them, and never printed.
 *
 * Deliberately not here: `--allow-insecure-registry` / `--allow-http-registry` (every command's,
 * args.ts), the Docker config (the registry client reads it).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import type { Credentials, RegistryClientOptions } from '../registry/index.js';
import type { RefusedFlags } from './args.js';
import { UsageError } from './exit-codes.js';
import type { CliIo } from './io.js';

/** cosign's registry flags that ocisign takes. */
export const REGISTRY_OPTIONS = {
  'registry-username': { type: 'string' },
  'registry-password': { type: 'string' },
  'registry-token': { type: 'string' },
  'registry-cacert': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

const NO_MTLS = 'ocisign connects to registries without client certificates (mTLS)';

/** cosign's registry flags that ocisign does not take, with why. */
export const REFUSED_REGISTRY_FLAGS: RefusedFlags = {
  'k8s-keychain':
    'ocisign reads registry credentials from the Docker config (DOCKER_CONFIG, with its credential helpers such as docker-credential-ecr-login) or --registry-username/--registry-password/--registry-token',
  'registry-client-cert': NO_MTLS,
  'registry-client-key': NO_MTLS,
  'registry-server-name': NO_MTLS,
  'registry-referrers-mode':
    'ocisign stores classic signatures under cosign’s tags; --format bundle stores OCI 1.1 referrers',
  'attachment-tag-prefix': 'ocisign stores signatures under cosign’s default tags (sha256-<hex>.sig)',
};

/** The values this module reads. */
export interface RegistryFlagValues {
  readonly 'registry-username'?: string;
  readonly 'registry-password'?: string;
  readonly 'registry-token'?: string;
  readonly 'registry-cacert'?: string;
  readonly 'allow-insecure-registry'?: boolean;
  readonly 'allow-http-registry'?: boolean;
}

const given = (value: string | undefined): value is string => value !== undefined && value !== '';

/** The credentials the flags give; undefined when they give none. */
function flagCredentials(values: RegistryFlagValues): Credentials | undefined {
  const username = values['registry-username'];
  const password = values['registry-password'];
  const token = values['registry-token'];
  if (given(username) !== given(password))
    throw new UsageError('--registry-username and --registry-password go together');
  if (given(token) && given(username))
    throw new UsageError('give --registry-token or --registry-username/--registry-password, not both');
  if (given(username) && given(password)) return { username, password };
  return given(token) ? { registryToken: token } : undefined;
}

/**
 * The registry client options the registry flags ask for, or none: the flags' credentials answer
 * for every registry the command reaches, ahead of the Docker config, as cosign's
 * `remote.WithAuth`; `--registry-cacert` adds a CA. The command context (`context.ts`) makes the
 * one client with them, and with its `--allow-insecure-registry` hosts.
 *
 * @throws UsageError for credential flags that do not go together; a file system error when the
 * CA file cannot be read.
 */
export function registryFlagOptions(values: RegistryFlagValues, io: CliIo): RegistryClientOptions {
  const credentials = flagCredentials(values);
  const caPath = values['registry-cacert'];
  return {
    ...(credentials === undefined ? {} : { credentials: { credentials: async () => credentials } }),
    ...(given(caPath) ? { ca: readFileSync(resolve(io.cwd, caPath), 'utf8') } : {}),
  };
}
