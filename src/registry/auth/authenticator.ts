/**
 * Turns a registry's `401` challenge into an `Authorization` header, and remembers it: Basic
 * credentials once the registry asked for them, Bearer tokens per (registry, scope) until they
 * expire. Once a registry's token realm is known, tokens for new scopes are fetched up front, so a
 * warm client spends no round trip on a 401.
 *
 * Credentials go to the registry and to the token realm it names, nowhere else, and never over plain
 * HTTP to a host that is not loopback or explicitly insecure. (The client asks only for challenges
 * that its registry's own origin sent: a redirect target's 401 never reaches here.) Every secret
 * used or received is handed to a {@link SecretRedactor}, so errors built from responses can be
 * scrubbed of it. Token responses and credential providers' answers are validated with a schema.
 */
import { InvalidArgumentError } from '../../errors/base.js';
import { RegistryAuthError, RegistryResponseError } from '../../errors/registry.js';
import { untilAborted } from '../../internal/abort.js';
import {
  nonEmptyString,
  number,
  object,
  oneOf,
  optionalOrNull,
  readShape,
  refine,
  string,
} from '../../internal/shape.js';
import { malformed, parseJson } from '../documents.js';
import { SecretRedactor } from '../redact.js';
import { type HttpResponse, parseUrl, readBody, redactUrl, type Transport } from '../transport/http.js';
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
/** Largest token response read (tokens are a few KiB). */
const TOKEN_RESPONSE_LIMIT = 1024 * 1024;

/** A token as it goes into a header: visible ASCII, no spaces (RFC 6750 b64token is stricter). */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
const headerToken = refine(nonEmptyString, (t) =>
  VISIBLE_ASCII.test(t) ? undefined : 'visible ASCII characters without spaces (it goes into a header)',
);

/** The distribution token response (go-containerregistry's `tokenResponse`). */
const tokenResponseShape = object(
  {
    token: optionalOrNull(string),
    access_token: optionalOrNull(string),
    refresh_token: optionalOrNull(string),
    expires_in: optionalOrNull(number),
  },
  'a token response object',
);

const credentialsShape = oneOf(
  object({ username: string, password: string }, '{ username, password } (strings)'),
  object({ identityToken: nonEmptyString }, '{ identityToken }'),
  object({ registryToken: headerToken }, '{ registryToken } (a token of visible ASCII)'),
);

/**
 * Reads a token service's answer: the bearer token (`token`, else `access_token`), its lifetime in
 * seconds (default 60), and a refresh token if one came. RegistryResponseError for anything else.
 */
export function parseTokenResponse(
  body: Uint8Array,
  host: string,
): { token: string; expiresInSeconds: number; refreshToken?: string } {
  const what = `The token service for ${host}`;
  const doc = readShape(
    parseJson(body, `${what}'s answer`),
    tokenResponseShape,
    `${what} answered`,
    malformed,
  );
  const token = doc.token !== undefined && doc.token !== '' ? doc.token : doc.access_token;
  if (token === undefined || token === '')
    throw new RegistryResponseError(`${what} answered without a token`);
  if (!VISIBLE_ASCII.test(token))
    throw new RegistryResponseError(`${what} answered a token with characters that cannot go into a header`);
  const seconds =
    doc.expires_in !== undefined && doc.expires_in > 0
      ? Math.min(doc.expires_in, 86_400 * 366)
      : DEFAULT_TOKEN_SECONDS;
  return {
    token,
    expiresInSeconds: seconds,
    ...(doc.refresh_token === undefined ? {} : { refreshToken: doc.refresh_token }),
  };
}

/** What an {@link Authenticator} needs: the transport, where credentials come from, the plain-HTTP rule. */
export interface AuthenticatorOptions {
  readonly transport: Transport;
  readonly credentials?: CredentialProvider | undefined;
  /** Whether plain HTTP may carry credentials to this host (loopback or listed insecure). */
  readonly allowsPlainHttp: (host: string) => boolean;
  readonly now?: () => number;
  /** Deadline for a whole token response (see RegistryClientOptions.documentTimeoutMs). */
  readonly deadlineMs?: number | undefined;
}

/** Authorization state for every registry one client talks to; see the module comment. */
export class Authenticator {
  /** Every secret this client has used or received, for scrubbing messages built from responses. */
  readonly redactor = new SecretRedactor();
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

  /**
   * The credentials for `host`, looked up once and shared by concurrent requests — so the lookup
   * runs without any one caller's signal (a credential helper has its own timeout), and each
   * caller stops waiting when its own signal fires.
   */
  #lookup(host: string, signal?: AbortSignal): Promise<Credentials | undefined> {
    let found = this.#credentials.get(host);
    if (found === undefined) {
      const provider = this.#options.credentials;
      found = Promise.resolve()
        .then(() => provider?.credentials(host))
        .then((credentials) => this.#checked(host, credentials));
      this.#credentials.set(host, found);
      found.catch(() => this.#credentials.delete(host));
    }
    return untilAborted(found, signal, `Looking up credentials for ${host}`);
  }

  /** A provider's answer, validated and its secrets remembered for scrubbing. */
  #checked(host: string, credentials: unknown): Credentials | undefined {
    if (credentials === undefined) return undefined;
    const valid: Credentials = readShape(
      credentials,
      credentialsShape,
      `The credential provider's answer for ${host}`,
      (message, cause) => new InvalidArgumentError(message, { cause }),
    );
    if ('username' in valid) this.redactor.addBasic(valid.username, valid.password);
    else if ('identityToken' in valid) this.redactor.add(valid.identityToken, true);
    else this.redactor.add(valid.registryToken, true);
    return valid;
  }

  /**
   * The header to send before any challenge, if we already know what this registry wants. Known
   * without waiting (a registry that never asked, a cached token) it is returned as is, not as a
   * promise: most requests of a warm client take this path, and an `await` costs each of them.
   */
  authorization(
    host: string,
    scopes: readonly string[],
    signal?: AbortSignal,
  ): string | undefined | Promise<string | undefined> {
    const state = this.#states.get(host);
    if (state?.scheme === 'basic') return this.#basicAuthorization(host, signal);
    if (state?.scheme === 'bearer') {
      const cached = this.#tokens.get(tokenKey(host, scopes));
      if (cached !== undefined && cached.expiresAt > this.#now()) return cached.authorization;
      return this.#fetchToken(host, state, scopes, signal);
    }
    return undefined;
  }

  async #basicAuthorization(host: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    const credentials = await this.#lookup(host, signal);
    return credentials !== undefined && 'username' in credentials
      ? basicAuthorization(credentials)
      : undefined;
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
    // Several WWW-Authenticate headers are one list of challenges.
    const raw = response.headers['www-authenticate'];
    const challenges = parseChallenges(Array.isArray(raw) ? raw.join(', ') : raw);
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
    const realm = parseUrl(realmText);
    if (realm === undefined || (realm.protocol !== 'https:' && realm.protocol !== 'http:')) {
      throw new RegistryResponseError(`${host} sent a Bearer challenge whose realm is not an http(s) URL`, {
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
      deadlineMs: this.#options.deadlineMs,
      what: `Token request for ${host} (${redactUrl(realm)})`,
    });
    const body = await readBody(response, TOKEN_RESPONSE_LIMIT, `The token response for ${host}`);
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
    const answer = parseTokenResponse(body, host);
    this.redactor.add(answer.token);
    this.redactor.add(answer.refreshToken);
    const authorization = `Bearer ${answer.token}`;
    this.#tokens.set(tokenKey(host, scopes), {
      authorization,
      expiresAt: this.#now() + Math.max(0, answer.expiresInSeconds * 1000 - EXPIRY_SKEW_MS),
    });
    return authorization;
  }
}

function tokenKey(host: string, scopes: readonly string[]): string {
  return `${host} ${[...scopes].sort().join(' ')}`;
}
