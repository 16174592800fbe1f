/**
 * Credentials from Docker's config.json, as the docker CLI resolves them: `credHelpers[host]`, else
 * `credsStore`, else `auths` — with exact host matching (keys may be URLs such as
 * `https://index.docker.io/v1/`; only their host part is compared). Helpers run as
 * `docker-credential-<name> get` with the server URL on stdin.
 *
 * Reads files and runs helpers only when asked for a host, never at construction, and never logs
 * or embeds a secret in an error.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RegistryAuthError } from '../../errors/registry.js';
import { abortError } from '../../internal/abort.js';
import { fromBase64, fromUtf8 } from '../../internal/bytes.js';
import { type Infer, object, optionalOrNull, readShape, record, string } from '../../internal/shape.js';
import type { CredentialProvider, Credentials } from './credentials.js';

/** One `auths` entry. A `null` entry (Go reads it as empty) is no credentials. */
const authEntryShape = object({
  auth: optionalOrNull(string),
  username: optionalOrNull(string),
  password: optionalOrNull(string),
  identitytoken: optionalOrNull(string),
  registrytoken: optionalOrNull(string),
});

/** The parts of config.json we read; everything else (proxies, aliases, …) is ignored. */
const dockerConfigShape = object(
  {
    auths: optionalOrNull(record(optionalOrNull(authEntryShape))),
    credsStore: optionalOrNull(string),
    credHelpers: optionalOrNull(record(string)),
  },
  'a JSON object',
);

type DockerConfigFile = Infer<typeof dockerConfigShape>;
type AuthEntry = Infer<typeof authEntryShape>;

/**
 * Parses and validates a Docker config.json's text. RegistryAuthError (naming the file and the
 * field, never a value: the file holds secrets) when it is not JSON or a member has the wrong type.
 */
export function parseDockerConfig(text: string, path: string): DockerConfigFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new RegistryAuthError(`Docker config ${path} is not valid JSON`);
  }
  return readShape(
    doc,
    dockerConfigShape,
    `Docker config ${path}`,
    (message, cause) => new RegistryAuthError(message, { cause }),
  );
}

/** What a credential helper prints for `get`. */
const helperOutputShape = object(
  { Username: optionalOrNull(string), Secret: optionalOrNull(string) },
  'a JSON object',
);

/** Where the Docker config lives: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function defaultDockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/** The host part of a config key: `https://index.docker.io/v1/` → `index.docker.io`. */
export function configKeyHost(key: string): string {
  let host = key.replace(/^https?:\/\//, '');
  const slash = host.indexOf('/');
  if (slash >= 0) host = host.slice(0, slash);
  return host;
}

/** Docker Hub is stored under its legacy URL; other hosts under their name. */
export function serverUrlFor(registry: string): string {
  return registry === 'index.docker.io' || registry === 'docker.io'
    ? 'https://index.docker.io/v1/'
    : registry;
}

function hostsMatch(key: string, registry: string): boolean {
  const host = configKeyHost(key);
  if (registry === 'index.docker.io')
    return host === 'index.docker.io' || host === 'docker.io' || host === 'registry-1.docker.io';
  return host === registry;
}

/**
 * Where to read Docker credentials: the `config.json` path (default `$DOCKER_CONFIG` or
 * `~/.docker`) and the environment.
 */
export interface DockerConfigOptions {
  /** config.json path, or its directory. Default: `$DOCKER_CONFIG` or `~/.docker`. */
  readonly path?: string;
  /** Time allowed for a credential helper. Default 10 000 ms. */
  readonly helperTimeoutMs?: number;
}

/**
 * Most bytes read from each of a credential helper's stdout and stderr (1 MiB): its answer is one
 * small JSON object (a username and a secret, a token of a few KiB); a helper that writes more is
 * broken, and is refused rather than buffered.
 */
const HELPER_OUTPUT_LIMIT = 1024 * 1024;

function runHelper(
  name: string,
  serverUrl: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Credentials | undefined> {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) {
    return Promise.reject(
      new RegistryAuthError('Docker config names an invalid credential helper (letters, digits, . _ - only)'),
    );
  }
  if (signal?.aborted)
    return Promise.reject(abortError(signal, `Credential helper docker-credential-${name}`));
  return new Promise((resolve, reject) => {
    const child = execFile(
      `docker-credential-${name}`,
      ['get'],
      { timeout: timeoutMs, maxBuffer: HELPER_OUTPUT_LIMIT, ...(signal === undefined ? {} : { signal }) },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as { code?: unknown }).code;
          if (signal?.aborted) {
            reject(abortError(signal, `Credential helper docker-credential-${name}`));
          } else if (code === 'ENOENT') {
            reject(
              new RegistryAuthError(
                `Docker config names credential helper "${name}", but docker-credential-${name} is not on PATH`,
              ),
            );
          } else if (/credentials not found/i.test(`${stdout}${stderr}`)) {
            // No login stored for this host: go anonymous, as docker does.
            resolve(undefined);
          } else {
            reject(
              new RegistryAuthError(
                `Credential helper docker-credential-${name} failed for ${serverUrl} (exit ${String(code)})`,
              ),
            );
          }
          return;
        }
        let parsed: Infer<typeof helperOutputShape>;
        try {
          parsed = helperOutputShape.check(JSON.parse(stdout), '');
        } catch {
          reject(
            new RegistryAuthError(
              `Credential helper docker-credential-${name} printed something other than {"Username","Secret"} JSON for ${serverUrl}`,
            ),
          );
          return;
        }
        if (parsed.Secret === undefined || parsed.Secret === '') resolve(undefined);
        else if (parsed.Username === '<token>') resolve({ identityToken: parsed.Secret });
        else resolve({ username: parsed.Username ?? '', password: parsed.Secret });
      },
    );
    child.stdin?.end(serverUrl);
  });
}

function fromAuthEntry(entry: AuthEntry): Credentials | undefined {
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (entry.registrytoken) return { registryToken: entry.registrytoken };
  if (entry.auth) {
    const bytes = fromBase64(entry.auth);
    const decoded = bytes === undefined ? '' : fromUtf8(bytes);
    const colon = decoded.indexOf(':');
    if (colon < 0)
      throw new RegistryAuthError('A Docker config "auth" entry is not base64 of "user:password"');
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username !== undefined && entry.password !== undefined)
    return { username: entry.username, password: entry.password };
  return undefined;
}

/** A CredentialProvider over Docker's config.json and its credential helpers. */
export function dockerConfigCredentials(options: DockerConfigOptions = {}): CredentialProvider {
  const path =
    options.path === undefined
      ? defaultDockerConfigPath()
      : options.path.endsWith('.json')
        ? options.path
        : join(options.path, 'config.json');
  let loaded: Promise<DockerConfigFile | undefined> | undefined;
  const load = () => {
    loaded ??= readFile(path, 'utf8').then(
      (text) => parseDockerConfig(text, path),
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw new RegistryAuthError(`Cannot read Docker config ${path}: ${error.code ?? error.message}`);
      },
    );
    return loaded;
  };
  return {
    async credentials(registry, callOptions) {
      const config = await load();
      if (config === undefined) return undefined;
      const timeout = options.helperTimeoutMs ?? 10_000;
      const helper = Object.entries(config.credHelpers ?? {}).find(([key]) => hostsMatch(key, registry))?.[1];
      if (helper !== undefined)
        return runHelper(helper, serverUrlFor(registry), timeout, callOptions?.signal);
      if (config.credsStore !== undefined && config.credsStore !== '') {
        return runHelper(config.credsStore, serverUrlFor(registry), timeout, callOptions?.signal);
      }
      const entry = Object.entries(config.auths ?? {}).find(([key]) => hostsMatch(key, registry))?.[1];
      return entry === undefined ? undefined : fromAuthEntry(entry);
    },
  };
}
