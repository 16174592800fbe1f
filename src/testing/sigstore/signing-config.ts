/**
 * The Sigstore `signing_config.json` (protobuf-specs `dev.sigstore.trustroot.v1.SigningConfig`,
 * media type v0.2) naming the local Sigstore double: which Fulcio, Rekor and TSA a signing client
 * uses, in the form the public-good instance distributes through TUF (sigstore/root-signing
 * `targets/signing_config.v0.2.json`): `caUrls`, `oidcUrls`, `rekorTlogUrls`, `tsaUrls`, each a
 * `Service` with `url`, `majorApiVersion`, `validFor` and `operator`, and the `ANY` selectors.
 *
 * Deliberately not here: reading a signing config, choosing a service from one (that is the
 * signing client's), the services themselves.
 */

/** The media type protobuf-specs requires of a v0.2 signing config. */
import { SIGNING_CONFIG_MEDIA_TYPE } from '../../sigstore/signing-config.js';

export { SIGNING_CONFIG_MEDIA_TYPE };

/** The operator every service of the double names (a scheme-less name, as protobuf-specs asks). */
export const LOCAL_OPERATOR = 'ocisign-test';

/** The Rekor API a signing config points signers at: v1 (`/api/v1/log/entries`) or v2 (rekor-tiles). */
export type RekorApiVersion = 1 | 2;

/** A protobuf-specs `Service`, as protojson writes it. */
export interface SigningConfigService {
  /** Base URL (Fulcio, Rekor) or full URL (TSA: the timestamp endpoint itself). */
  readonly url: string;
  /** The service's major API version (Fulcio's `/api/v2` is API version 1, as on the public instance). */
  readonly majorApiVersion: number;
  readonly validFor: { readonly start: string };
  readonly operator: string;
}

/** A `signing_config.json` v0.2, as protojson writes it (`SigningConfig.fromJSON` reads it). */
export interface SigningConfigJson {
  readonly mediaType: typeof SIGNING_CONFIG_MEDIA_TYPE;
  readonly caUrls: readonly SigningConfigService[];
  /** Empty: the double's tokens come from `issueToken`, not from an OIDC provider a client could browse to. */
  readonly oidcUrls: readonly SigningConfigService[];
  readonly rekorTlogUrls: readonly SigningConfigService[];
  readonly tsaUrls: readonly SigningConfigService[];
  readonly rekorTlogConfig: { readonly selector: 'ANY' };
  readonly tsaConfig: { readonly selector: 'ANY' };
}

/** What {@link localSigningConfig} names. */
export interface LocalSigningConfigInput {
  /** Base URL of the Fulcio double. */
  readonly fulcioUrl: string;
  /** Base URL of the Rekor double (both APIs are served under it). */
  readonly rekorUrl: string;
  /** Since when the Rekor double's logs are valid. */
  readonly rekorValidFrom: Date;
  /** Since when the Fulcio double issues certificates. */
  readonly fulcioValidFrom: Date;
  /** The TSA's entry, as the TSA double gives it (`signingConfigService`). */
  readonly tsa: SigningConfigService;
  /** The Rekor API signers are pointed at. */
  readonly rekorApi: RekorApiVersion;
}

/** RFC 3339 to the second, as the public-good signing config writes its times. */
function rfc3339(time: Date): string {
  return new Date(Math.floor(time.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function service(url: string, majorApiVersion: number, start: Date): SigningConfigService {
  return { url, majorApiVersion, validFor: { start: rfc3339(start) }, operator: LOCAL_OPERATOR };
}

/**
 * The signing config of the local double. With `rekorApi: 2` it lists the v2 log first with the
 * newer `validFor.start` and the v1 log after it, as the public-good opt-in Rekor v2 config
 * (`signing_config_rekor_v2.v0.2.json`, cosign's `--with-default-rekor-v2`) does:
 * every client picks v2 — those choosing the highest API version they support (cosign 3,
 * sigstore-go) and those choosing the newest start (@sigstore/sign's `bundleBuilderFromSigningConfig`).
 * With `rekorApi: 1` it lists only the v1 log, since a client that speaks v2 would take a listed
 * v2 log whatever its order. The trusted root names both logs either way.
 */
export function localSigningConfig(input: LocalSigningConfigInput): SigningConfigJson {
  const v1Start = new Date(input.rekorValidFrom.getTime() - 1000);
  const v1 = service(input.rekorUrl, 1, v1Start);
  const v2 = service(input.rekorUrl, 2, input.rekorValidFrom);
  return {
    mediaType: SIGNING_CONFIG_MEDIA_TYPE,
    caUrls: [service(input.fulcioUrl, 1, input.fulcioValidFrom)],
    oidcUrls: [],
    rekorTlogUrls: input.rekorApi === 2 ? [v2, v1] : [v1],
    tsaUrls: [input.tsa],
    rekorTlogConfig: { selector: 'ANY' },
    tsaConfig: { selector: 'ANY' },
  };
}
