/**
 * `startSigstore()`: a whole Sigstore instance on loopback for tests — the Fulcio double (with its
 * CT log and OIDC token issuer), the Rekor double (v1 REST API and v2 rekor-tiles API) and the RFC
 * 3161 TSA double, served together by one server (their real paths do not collide), with the
 * trusted root and signing config that name them. Sign against its URLs with any Sigstore client;
 * verify with its `trustedRoot` as with any other. Nothing here is for production: keys live in
 * memory and die with it.
 *
 * Deliberately not here: the services' protocols (`fulcio/`, `rekor/`, `tsa/`), the signing
 * config's form (`signing-config.ts`).
 */
import { InvalidArgumentError } from '../../errors/base.js';
import { trustedRootFromPems } from '../../sigstore/from-pems.js';
import { parseTrustedRoot, TRUSTED_ROOT_MEDIA_TYPE, type TrustedRoot } from '../../sigstore/trusted-root.js';
import {
  createFulcio,
  type FulcioFaults,
  type IssueTokenRequest,
  type OidcIssuerConfig,
} from './fulcio/index.js';
import { createRekor, type LoggedEntry, type RekorFaults } from './rekor/index.js';
import { serveOnLoopback } from './service.js';
import { localSigningConfig, type RekorApiVersion, type SigningConfigJson } from './signing-config.js';
import { createTsa, type TsaFaults } from './tsa/index.js';

/** Options of {@link startSigstore}. */
export interface StartSigstoreOptions {
  /**
   * The Rekor API the signing config points signers at (default 2, as the public-good opt-in Rekor
   * v2 signing config does; the default public-good config still names only v1). Both APIs are served and trusted either way; a Rekor v2 entry
   * carries no signing time, so signers using it also need the TSA (which the config names).
   */
  readonly rekorApi?: RekorApiVersion;
  /** How long Fulcio certificates live, in milliseconds (default ten minutes, as Fulcio's). */
  readonly certificateLifetimeMs?: number;
  /** The clock of certificates, tokens, log entries and timestamps (default: the system clock). */
  readonly clock?: () => Date;
  /**
   * The OIDC issuers Fulcio accepts tokens from, by issuer URL (default: GitHub Actions
   * `https://token.actions.githubusercontent.com` and Google `https://accounts.google.com`).
   */
  readonly issuers?: Readonly<Record<string, OidcIssuerConfig>>;
  /** Port on 127.0.0.1; default: any free port. */
  readonly port?: number;
}

/** The fault switches of each service of {@link startSigstore}. */
export interface SigstoreFaults {
  /** `unavailable` (503), `hang`, `garbage` on `/api/v2/signingCert`. */
  readonly fulcio: FulcioFaults;
  /** Down, slow, hanging, garbage, or evidence signed wrong (a bad SET, inclusion proof or checkpoint). */
  readonly rekor: RekorFaults;
  /** Down, slow, hanging, garbage, or a timestamp over the wrong imprint. */
  readonly tsa: TsaFaults;
}

/** A running local Sigstore: its URLs, trust material, token issuer and faults. */
export interface RunningSigstore {
  /** The server all services answer on, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Fulcio's base URL (`POST {fulcioUrl}/api/v2/signingCert`). */
  readonly fulcioUrl: string;
  /** Rekor's base URL: v1 `{rekorUrl}/api/v1/log/entries`, v2 `{rekorUrl}/api/v2/log/entries`. */
  readonly rekorUrl: string;
  /** The TSA's full URL, `{url}/api/v1/timestamp`, as a signing config names it. */
  readonly tsaUrl: string;
  /**
   * The trusted root of this instance: the Fulcio CA chain and its CT log, the Rekor v1 and v2
   * logs (with `rekorUrl` as their `baseUrl`, which the checkpoints' origin matches), the TSA chain.
   * Pass it as `trustedRoot` to ocisign's verifiers, or through `trustMaterialOf` to @sigstore/verify.
   */
  readonly trustedRoot: TrustedRoot;
  /** The `signing_config.json` (v0.2) naming these services; see {@link StartSigstoreOptions.rekorApi}. */
  readonly signingConfig: SigningConfigJson;
  /**
   * A signed OIDC identity token Fulcio accepts: `sub` = `subject`, `iss` = `issuer` (one of the
   * accepted issuers), audience `sigstore`, and for GitHub Actions every workflow claim Fulcio turns
   * into certificate extensions (`workflow`, `repository`, `sha`, `ref`, `event_name`,
   * `job_workflow_ref`, …), derived from `subject` unless `claims` sets them.
   */
  issueToken(request: IssueTokenRequest): string;
  /** Faults to inject into each service. */
  readonly faults: SigstoreFaults;
  /** Every entry the Rekor double logged so far: v1's in log order, then v2's. */
  rekorEntries(): readonly LoggedEntry[];
  /** Stops the server; keys and log entries are gone. */
  close(): Promise<void>;
}

const API_VERSIONS: readonly unknown[] = [1, 2];

function checkOptions(options: StartSigstoreOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('startSigstore takes an options object');
  if (options.rekorApi !== undefined && !API_VERSIONS.includes(options.rekorApi))
    throw new InvalidArgumentError('rekorApi must be 1 or 2');
  if (options.clock !== undefined && typeof options.clock !== 'function')
    throw new InvalidArgumentError('clock must be a function returning a Date');
  const { port } = options;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw new InvalidArgumentError('port must be an integer from 0 to 65535');
}

/** Whole seconds, as trusted roots write `validFor.start`. */
function toSecond(time: Date): Date {
  return new Date(Math.floor(time.getTime() / 1000) * 1000);
}

/**
 * Starts a local Sigstore on 127.0.0.1: Fulcio, Rekor (v1 and v2) and a TSA behind one URL, with
 * fresh keys, and the trusted root and signing config naming them. Call `close()` when done.
 *
 * @throws InvalidArgumentError for options that are not ones.
 */
export async function startSigstore(options: StartSigstoreOptions = {}): Promise<RunningSigstore> {
  checkOptions(options);
  const clock = options.clock ?? (() => new Date());
  const startedAt = toSecond(clock());
  const fulcio = createFulcio({
    now: clock,
    ...(options.issuers === undefined ? {} : { issuers: options.issuers }),
    ...(options.certificateLifetimeMs === undefined
      ? {}
      : { certificateLifetimeMs: options.certificateLifetimeMs }),
  });
  const rekor = createRekor({ clock, validFrom: startedAt });
  const tsa = await createTsa({ clock });
  const server = await serveOnLoopback([fulcio.handler, rekor.handler, tsa.handler], {
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  const { url } = server;
  const tsaService = tsa.signingConfigService(url);
  // The CA chain and CT key as PEM give their entries (trusted from the epoch: the certificates'
  // own validity is checked anyway); the logs and the TSA come with their windows and URLs.
  const trustedRoot = trustedRootFromPems({
    fulcio: fulcio.caChainPem,
    ctlog: fulcio.ctLogPublicKeyPem,
    base: parseTrustedRoot({
      mediaType: TRUSTED_ROOT_MEDIA_TYPE,
      certificateAuthorities: [],
      tlogs: [rekor.v1.tlog(url), rekor.v2.tlog(url)],
      ctlogs: [],
      timestampAuthorities: [tsa.timestampAuthority(url)],
    }),
  });
  return {
    url,
    fulcioUrl: url,
    rekorUrl: url,
    tsaUrl: tsaService.url,
    trustedRoot,
    signingConfig: localSigningConfig({
      fulcioUrl: url,
      rekorUrl: url,
      rekorValidFrom: rekor.v1.validFrom,
      fulcioValidFrom: startedAt,
      tsa: tsaService,
      rekorApi: options.rekorApi ?? 2,
    }),
    issueToken: (request) => fulcio.issueToken(request),
    faults: { fulcio: fulcio.faults, rekor: rekor.faults, tsa: tsa.faults },
    rekorEntries: () => rekor.entries(),
    close: () => server.close(),
  };
}
