/**
 * `selectServices`: which Fulcio CA, Rekor logs and timestamp authorities a signing client uses,
 * chosen from a signing config as sigstore-go chooses them for cosign 3 (`pkg/root/signing_config.go`
 * `SelectService` / `SelectServices`, called from cosign `pkg/cosign/bundle/sign.go`):
 *
 * - only services valid at the time (both ends of `validFor` inclusive) whose major API version
 *   the client speaks (Fulcio 1, Rekor 1 and 2, TSA 1: sigstore-go `pkg/sign`), the highest
 *   version first, and within it the newest `validFor.start` first;
 * - one Fulcio CA: the first such;
 * - logs and TSAs: from the highest version that has any, the newest service of each operator,
 *   then as the kind's selector says — `ALL` of them, `ANY` one, `EXACT`ly `count`. sigstore-go
 *   picks `ANY` and `EXACT` at random; here they take the newest ones (protobuf-specs leaves the
 *   choice to the client), so a signature's services do not change from one call to the next;
 * - an empty list selects nothing (cosign then skips the kind), a list with no usable service is
 *   an error.
 *
 * Deliberately not here: reading the config (`signing-config.ts`), talking to the services.
 */
import { InvalidArgumentError } from '../errors/base.js';
import { SigningConfigError } from '../errors/sigstore.js';
import {
  parseSigningConfig,
  type ServiceConfiguration,
  type SigningConfig,
  type SigningService,
} from './signing-config.js';

/** The Rekor API versions ocisign's log client speaks (v1 REST, v2 rekor-tiles). */
export type RekorApiVersion = 1 | 2;

/** A Rekor log to write to, and the API to speak to it. */
export interface SelectedRekor {
  /** The log's base URL. */
  readonly url: string;
  readonly apiVersion: RekorApiVersion;
}

/** The services one signature is made with. */
export interface SelectedServices {
  /** The Fulcio CA's base URL; `undefined` when the config lists none. */
  readonly fulcioUrl: string | undefined;
  /** The logs to write the signature to (none when the config lists none). */
  readonly rekor: readonly SelectedRekor[];
  /** The timestamp endpoints (full URLs) to ask (none when the config lists none). */
  readonly tsaUrls: readonly string[];
}

/** Options of {@link selectServices}. */
export interface SelectServicesOptions {
  /** The time services must be valid at. Default: now. */
  readonly now?: Date;
  /**
   * The Rekor API versions to consider, e.g. `[1]` for verifiers that cannot read Rekor v2
   * entries. Default `[1, 2]`, as cosign 3 and sigstore-go.
   */
  readonly rekorApiVersions?: readonly RekorApiVersion[];
}

/** The Fulcio and TSA API versions sigstore-go's signer speaks (`FulcioAPIVersions`, `TimestampAuthorityAPIVersions`). */
const FULCIO_API_VERSIONS: readonly number[] = [1];
const TSA_API_VERSIONS: readonly number[] = [1];
const REKOR_API_VERSIONS: readonly RekorApiVersion[] = [1, 2];

function validAt(service: SigningService, now: Date): boolean {
  const { start, end } = service.validFor;
  return !(start !== undefined && now < start) && !(end !== undefined && now > end);
}

/** Services ordered newest `validFor.start` first; ties keep the config's order (a missing start is oldest). */
function newestFirst(services: readonly SigningService[]): SigningService[] {
  const startOf = (s: SigningService) => s.validFor.start?.getTime() ?? Number.NEGATIVE_INFINITY;
  return [...services].sort((a, b) => startOf(b) - startOf(a));
}

/** Usable services of the highest version that has any, newest first. */
function usable(
  services: readonly SigningService[],
  versions: readonly number[],
  now: Date,
): SigningService[] {
  const ordered = newestFirst(services);
  for (const version of [...versions].sort((a, b) => b - a)) {
    const found = ordered.filter((s) => s.majorApiVersion === version && validAt(s, now));
    if (found.length > 0) return found;
  }
  return [];
}

function noneUsable(kind: string, versions: readonly number[], now: Date): SigningConfigError {
  return new SigningConfigError(
    `the signing config lists ${kind}, but none with API version ${versions.join(' or ')} valid at ${now.toISOString()}`,
  );
}

/** The newest of each operator, then as many as the selector says. */
function bySelector(
  found: readonly SigningService[],
  configuration: ServiceConfiguration | undefined,
  kind: string,
): SigningService[] {
  const operators = new Set<string>();
  const distinct = found.filter((s) => !operators.has(s.operator) && operators.add(s.operator));
  switch (configuration?.selector) {
    case 'ALL':
      return distinct;
    case 'ANY':
      return distinct.slice(0, 1);
    case 'EXACT': {
      const { count } = configuration;
      if (count === 0) throw new SigningConfigError(`the ${kind} selector EXACT needs a count above 0`);
      if (count > distinct.length)
        throw new SigningConfigError(
          `the ${kind} selector asks for exactly ${count}, but ${distinct.length} of distinct operators are usable`,
        );
      return distinct.slice(0, count);
    }
    default:
      throw new SigningConfigError(`the signing config's ${kind} selector is undefined (ALL, ANY or EXACT)`);
  }
}

/**
 * The Fulcio CA to ask, chosen from a parsed config as {@link selectServices} chooses it;
 * `undefined` when the config lists none.
 *
 * @throws SigningConfigError when it lists CAs but none is usable at `now`.
 */
export function selectFulcioUrl(config: SigningConfig, now: Date): string | undefined {
  if (config.caUrls.length === 0) return undefined;
  const [ca] = usable(config.caUrls, FULCIO_API_VERSIONS, now);
  if (ca === undefined) throw noneUsable('Fulcio CAs', FULCIO_API_VERSIONS, now);
  return ca.url;
}

function rekorVersions(options: SelectServicesOptions): readonly RekorApiVersion[] {
  const versions = options.rekorApiVersions ?? REKOR_API_VERSIONS;
  if (
    !Array.isArray(versions) ||
    versions.length === 0 ||
    !versions.every((v) => REKOR_API_VERSIONS.includes(v))
  )
    throw new InvalidArgumentError('rekorApiVersions must be a non-empty list of 1 and/or 2');
  return versions;
}

/**
 * Chooses the Fulcio CA, Rekor logs and timestamp authorities to sign with from `config` (a value
 * of `parseSigningConfig`, or anything it reads: the JSON object, text or bytes), as sigstore-go
 * does for cosign 3, at `options.now`.
 *
 * @throws SigningConfigError when `config` is not a signing config, a kind lists services of which
 * none is usable now, or its selector is undefined or asks for more than there are;
 * InvalidArgumentError for options that are not ones.
 */
export function selectServices(
  config: object | string,
  options: SelectServicesOptions = {},
): SelectedServices {
  const parsed: SigningConfig = parseSigningConfig(config);
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('selectServices options must be an object');
  const now = options.now ?? new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new InvalidArgumentError('now must be a valid Date');
  const versions = rekorVersions(options);

  const fulcioUrl = selectFulcioUrl(parsed, now);
  let rekor: SelectedRekor[] = [];
  if (parsed.rekorTlogUrls.length > 0) {
    const found = usable(parsed.rekorTlogUrls, versions, now);
    if (found.length === 0) throw noneUsable('Rekor logs', versions, now);
    rekor = bySelector(found, parsed.rekorTlogConfig, 'Rekor log').map((s) => ({
      url: s.url,
      apiVersion: s.majorApiVersion as RekorApiVersion,
    }));
  }
  let tsaUrls: string[] = [];
  if (parsed.tsaUrls.length > 0) {
    const found = usable(parsed.tsaUrls, TSA_API_VERSIONS, now);
    if (found.length === 0) throw noneUsable('timestamp authorities', TSA_API_VERSIONS, now);
    tsaUrls = bySelector(found, parsed.tsaConfig, 'timestamp authority').map((s) => s.url);
  }
  return Object.freeze({ fulcioUrl, rekor: Object.freeze(rekor), tsaUrls: Object.freeze(tsaUrls) });
}
