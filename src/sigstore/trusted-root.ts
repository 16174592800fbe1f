/**
 * A Sigstore `trusted_root.json` (protobuf-specs `dev.sigstore.trustroot.v1.TrustedRoot`, the
 * document TUF distributes) as a validated, frozen value: its certificate authorities, Rekor logs,
 * CT logs and timestamp authorities, read with protojson's rules. Every certificate is checked to
 * be an X.509 certificate and every log to carry its key's bytes; the document itself is kept
 * (`json`) for the Sigstore verifier.
 *
 * Deliberately not here: deciding what to trust for a given signature (windows, thresholds, which
 * log signed what): that is the verifier's. Keys are kept as bytes, not imported: a root may list
 * key kinds (PKCS#1 RSA CT logs in staging roots) that only their users need to read. Unknown
 * members are ignored, as newer specs add fields; an unknown enum name is refused, as protojson
 * refuses it.
 */
import { X509Certificate } from '@sigstore/core';
import { HashAlgorithm, PublicKeyDetails } from '@sigstore/protobuf-specs';
import { InvalidArgumentError } from '../errors/base.js';
import { readShape } from '../internal/shape.js';
import { NO_FACTS } from '../payload/json-object.js';
import {
  type ProtoTimestamp,
  type ProtoType,
  pBytes,
  pEnum,
  pField,
  pList,
  pMessage,
  pString,
  pTimestamp,
  readProtoJson,
} from '../payload/protojson.js';

/** The trusted-root media type protobuf-specs and sigstore-go 1.x write (`…trustedroot+json;version=0.1`). */
export const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';

/**
 * A `validFor` window, both ends inclusive; open-ended without `end`, and (for a CA) without
 * `start`. Kept to the millisecond, rounded inwards (`start` up, `end` down), which decides
 * whole-second times exactly as the root's nanoseconds would.
 */
export interface TimeRange {
  readonly start?: Date;
  readonly end?: Date;
}

/** A log's public key: DER as `keyDetails` says (PKIX SubjectPublicKeyInfo for every current kind). */
export interface LogPublicKey {
  readonly rawBytes: Uint8Array;
  /** protobuf-specs `PublicKeyDetails` name, e.g. `PKIX_ECDSA_P256_SHA_256`; undefined when not given. */
  readonly keyDetails: string | undefined;
  /** When the root lets this key be used; undefined when the root gives no window. */
  readonly validFor: TimeRange | undefined;
}

/** A Rekor log or a CT log: `tlogs[]` and `ctlogs[]` of the trusted root. */
export interface TransparencyLogInstance {
  /** The log's base URL; `''` when not given. */
  readonly baseUrl: string;
  /** protobuf-specs `HashAlgorithm` name of the Merkle tree, e.g. `SHA2_256`; undefined when not given. */
  readonly hashAlgorithm: string | undefined;
  readonly publicKey: LogPublicKey;
  /** `logId.keyId` as the root states it (for current logs, SHA-256 of the key's DER). */
  readonly logId: { readonly keyId: Uint8Array } | undefined;
  /** `checkpointKeyId.keyId` (trusted root v0.2: the signed-note key ID of a Rekor v2 log). */
  readonly checkpointKeyId: { readonly keyId: Uint8Array } | undefined;
  /** The operator (`sigstore.dev`); `''` when not given. */
  readonly operator: string;
}

/** A Fulcio CA (`certificateAuthorities[]`) or a timestamp authority (`timestampAuthorities[]`). */
export interface CertificateAuthority {
  readonly subject: { readonly organization: string; readonly commonName: string } | undefined;
  /** The authority's base URL; `''` when not given. */
  readonly uri: string;
  /**
   * DER certificates as the root lists them: the last one is the trust anchor, the ones before it
   * intermediates (and, for a TSA, its signing certificate first). Never empty.
   */
  readonly certChain: { readonly certificates: readonly { readonly rawBytes: Uint8Array }[] };
  /** When the whole chain may be used; undefined when the root gives no window. */
  readonly validFor: TimeRange | undefined;
  /** The operator (`sigstore.dev`); `''` when not given. */
  readonly operator: string;
}

/**
 * A parsed trusted root, frozen (byte arrays are this value's own copies: treat them as read-only).
 * Make one with {@link parseTrustedRoot}, `shippedTrustedRoot`, `getTrustedRoot` or
 * `trustedRootFromPems`.
 */
export interface TrustedRoot {
  /** The document's `mediaType`; undefined when it has none. */
  readonly mediaType: string | undefined;
  readonly certificateAuthorities: readonly CertificateAuthority[];
  readonly tlogs: readonly TransparencyLogInstance[];
  readonly ctlogs: readonly TransparencyLogInstance[];
  readonly timestampAuthorities: readonly CertificateAuthority[];
  /** The JSON document this was read from, as a frozen copy (members this model ignores included). */
  readonly json: unknown;
}

/**
 * An enum's names indexed by number, from protobuf-specs itself: exactly the names its `fromJSON`
 * (and so the Sigstore verifier) accepts.
 */
function enumNames(values: Record<string, string | number>): string[] {
  const names: string[] = [];
  for (const [name, value] of Object.entries(values)) if (typeof value === 'number') names[value] = name;
  return names;
}

const ignore = { unknownFields: 'ignore' } as const;
const timeRangeShape = pMessage('TimeRange', { start: pField(pTimestamp), end: pField(pTimestamp) }, ignore);
const logIdShape = pMessage('LogId', { keyId: pField(pBytes) }, ignore);
const logShape = pMessage(
  'TransparencyLogInstance',
  {
    baseUrl: pField(pString),
    hashAlgorithm: pField(pEnum(enumNames(HashAlgorithm))),
    publicKey: pField(
      pMessage(
        'PublicKey',
        {
          rawBytes: pField(pBytes),
          keyDetails: pField(pEnum(enumNames(PublicKeyDetails))),
          validFor: pField(timeRangeShape),
        },
        ignore,
      ),
    ),
    logId: pField(logIdShape),
    checkpointKeyId: pField(logIdShape),
    operator: pField(pString),
  },
  ignore,
);
const authorityShape = pMessage(
  'CertificateAuthority',
  {
    subject: pField(
      pMessage('DistinguishedName', { organization: pField(pString), commonName: pField(pString) }, ignore),
    ),
    uri: pField(pString),
    certChain: pField(
      pMessage(
        'X509CertificateChain',
        { certificates: pField(pList(pMessage('X509Certificate', { rawBytes: pField(pBytes) }, ignore))) },
        ignore,
      ),
    ),
    validFor: pField(timeRangeShape),
    operator: pField(pString),
  },
  ignore,
);
const rootShape = pMessage(
  'TrustedRoot',
  {
    mediaType: pField(pString),
    tlogs: pField(pList(logShape)),
    certificateAuthorities: pField(pList(authorityShape)),
    ctlogs: pField(pList(logShape)),
    timestampAuthorities: pField(pList(authorityShape)),
  },
  ignore,
);

type RootDocument = ReturnType<typeof rootShape.read>;

/** The message and the JSON value it was read from (the one document, not a second parse). */
const documentShape: ProtoType<{ doc: RootDocument; value: unknown }> = {
  expected: rootShape.expected,
  read: (value, path, facts) => ({ doc: rootShape.read(value, path, facts), value }),
};

/** Values {@link parseTrustedRoot} made: a frozen model is only ever ours. */
const parsed = new WeakSet<object>();

/** Whether `value` is a {@link TrustedRoot} made by this module (so it needs no parsing again). */
export function isTrustedRoot(value: unknown): value is TrustedRoot {
  return typeof value === 'object' && value !== null && parsed.has(value);
}

/** A protobuf timestamp as a Date, rounded to the millisecond towards the inside of a window. */
function toDate(t: ProtoTimestamp, round: 'up' | 'down'): Date {
  const ms = t.nanos / 1e6;
  return new Date(t.seconds * 1000 + (round === 'up' ? Math.ceil(ms) : Math.floor(ms)));
}

function timeRange(
  range: { start?: ProtoTimestamp; end?: ProtoTimestamp } | undefined,
): TimeRange | undefined {
  if (range === undefined) return undefined;
  return {
    ...(range.start === undefined ? {} : { start: toDate(range.start, 'up') }),
    ...(range.end === undefined ? {} : { end: toDate(range.end, 'down') }),
  };
}

type LogDocument = NonNullable<RootDocument['tlogs']>[number];
type AuthorityDocument = NonNullable<RootDocument['certificateAuthorities']>[number];

function logOf(log: LogDocument, where: string): TransparencyLogInstance {
  const rawBytes = log.publicKey?.rawBytes;
  if (rawBytes === undefined)
    throw new InvalidArgumentError(`${where}.publicKey.rawBytes must be base64 DER`);
  return {
    baseUrl: log.baseUrl ?? '',
    hashAlgorithm: log.hashAlgorithm,
    publicKey: {
      rawBytes,
      keyDetails: log.publicKey?.keyDetails,
      validFor: timeRange(log.publicKey?.validFor),
    },
    logId: log.logId?.keyId === undefined ? undefined : { keyId: log.logId.keyId },
    checkpointKeyId:
      log.checkpointKeyId?.keyId === undefined ? undefined : { keyId: log.checkpointKeyId.keyId },
    operator: log.operator ?? '',
  };
}

/** What a verifier reads of a CA certificate (@sigstore/core decodes each part when it is read). */
const CERTIFICATE_READS: ReadonlyArray<(cert: X509Certificate) => unknown> = [
  (c) => [c.subject, c.issuer, c.publicKey, c.notBefore, c.notAfter, c.signatureAlgorithm, c.signatureValue],
  (c) => [c.isCA, c.extBasicConstraints?.pathLenConstraint, c.extKeyUsage?.digitalSignature],
  (c) => [c.extSubjectKeyID?.keyIdentifier, c.extAuthorityKeyID?.keyIdentifier],
  // Looking up an extension the certificate lacks decodes every extension's OID.
  (c) => c.extSCT,
];

/**
 * Reads DER as an X.509 certificate, decoding every part a verifier reads, so that a malformed
 * one is refused here, as an InvalidArgumentError naming `where`, rather than inside a verifier.
 */
export function parseCertificate(der: Uint8Array, where: string): X509Certificate {
  try {
    const cert = X509Certificate.parse(Buffer.from(der));
    for (const read of CERTIFICATE_READS) read(cert);
    return cert;
  } catch (cause) {
    throw new InvalidArgumentError(`${where} is not a DER X.509 certificate`, { cause });
  }
}

function authorityOf(ca: AuthorityDocument, where: string): CertificateAuthority {
  const certificates = ca.certChain?.certificates ?? [];
  if (certificates.length === 0)
    throw new InvalidArgumentError(`${where}.certChain.certificates must hold at least one certificate`);
  const chain = certificates.map((c, i) => {
    const at = `${where}.certChain.certificates[${i}].rawBytes`;
    if (c.rawBytes === undefined) throw new InvalidArgumentError(`${at} must be base64 DER`);
    parseCertificate(c.rawBytes, at);
    return { rawBytes: c.rawBytes };
  });
  return {
    subject:
      ca.subject === undefined
        ? undefined
        : { organization: ca.subject.organization ?? '', commonName: ca.subject.commonName ?? '' },
    uri: ca.uri ?? '',
    certChain: { certificates: chain },
    validFor: timeRange(ca.validFor),
    operator: ca.operator ?? '',
  };
}

/** Freezes a JSON value or a model, all the way down (byte arrays cannot be frozen: they are copies). */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || value instanceof Date)
    return value;
  for (const member of Object.values(value)) deepFreeze(member);
  return Object.freeze(value);
}

/** A plain JSON copy of an object the caller passed (so later edits to theirs change nothing here). */
function jsonCopy(value: unknown, what: string): unknown {
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch (cause) {
    throw new InvalidArgumentError(`${what} must be a JSON value`, { cause });
  }
}

/**
 * Reads a trusted root as {@link parseTrustedRoot} does, naming it `what` in errors (a trusted root
 * from a TUF mirror is named after the mirror).
 */
export function readTrustedRoot(input: unknown, what: string): TrustedRoot {
  if (isTrustedRoot(input)) return input;
  const makeError = (message: string, cause?: unknown) => new InvalidArgumentError(message, { cause });
  let doc: RootDocument;
  let json: unknown;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    ({ doc, value: json } = readProtoJson(input, documentShape, what, makeError));
  } else {
    doc = readShape(
      input,
      { expected: rootShape.expected, check: (v, path) => rootShape.read(v, path, NO_FACTS) },
      what,
      makeError,
    );
    json = jsonCopy(input, what);
  }
  const root: TrustedRoot = {
    mediaType: doc.mediaType,
    certificateAuthorities: (doc.certificateAuthorities ?? []).map((ca, i) =>
      authorityOf(ca, `${what}.certificateAuthorities[${i}]`),
    ),
    tlogs: (doc.tlogs ?? []).map((log, i) => logOf(log, `${what}.tlogs[${i}]`)),
    ctlogs: (doc.ctlogs ?? []).map((log, i) => logOf(log, `${what}.ctlogs[${i}]`)),
    timestampAuthorities: (doc.timestampAuthorities ?? []).map((ca, i) =>
      authorityOf(ca, `${what}.timestampAuthorities[${i}]`),
    ),
    json: deepFreeze(json),
  };
  parsed.add(deepFreeze(root));
  return root;
}

/**
 * Reads a Sigstore `trusted_root.json` — an object, or its JSON text or bytes as protojson reads
 * them (UTF-8, no repeated member, member names in JSON or proto form) — into a frozen
 * {@link TrustedRoot}. A value this function returned is returned as it is.
 *
 * Every log must carry `publicKey.rawBytes`, every CA and TSA at least one certificate, each an
 * X.509 certificate. A missing `validFor` is kept as missing: whether a log without a window may
 * be used is the verifier's rule (sigstore-go refuses a Rekor key without `validFor.start`).
 *
 * @throws InvalidArgumentError naming the member (`trustedRoot.tlogs[0].publicKey.rawBytes …`,
 * `trustedRoot: /ctlogs/1/publicKey/validFor/start must be …`) when the input is not a trusted root.
 */
export function parseTrustedRoot(input: unknown): TrustedRoot {
  return readTrustedRoot(input, 'trustedRoot');
}
