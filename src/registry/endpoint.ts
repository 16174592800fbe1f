/**
 * Where requests for a registry host go: a configured mirror, else `https://host` — or `http://host`
 * for loopback hosts and hosts the caller lists as insecure. Names, scopes and credentials lookups
 * keep the original registry host when a mirror is used only for routing; credentials are looked up
 * for the host the request is actually sent to, so they never leave for a mirror by accident.
 */
import { InvalidArgumentError } from '../errors/base.js';

export interface EndpointOptions {
  /** Registry host → base URL, e.g. `{ 'ghcr.io': 'http://127.0.0.1:5000' }`. */
  readonly mirrors?: Readonly<Record<string, string>>;
  /** Hosts (host[:port]) that may be reached over plain HTTP. Loopback hosts always may. */
  readonly insecureRegistries?: readonly string[];
}

export interface Endpoint {
  /** e.g. `https://ghcr.io` or `http://127.0.0.1:5000`, without trailing slash. */
  readonly baseUrl: URL;
  /** host[:port] that receives the requests, and the key for credentials and tokens. */
  readonly host: string;
  /** `<origin><base path>/v2/`, what every API URL starts with. */
  readonly apiBase: string;
  /** `baseUrl.origin`, computed once (a URL getter builds a new string on every read). */
  readonly origin: string;
}

export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** Endpoints remembered per client (a URL parse per request is measurable); past this, forget them all. */
const MAX_CACHED_ENDPOINTS = 256;

export class Endpoints {
  readonly #mirrors = new Map<string, URL>();
  readonly #insecure: ReadonlySet<string>;
  readonly #cache = new Map<string, Endpoint>();

  constructor(options: EndpointOptions = {}) {
    this.#insecure = new Set(options.insecureRegistries ?? []);
    for (const [host, base] of Object.entries(options.mirrors ?? {})) {
      let url: URL;
      try {
        url = new URL(base);
      } catch {
        // Not echoed: a mistyped mirror may hold credentials.
        throw new InvalidArgumentError(`mirrors["${host}"] must be a URL such as https://mirror.example`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        throw new InvalidArgumentError(`mirrors["${host}"] must be an http(s) URL`);
      if (url.username !== '' || url.password !== '') {
        throw new InvalidArgumentError(
          `mirrors["${host}"] has credentials in its URL; give them in \`credentials\` for ${url.host} instead`,
        );
      }
      if (url.protocol === 'http:' && !this.allowsPlainHttp(url.host)) {
        throw new InvalidArgumentError(
          `mirrors["${host}"] uses plain HTTP to ${url.host}; list that host in insecureRegistries to allow it`,
        );
      }
      this.#mirrors.set(host, url);
    }
  }

  allowsPlainHttp(host: string): boolean {
    return isLoopbackHost(host) || this.#insecure.has(host);
  }

  /** Where requests for `registry` go. The same object for the same registry (callers never change it). */
  for(registry: string): Endpoint {
    const cached = this.#cache.get(registry);
    if (cached !== undefined) return cached;
    const mirror = this.#mirrors.get(registry);
    const baseUrl = mirror ?? new URL(`${this.allowsPlainHttp(registry) ? 'http' : 'https'}://${registry}`);
    const origin = baseUrl.origin;
    const endpoint: Endpoint = {
      baseUrl,
      host: mirror?.host ?? registry,
      apiBase: `${origin}${baseUrl.pathname.replace(/\/$/, '')}/v2/`,
      origin,
    };
    if (this.#cache.size >= MAX_CACHED_ENDPOINTS) this.#cache.clear();
    this.#cache.set(registry, endpoint);
    return endpoint;
  }
}

/** `<base>/v2/<repository>/<path>` with the base's own path prefix kept. */
export function apiUrl(endpoint: Endpoint, repository: string, path: string): URL {
  return new URL(`${endpoint.apiBase}${repository}/${path}`);
}
