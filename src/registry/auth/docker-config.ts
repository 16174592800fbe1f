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
import type { CredentialProvider, Credentials } from './credentials.js';

interface DockerConfigFile {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }
  >;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

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

function runHelper(
  name: string,
  serverUrl: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Credentials | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    return Promise.reject(
      new RegistryAuthError(`Docker config names an invalid credential helper "${name}"`),
    );
  }
  return new Promise((resolve, reject) => {
    const child = execFile(
      `docker-credential-${name}`,
      ['get'],
      { timeout: timeoutMs, maxBuffer: 1024 * 1024, ...(signal === undefined ? {} : { signal }) },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as { code?: unknown }).code;
          if (code === 'ENOENT') {
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
        try {
          const parsed = JSON.parse(stdout) as { Username?: string; Secret?: string };
          if (typeof parsed.Secret !== 'string' || parsed.Secret === '') resolve(undefined);
          else if (parsed.Username === '<token>') resolve({ identityToken: parsed.Secret });
          else resolve({ username: parsed.Username ?? '', password: parsed.Secret });
        } catch {
          reject(
            new RegistryAuthError(
              `Credential helper docker-credential-${name} printed something other than JSON for ${serverUrl}`,
            ),
          );
        }
      },
    );
    child.stdin?.end(serverUrl);
  });
}

function fromAuthEntry(entry: NonNullable<DockerConfigFile['auths']>[string]): Credentials | undefined {
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (entry.registrytoken) return { registryToken: entry.registrytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
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
      (text) => {
        try {
          return JSON.parse(text) as DockerConfigFile;
        } catch {
          throw new RegistryAuthError(`Docker config ${path} is not valid JSON`);
        }
      },
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
