/**
 * A Sigstore signing config (`signing_config.json`: protobuf-specs
 * `dev.sigstore.trustroot.v1.SigningConfig`, media type v0.2, the document an instance's TUF
 * repository distributes beside its trusted root) as a validated, frozen value: which Fulcio CAs,
 * OIDC providers, Rekor logs and timestamp authorities a signing client may use, each with its
 * API version, validity window and operator, and how many logs and TSAs to pick (`ANY`, `ALL`,
 * `EXACT`). Read with protojson's rules, as sigstore-go reads it (`pkg/root/signing_config.go`).
 * Also the public-good configs, as sigstore/root-signing publishes them.
 *
 * Deliberately not here: choosing services (`signing-config-select.ts`), fetching the config from
 * TUF, talking to any service. Unknown members are ignored (as for trusted roots: newer specs add
 * fields), where sigstore-go's protojson would refuse them.
 */
import { SigningConfigError } from '../errors/sigstore.js';
import { fail, readShape } from '../internal/shape.js';
import { NO_FACTS } from '../payload/json-object.js';
import {
  type ProtoTimestamp,
  type ProtoType,
  pEnum,
  pField,
  pInt64,
  pList,
  pMessage,
  pString,
  pTimestamp,
  readProtoJson,
} from '../payload/protojson.js';
import type { TimeRange } from './trusted-root.js';

/** The only media type sigstore-go accepts (`SigningConfigMediaType02`); v0.1 is refused as there. */
export const SIGNING_CONFIG_MEDIA_TYPE = 'application/vnd.dev.sigstore.signingconfig.v0.2+json';

/**
 * Most services one list may name. The public-good config lists one or two per kind; a document
 * with thousands is not a signing config but an attempt to make selection slow.
 */
const MAX_SERVICES = 64;

/** A protobuf-specs `Service`: one Fulcio, OIDC provider, Rekor log or TSA. */
export interface SigningService {
  /**
   * The service's URL: a base URL for Fulcio, OIDC and Rekor (`https://rekor.sigstore.dev`), the
   * full timestamp endpoint for a TSA (`https://timestamp.sigstore.dev/api/v1/timestamp`).
   */
  readonly url: string;
  /** The service's major API version (Fulcio's `/api/v2` is version 1; Rekor v2 is 2). */
  readonly majorApiVersion: number;
  /** When the service may be used, both ends inclusive; an open end is unbounded. */
  readonly validFor: TimeRange;
  /** Who runs it, a scheme-less name (`sigstore.dev`); `''` when not given. */
  readonly operator: string;
}

/** How many of a kind's services a client uses: `ALL`, `ANY` one, or `EXACT`ly `count`. */
export type ServiceSelector = 'ALL' | 'ANY' | 'EXACT';

/** A protobuf-specs `ServiceConfiguration`. */
export interface ServiceConfiguration {
  /**
   * The selector; `undefined` when the document leaves it unset (`SERVICE_SELECTOR_UNDEFINED`) or
   * names one this version does not know, which selecting from a non-empty list refuses.
   */
  readonly selector: ServiceSelector | undefined;
  /** With `EXACT`: how many services to use (0 when not given). */
  readonly count: number;
}

/**
 * A parsed signing config, frozen. Make one with {@link parseSigningConfig}; pass it (or the JSON
 * it came from) to `selectServices`.
 */
export interface SigningConfig {
  readonly mediaType: typeof SIGNING_CONFIG_MEDIA_TYPE;
  /** Fulcio-compatible CAs (`caUrls`). */
  readonly caUrls: readonly SigningService[];
  /** OIDC providers an interactive client could send a user to (`oidcUrls`). */
  readonly oidcUrls: readonly SigningService[];
  /** Rekor transparency logs (`rekorTlogUrls`). */
  readonly rekorTlogUrls: readonly SigningService[];
  /** How many logs to write to; `undefined` when the document has no `rekorTlogConfig`. */
  readonly rekorTlogConfig: ServiceConfiguration | undefined;
  /** RFC 3161 timestamp authorities (`tsaUrls`). */
  readonly tsaUrls: readonly SigningService[];
  /** How many TSAs to ask; `undefined` when the document has no `tsaConfig`. */
  readonly tsaConfig: ServiceConfiguration | undefined;
}

/** protobuf's `uint32`: protojson reads it as `int64` does (a number or a string), in range. */
const pUint32: ProtoType<number> = {
  expected: 'an unsigned 32-bit integer',
  read(value, path, facts) {
    const n = BigInt(pInt64.read(value, path, facts));
    return n < 0n || n > 0xffff_ffffn ? fail(path, 'an unsigned 32-bit integer') : Number(n);
  },
};

const SELECTORS = ['SERVICE_SELECTOR_UNDEFINED', 'ALL', 'ANY', 'EXACT'];
const ignore = { unknownFields: 'ignore' } as const;
const serviceShape = pMessage(
  'Service',
  {
    url: pField(pString),
    majorApiVersion: pField(pUint32),
    validFor: pField(pMessage('TimeRange', { start: pField(pTimestamp), end: pField(pTimestamp) }, ignore)),
    operator: pField(pString),
  },
  ignore,
);
const servicesShape = pList(serviceShape, { max: MAX_SERVICES });
const configurationShape = pMessage(
  'ServiceConfiguration',
  { selector: pField(pEnum(SELECTORS)), count: pField(pUint32) },
  ignore,
);
const configShape = pMessage(
  'SigningConfig',
  {
    mediaType: pField(pString),
    caUrls: pField(servicesShape),
    oidcUrls: pField(servicesShape),
    rekorTlogUrls: pField(servicesShape),
    rekorTlogConfig: pField(configurationShape),
    tsaUrls: pField(servicesShape),
    tsaConfig: pField(configurationShape),
  },
  ignore,
);

type ConfigDocument = ReturnType<typeof configShape.read>;
type ServiceDocument = NonNullable<ConfigDocument['caUrls']>[number];

/** Values {@link parseSigningConfig} made: a frozen model is only ever ours. */
const parsed = new WeakSet<object>();

/** Whether `value` is a {@link SigningConfig} made by {@link parseSigningConfig}. */
export function isSigningConfig(value: unknown): value is SigningConfig {
  return typeof value === 'object' && value !== null && parsed.has(value);
}

/** A protobuf timestamp as a Date, rounded to the millisecond towards the inside of the window. */
function windowEnd(t: ProtoTimestamp | undefined, round: 'up' | 'down'): Date | undefined {
  if (t === undefined) return undefined;
  const ms = t.nanos / 1e6;
  return new Date(t.seconds * 1000 + (round === 'up' ? Math.ceil(ms) : Math.floor(ms)));
}

/** The URL, once it is an absolute http(s) URL (protobuf-specs: scheme and authority). */
function serviceUrl(url: string | undefined, where: string): string {
  let parsedUrl: URL | undefined;
  try {
    parsedUrl = url === undefined || url === '' ? undefined : new URL(url);
  } catch {
    parsedUrl = undefined;
  }
  if (parsedUrl === undefined || (parsedUrl.protocol !== 'https:' && parsedUrl.protocol !== 'http:'))
    throw new SigningConfigError(`${where}.url must be an http or https URL`);
  if (parsedUrl.username !== '' || parsedUrl.password !== '')
    throw new SigningConfigError(`${where}.url must not carry credentials`);
  return url as string;
}

function serviceOf(service: ServiceDocument, where: string): SigningService {
  const start = windowEnd(service.validFor?.start, 'up');
  const end = windowEnd(service.validFor?.end, 'down');
  if (start !== undefined && end !== undefined && end < start)
    throw new SigningConfigError(`${where}.validFor ends before it starts`);
  return {
    url: serviceUrl(service.url, where),
    majorApiVersion: service.majorApiVersion ?? 0,
    validFor: { ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }) },
    operator: service.operator ?? '',
  };
}

function configurationOf(doc: ConfigDocument['tsaConfig']): ServiceConfiguration | undefined {
  if (doc === undefined) return undefined;
  const selector = (['ALL', 'ANY', 'EXACT'] as const).find((s) => s === doc.selector);
  return { selector, count: doc.count ?? 0 };
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || value instanceof Date) return value;
  for (const member of Object.values(value)) deepFreeze(member);
  return Object.freeze(value);
}

function readDocument(input: unknown, what: string): ConfigDocument {
  const makeError = (message: string, cause?: unknown) => new SigningConfigError(message, { cause });
  if (typeof input === 'string' || input instanceof Uint8Array)
    return readProtoJson(input, configShape, what, makeError);
  // A plain JSON copy: members set to `undefined` are absent, as in the JSON the object stands for.
  let copy: unknown;
  try {
    copy = JSON.parse(JSON.stringify(input) ?? 'null');
  } catch (cause) {
    throw new SigningConfigError(`${what} must be a JSON value`, { cause });
  }
  return readShape(
    copy,
    { expected: configShape.expected, check: (v, path) => configShape.read(v, path, NO_FACTS) },
    what,
    makeError,
  );
}

/**
 * Reads a Sigstore signing config — an object, or its JSON text or bytes as protojson reads them
 * (UTF-8, no repeated member, member names in JSON or proto form) — into a frozen
 * {@link SigningConfig}. A value this function returned is returned as it is.
 *
 * Every service must have an http(s) URL without credentials, and a window that does not end
 * before it starts; a missing `validFor` is an unbounded one and a missing `operator` is `''`
 * (as sigstore-go reads them). Selectors are checked when services are selected, as sigstore-go
 * checks them.
 *
 * @throws SigningConfigError naming the member (`signingConfig: /tsaUrls/0/validFor/start must
 * be …`, `signingConfig.caUrls[0].url must be …`) when the input is not a v0.2 signing config.
 */
export function parseSigningConfig(input: unknown): SigningConfig {
  if (isSigningConfig(input)) return input;
  const what = 'signingConfig';
  const doc = readDocument(input, what);
  if (doc.mediaType !== SIGNING_CONFIG_MEDIA_TYPE)
    throw new SigningConfigError(
      `${what}.mediaType must be ${SIGNING_CONFIG_MEDIA_TYPE}, got ${JSON.stringify(doc.mediaType ?? null).slice(0, 100)}`,
    );
  const list = (services: readonly ServiceDocument[] | undefined, name: string) =>
    (services ?? []).map((s, i) => serviceOf(s, `${what}.${name}[${i}]`));
  const config: SigningConfig = {
    mediaType: SIGNING_CONFIG_MEDIA_TYPE,
    caUrls: list(doc.caUrls, 'caUrls'),
    oidcUrls: list(doc.oidcUrls, 'oidcUrls'),
    rekorTlogUrls: list(doc.rekorTlogUrls, 'rekorTlogUrls'),
    rekorTlogConfig: configurationOf(doc.rekorTlogConfig),
    tsaUrls: list(doc.tsaUrls, 'tsaUrls'),
    tsaConfig: configurationOf(doc.tsaConfig),
  };
  parsed.add(deepFreeze(config));
  return config;
}

/** A service of the public-good instance, in the form sigstore/root-signing writes it. */
function publicGood(url: string, majorApiVersion: number, start: string) {
  return { url, majorApiVersion, validFor: { start }, operator: 'sigstore.dev' };
}

/**
 * The public-good instance's services as sigstore/root-signing lists them, Rekor logs aside:
 * Fulcio, the OIDC provider and the TSA.
 */
function publicGoodConfig(rekorTlogUrls: readonly object[]) {
  return deepFreeze({
    mediaType: SIGNING_CONFIG_MEDIA_TYPE,
    caUrls: [publicGood('https://fulcio.sigstore.dev', 1, '2022-04-13T20:06:15.000Z')],
    oidcUrls: [publicGood('https://oauth2.sigstore.dev/auth', 1, '2022-04-13T20:06:15.000Z')],
    rekorTlogUrls,
    tsaUrls: [publicGood('https://timestamp.sigstore.dev/api/v1/timestamp', 1, '2025-07-04T00:00:00Z')],
    rekorTlogConfig: { selector: 'ANY' },
    tsaConfig: { selector: 'ANY' },
  });
}

const REKOR_V1 = publicGood('https://rekor.sigstore.dev', 1, '2021-01-12T11:53:27.000Z');

/**
 * The public-good Sigstore signing config, as its TUF repository serves `signing_config.v0.2.json`
 * (sigstore/root-signing `targets/`, 2025-07) — the one cosign 3 and sigstore-go sign with by
 * default: Fulcio `https://fulcio.sigstore.dev`, Rekor v1 `https://rekor.sigstore.dev`, the TSA
 * `https://timestamp.sigstore.dev/api/v1/timestamp`. Frozen JSON, for `parseSigningConfig`,
 * `selectServices` or a file. Fetch the current one from TUF when it matters.
 */
export const PUBLIC_GOOD_SIGNING_CONFIG = /* @__PURE__ */ publicGoodConfig([REKOR_V1]);

/**
 * The public-good opt-in config with Rekor v2, as its TUF repository serves
 * `signing_config_rekor_v2.v0.2.json` (sigstore/root-signing, 2026-05; what `cosign signing-config
 * create --with-default-rekor-v2` starts from): {@link PUBLIC_GOOD_SIGNING_CONFIG} plus the v2 log
 * `https://log2025-1.rekor.sigstore.dev` (valid from 2026-01-01), which clients that speak Rekor v2
 * choose first. Its entries carry no signing time: sign with the TSA too, and only for verifiers
 * that read Rekor v2 entries.
 */
export const PUBLIC_GOOD_REKOR_V2_SIGNING_CONFIG = /* @__PURE__ */ publicGoodConfig([
  publicGood('https://log2025-1.rekor.sigstore.dev', 2, '2026-01-01T00:00:00Z'),
  REKOR_V1,
]);
