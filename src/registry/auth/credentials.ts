/**
 * Credentials for registries and where they come from: static values, a provider function, or the
 * Docker config (see docker-config.ts). A provider answers for one registry host at a time, so
 * token-vending providers (ECR, GAR, ACR) plug in without changing the client.
 */

/** What a registry login can be. */
export type Credentials =
  | { readonly username: string; readonly password: string }
  /** An OAuth2 refresh token (Docker's `identitytoken`), exchanged at the token endpoint. */
  | { readonly identityToken: string }
  /** A bearer token sent as is (Docker's `registrytoken`). */
  | { readonly registryToken: string };

/** Looks up credentials for a registry host (`ghcr.io`, `127.0.0.1:5000`, `index.docker.io`). */
export interface CredentialProvider {
  /** Credentials for `registry` (a host), or undefined for anonymous access. */
  credentials(registry: string, options?: { signal?: AbortSignal }): Promise<Credentials | undefined>;
}

/** A provider over a fixed map of host → credentials (exact host match). */
export function staticCredentials(map: Readonly<Record<string, Credentials>>): CredentialProvider {
  return {
    async credentials(registry) {
      return Object.hasOwn(map, registry) ? map[registry] : undefined;
    },
  };
}

/** Tries providers in order; the first that has credentials for the host wins. */
export function chainCredentials(...providers: CredentialProvider[]): CredentialProvider {
  return {
    async credentials(registry, options) {
      for (const provider of providers) {
        const found = await provider.credentials(registry, options);
        if (found !== undefined) return found;
      }
      return undefined;
    },
  };
}

/** `Basic` header value for username/password credentials. */
export function basicAuthorization(credentials: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}
