/**
 * `createFulcio()`: a Fulcio-compatible certificate authority for tests, with its own CT log and
 * OIDC token issuer, as one {@link ServiceHandler} to serve with `serveOnLoopback` (alone or beside
 * the other Sigstore doubles). It speaks Fulcio's v2 HTTP API exactly enough for sigstore-js and
 * cosign (`fulcio-api.ts`), issues certificates with Fulcio's extensions for the claims of the
 * tokens it issues (`principal.ts`, `extensions.ts`), each with an SCT embedded from its CT log
 * (`ct-log.ts`), and can be made to fail (`faults.ts`). A test double, not a CA: keys live in
 * memory and die with it.
 */
import { InvalidArgumentError } from '../../../errors/base.js';
import type { ServiceHandler } from '../service.js';
import { type CertificateAuthorityOptions, createCertificateAuthority } from './ca.js';
import { createCtLog } from './ct-log.js';
import { createFulcioFaults, type FulcioFaults } from './faults.js';
import { fulcioApi } from './fulcio-api.js';
import { createOidcIssuer, type OidcIssuer } from './oidc.js';
import type { OidcIssuerConfig } from './principal.js';
import { type IssueTokenRequest, tokenClaims } from './token-claims.js';

export type { CertificateAuthorityOptions } from './ca.js';
export type { FulcioFault, FulcioFaults } from './faults.js';
export { FULCIO_FAULTS } from './faults.js';
export type { OidcIssuer, TokenCheck } from './oidc.js';
export { createOidcIssuer, TokenError } from './oidc.js';
export type { OidcIssuerConfig } from './principal.js';
export type { IssueTokenRequest } from './token-claims.js';
export { FULCIO_AUDIENCE } from './token-claims.js';

/** Ten minutes, as Fulcio's certificates live (fulcio `pkg/ca/common.go`). */
export const DEFAULT_CERTIFICATE_LIFETIME_MS = 10 * 60 * 1000;

/** The issuers accepted unless told otherwise: GitHub Actions and Google accounts, as the public instance. */
export const DEFAULT_OIDC_ISSUERS: Readonly<Record<string, OidcIssuerConfig>> = Object.freeze({
  'https://token.actions.githubusercontent.com': { type: 'github-workflow' },
  'https://accounts.google.com': { type: 'email' },
});

/** Options of {@link createFulcio}. */
export interface CreateFulcioOptions {
  /** The OIDC issuers accepted, by issuer URL (default {@link DEFAULT_OIDC_ISSUERS}; this replaces it). */
  readonly issuers?: Readonly<Record<string, OidcIssuerConfig>>;
  /** How long certificates live (default {@link DEFAULT_CERTIFICATE_LIFETIME_MS}). */
  readonly certificateLifetimeMs?: number;
  /** The clock of certificates, SCTs and tokens (default: the system clock). */
  readonly now?: () => Date;
  /** The token issuer (default: a new one); share one to have several doubles accept its tokens. */
  readonly oidcIssuer?: OidcIssuer;
  /** Names and validity of the CA certificates. */
  readonly ca?: CertificateAuthorityOptions;
}

/** A Fulcio double: its handler, token issuer, and the public material a trusted root needs. */
export interface TestFulcio {
  /** Answers `/api/v2/signingCert`, `/api/v2/trustBundle` and `/api/v2/configuration`. */
  readonly handler: ServiceHandler;
  /**
   * A signed identity token (ES256) for `subject` from `issuer`: `aud` `sigstore`, `iat`, `exp`, and
   * for the issuer's type `email`/`email_verified` or the GitHub Actions claims (`workflow`,
   * `job_workflow_ref`, `repository`, `sha`, `ref`, `event_name`, …), which `claims` extends or
   * overrides. Throws InvalidArgumentError for a request that is not one.
   */
  issueToken(request: IssueTokenRequest): string;
  /** The CA chain, PEM: the intermediate that issues certificates, then the root. */
  readonly caChainPem: string;
  /** The CT log's public key, PEM (its log ID is the SHA-256 of the key's DER). */
  readonly ctLogPublicKeyPem: string;
  /** Faults to inject. */
  readonly faults: FulcioFaults;
  /** Requests received per API path (`/api/v2/signingCert`, …), answered or not. */
  readonly calls: Readonly<Record<string, number>>;
  /** The issuer of the tokens accepted. */
  readonly oidcIssuer: OidcIssuer;
}

/** Creates a Fulcio double with a fresh CA, CT log and (unless given) token issuer. */
export function createFulcio(options: CreateFulcioOptions = {}): TestFulcio {
  const now = options.now ?? (() => new Date());
  const issuers = options.issuers ?? DEFAULT_OIDC_ISSUERS;
  const certificateLifetimeMs = options.certificateLifetimeMs ?? DEFAULT_CERTIFICATE_LIFETIME_MS;
  if (!Number.isFinite(certificateLifetimeMs) || certificateLifetimeMs < 0)
    throw new InvalidArgumentError('certificateLifetimeMs must be a non-negative number of milliseconds');
  const oidcIssuer = options.oidcIssuer ?? createOidcIssuer();
  const ca = createCertificateAuthority(now(), options.ca);
  const ctLog = createCtLog();
  const faults = createFulcioFaults();
  // No prototype: a path such as `/toString` counts as data.
  const calls: Record<string, number> = Object.create(null);
  return {
    handler: fulcioApi({ ca, ctLog, oidc: oidcIssuer, issuers, faults, now, certificateLifetimeMs, calls }),
    issueToken: (request) =>
      oidcIssuer.sign(
        tokenClaims(
          request,
          Object.hasOwn(issuers, request?.issuer) ? issuers[request.issuer] : undefined,
          now(),
        ),
      ),
    caChainPem: ca.intermediate.pem + ca.root.pem,
    ctLogPublicKeyPem: ctLog.publicKeyPem,
    faults: faults.switch,
    calls,
    oidcIssuer,
  };
}
