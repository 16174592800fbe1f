/**
 * Turns a registry's `401` challenge into an `Authorization` header, and remembers it: Basic
 * credentials once the registry asked for them, Bearer tokens per (registry, scope) until they
 * expire. Once a registry's token realm is known, tokens for new scopes are fetched up front, so a
 * warm client spends no round trip on a 401.
 *
 * Credentials go to the registry and to the token realm it names, nowhere else, and never over plain
 * HTTP to a host that is not loopback or explicitly insecure.
 */
import { RegistryAuthError, RegistryResponseError } from '../../errors/registry.js';
import { fromUtf8 } from '../../internal/bytes.js';
import { type HttpResponse, header, readBody, redactUrl, type Transport } from '../transport/http.js';
import { type Challenge, parseChallenges } from './challenge.js';
import { basicAuthorization, type CredentialProvider, type Credentials } from './credentials.js';

interface RegistryAuthState {
  scheme?: 'basic' | 'bearer';
  realm?: URL;
  service?: string;
}

interface CachedToken {
  readonly authorization: string;
  readonly expiresAt: number;
}

/** Token lifetime when the server does not say (the distribution token spec's default). */
const DEFAULT_TOKEN_SECONDS = 60;
/** Renew this long before expiry so a token never dies in flight. */
const EXPIRY_SKEW_MS = 10_000;

export interface AuthenticatorOptions {
  readonly transport: Transport;
  readonly credentials?: CredentialProvider | undefined;
  /** Whether plain HTTP may carry credentials to this host (loopback or listed insecure). */
  readonly allowsPlainHttp: (host: string) => boolean;
  readonly now?: () => number;
}

export class Authenticator {
  readonly #options: AuthenticatorOptions;
  readonly #states = new Map<string, RegistryAuthState>();
  readonly #tokens = new Map<string, CachedToken>();
  readonly #credentials = new Map<string, Promise<Credentials | undefined>>();

  constructor(options: AuthenticatorOptions) {
    this.#options = options;
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  #lookup(host: string, signal?: AbortSignal): Promise<Credentials | undefined> {
    let found = this.#credentials.get(host);
    if (found === undefined) {
      found =
        this.#options.credentials?.credentials(host, signal === undefined ? {} : { signal }) ??
        Promise.resolve(undefined);
      this.#credentials.set(host, found);
      found.catch(() => this.#credentials.delete(host));
    }
    return found;
  }

  /** The header to send before any challenge, if we already know what this registry wants. */
  async authorization(
    host: string,
    scopes: readonly string[],
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const state = this.#states.get(host);
    if (state?.scheme === 'basic') {
      const credentials = await this.#lookup(host, signal);
      return credentials !== undefined && 'username' in credentials
        ? basicAuthorization(credentials)
        : undefined;
    }
    if (state?.scheme === 'bearer') {
      const cached = this.#tokens.get(tokenKey(host, scopes));
      if (cached !== undefined && cached.expiresAt > this.#now()) return cached.authorization;
      return this.#fetchToken(host, state, scopes, signal);
    }
    return undefined;
  }

  /**
   * Handles a 401: learns the scheme from `WWW-Authenticate` and returns the header to retry with,
   * or throws RegistryAuthError when no credentials can satisfy it.
   */
  async challenged(
    host: string,
    response: HttpResponse,
    scopes: readonly string[],
    signal?: AbortSignal,
  ): Promise<string> {
    const challenges = parseChallenges(header(response, 'www-authenticate'));
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (bearer !== undefined) {
      const state = this.#bearerState(host, bearer);
      this.#tokens.delete(tokenKey(host, scopes));
      return this.#fetchToken(host, state, scopes, signal);
    }
    if (basic !== undefined) {
      this.#states.set(host, { scheme: 'basic' });
      const credentials = await this.#lookup(host, signal);
      if (credentials === undefined || !('username' in credentials)) {
        throw new RegistryAuthError(
          `${host} requires a username and password (Basic auth); none are configured for it`,
          { status: 401 },
        );
      }
      return basicAuthorization(credentials);
    }
    throw new RegistryAuthError(`${host} answered 401 without a challenge we can answer (Basic or Bearer)`, {
      status: 401,
    });
  }

  /** Forgets what we cached for a host after the registry refused it (e.g. revoked credentials). */
  forget(host: string, scopes: readonly string[]): void {
    this.#tokens.delete(tokenKey(host, scopes));
    this.#credentials.delete(host);
  }

  #bearerState(host: string, challenge: Challenge): RegistryAuthState {
    const realmText = challenge.params.realm;
    if (realmText === undefined)
      throw new RegistryResponseError(`${host} sent a Bearer challenge without a realm`, { status: 401 });
    let realm: URL;
    try {
      realm = new URL(realmText);
    } catch {
      throw new RegistryResponseError(`${host} sent a Bearer challenge whose realm is not a URL`, {
        status: 401,
      });
    }
    if (
      realm.protocol !== 'https:' &&
      !(realm.protocol === 'http:' && this.#options.allowsPlainHttp(realm.host))
    ) {
      throw new RegistryAuthError(
        `${host} names token realm ${redactUrl(realm)}: refusing plain HTTP to a host that is neither loopback nor listed in insecureRegistries`,
      );
    }
    const state: RegistryAuthState = {
      scheme: 'bearer',
      realm,
      ...(challenge.params.service === undefined ? {} : { service: challenge.params.service }),
    };
    this.#states.set(host, state);
    return state;
  }

  async #fetchToken(
    host: string,
    state: RegistryAuthState,
    scopes: readonly string[],
    signal?: AbortSignal,
  ): Promise<string> {
    const credentials = await this.#lookup(host, signal);
    if (credentials !== undefined && 'registryToken' in credentials)
      return `Bearer ${credentials.registryToken}`;
    const realm = state.realm as URL;
    const url = new URL(realm);
    const form = new URLSearchParams();
    const headers: Record<string, string> = {};
    let method: 'GET' | 'POST' = 'GET';
    if (credentials !== undefined && 'identityToken' in credentials) {
      method = 'POST';
      form.set('grant_type', 'refresh_token');
      form.set('refresh_token', credentials.identityToken);
      form.set('client_id', 'ocisign');
      if (state.service !== undefined) form.set('service', state.service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      if (state.service !== undefined) url.searchParams.set('service', state.service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      if (credentials !== undefined && 'username' in credentials)
        headers.authorization = basicAuthorization(credentials);
    }
    const response = await this.#options.transport.send({
      method,
      url,
      headers,
      ...(method === 'POST' ? { body: new TextEncoder().encode(form.toString()) } : {}),
      signal,
      idempotent: true,
      followRedirects: false,
    });
    const body = await readBody(response, 1024 * 1024, 'token response');
    if (response.status === 401 || response.status === 403) {
      throw new RegistryAuthError(
        `The token service for ${host} refused ${credentials === undefined ? 'anonymous access' : 'the configured credentials'} (HTTP ${response.status})`,
        { status: response.status },
      );
    }
    if (response.status !== 200) {
      throw new RegistryResponseError(`The token service for ${host} answered HTTP ${response.status}`, {
        status: response.status,
      });
    }
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(fromUtf8(body));
    } catch {
      throw new RegistryResponseError(`The token service for ${host} did not answer JSON`);
    }
    const token =
      typeof parsed.token === 'string' && parsed.token !== '' ? parsed.token : parsed.access_token;
    if (typeof token !== 'string' || token === '')
      throw new RegistryResponseError(`The token service for ${host} answered without a token`);
    const seconds =
      typeof parsed.expires_in === 'number' && parsed.expires_in > 0
        ? parsed.expires_in
        : DEFAULT_TOKEN_SECONDS;
    const authorization = `Bearer ${token}`;
    this.#tokens.set(tokenKey(host, scopes), {
      authorization,
      expiresAt: this.#now() + Math.max(0, seconds * 1000 - EXPIRY_SKEW_MS),
    });
    return authorization;
  }
}

function tokenKey(host: string, scopes: readonly string[]): string {
  return `${host} ${[...scopes].sort().join(' ')}`;
}
