/**
 * Sigstore bundles for the key-based case, read as sigstore-go reads them: the bundle's value
 * types, and `parseBundle` (v0.1–v0.3, protojson, then sigstore-go's validation rules per version).
 *
 * Key material inside a bundle is exposed for information only: a public-key hint or a certificate
 * never becomes a trusted key — verifiers use the keys their caller trusts. Transparency-log
 * entries and RFC 3161 timestamps are carried through as they are; checking them is the verify
 * layer's job. Writing bundles is `bundle-create.ts`; the OCI referrer they travel in,
 * `bundle-referrer.ts`.
 */

import { BundleFormatError } from '../errors/payload.js';
import { toBase64 } from '../internal/bytes.js';
import type { DsseEnvelope } from './dsse.js';
import { pBytes, pEnum, pField, pInt64, pList, pMessage, pString, readProtoJson } from './protojson.js';

/**
 * The stem every Sigstore bundle media type starts with (`….v0.3+json`, `…+json;version=0.1`):
 * what a referrer's `artifactType` starts with when it may hold a bundle.
 */
export const BUNDLE_MEDIA_TYPE_BASE = 'application/vnd.dev.sigstore.bundle';
/** Media type of a Sigstore bundle v0.3 (`application/vnd.dev.sigstore.bundle.v0.3+json`). */
export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** The v0.1 bundle media type (the form a classic keyless `.sig` layer amounts to). */
export const BUNDLE_V01_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.1';
const BUNDLE_MEDIA_TYPES: Readonly<Record<string, '0.1' | '0.2' | '0.3'>> = {
  [BUNDLE_V01_MEDIA_TYPE]: '0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2': '0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3': '0.3',
  [BUNDLE_V03_MEDIA_TYPE]: '0.3',
};

/**
 * A transparency log entry as a bundle carries it, in protojson's canonical form: int64 fields as
 * decimal strings, bytes as standard base64, absent fields as their defaults.
 */
export interface TlogEntry {
  readonly logIndex: string;
  readonly logId: { readonly keyId: string };
  readonly kindVersion: { readonly kind: string; readonly version: string };
  readonly integratedTime: string;
  readonly inclusionPromise?: { readonly signedEntryTimestamp: string };
  readonly inclusionProof?: {
    readonly logIndex: string;
    readonly rootHash: string;
    readonly treeSize: string;
    readonly hashes: readonly string[];
    readonly checkpoint: { readonly envelope: string };
  };
  readonly canonicalizedBody: string;
}

/** A parsed bundle. The signed content keeps its stored bytes. */
export interface SigstoreBundle {
  readonly mediaType: string;
  readonly version: '0.1' | '0.2' | '0.3';
  /** base64 SHA-256 of the signer's public key, when the bundle names one. Informational only. */
  readonly publicKeyHint?: string;
  /** DER of a signing certificate, when the bundle carries one (keyless). Informational only. */
  readonly certificate?: Uint8Array;
  readonly dsseEnvelope?: DsseEnvelope;
  readonly messageSignature?: {
    readonly signature: Uint8Array;
    readonly messageDigest?: { readonly algorithm: string; readonly digest: Uint8Array };
  };
  readonly tlogEntries: readonly TlogEntry[];
  /** base64 DER RFC 3161 timestamp responses. */
  readonly rfc3161Timestamps: readonly string[];
}

const HASH_ALGORITHMS = [
  'HASH_ALGORITHM_UNSPECIFIED',
  'SHA2_256',
  'SHA2_384',
  'SHA2_512',
  'SHA3_256',
  'SHA3_384',
] as const;

/** sigstore-go's per-bundle limits (`internal/limits`): 32 tlog entries, 32 signed timestamps. */
const MAX_TLOG_ENTRIES = 32;
const MAX_TIMESTAMPS = 32;

// The protobuf-specs messages of a bundle, as protojson reads them (sigstore-go's parse).
const x509Certificate = pMessage('X509Certificate', { rawBytes: pField(pBytes) });
const checkpointShape = pMessage('Checkpoint', { envelope: pField(pString) });
/** A `TransparencyLogEntry` in protojson, as bundles and Rekor v2 answers carry it. */
export const tlogEntryShape = pMessage('TransparencyLogEntry', {
  logIndex: pField(pInt64),
  logId: pField(pMessage('LogId', { keyId: pField(pBytes) })),
  kindVersion: pField(pMessage('KindVersion', { kind: pField(pString), version: pField(pString) })),
  integratedTime: pField(pInt64),
  inclusionPromise: pField(pMessage('InclusionPromise', { signedEntryTimestamp: pField(pBytes) })),
  inclusionProof: pField(
    pMessage('InclusionProof', {
      logIndex: pField(pInt64),
      rootHash: pField(pBytes),
      treeSize: pField(pInt64),
      hashes: pField(pList(pBytes)),
      checkpoint: pField(checkpointShape),
    }),
  ),
  canonicalizedBody: pField(pBytes),
});
const materialShape = pMessage('VerificationMaterial', {
  publicKey: pField(pMessage('PublicKeyIdentifier', { hint: pField(pString) }), { oneof: 'content' }),
  x509CertificateChain: pField(
    pMessage('X509CertificateChain', { certificates: pField(pList(x509Certificate)) }),
    { oneof: 'content' },
  ),
  certificate: pField(x509Certificate, { oneof: 'content' }),
  tlogEntries: pField(pList(tlogEntryShape, { max: MAX_TLOG_ENTRIES })),
  timestampVerificationData: pField(
    pMessage('TimestampVerificationData', {
      rfc3161Timestamps: pField(
        pList(pMessage('RFC3161SignedTimestamp', { signedTimestamp: pField(pBytes) }), {
          max: MAX_TIMESTAMPS,
        }),
      ),
    }),
  ),
});
const envelopeShape = pMessage('Envelope', {
  payload: pField(pBytes),
  payloadType: pField(pString, { proto: 'payloadType' }),
  signatures: pField(
    pList(pMessage('Signature', { sig: pField(pBytes), keyid: pField(pString, { proto: 'keyid' }) })),
  ),
});
const bundleShape = pMessage('Bundle', {
  mediaType: pField(pString),
  verificationMaterial: pField(materialShape),
  dsseEnvelope: pField(envelopeShape, { oneof: 'content' }),
  messageSignature: pField(
    pMessage('MessageSignature', {
      messageDigest: pField(
        pMessage('HashOutput', { algorithm: pField(pEnum(HASH_ALGORITHMS)), digest: pField(pBytes) }),
      ),
      signature: pField(pBytes),
    }),
    { oneof: 'content' },
  ),
});

const SEMVER =
  /^v(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?)?$/;

/** Compares a semver (major, minor, patch, has a prerelease) with vX.Y.0, as golang.org/x/mod/semver does. */
function compareVersion(v: readonly [bigint, bigint, bigint, boolean], minor: bigint): number {
  const target = [0n, minor, 0n];
  for (let i = 0; i < 3; i++) {
    const a = v[i] as bigint;
    const b = target[i] as bigint;
    if (a !== b) return a < b ? -1 : 1;
  }
  return v[3] ? -1 : 0;
}

/**
 * sigstore-go's version rules for a media type: which rule set applies (`0.1`: exactly v0.1;
 * `0.2`: above v0.1 and below v0.3; `0.3`: from v0.3 to below v0.4), or throws for the rest.
 */
function bundleVersion(mediaType: string): '0.1' | '0.2' | '0.3' {
  // The four media types sigstore writes are exactly v0.1, v0.2 and v0.3: no semver to compare.
  const known = Object.hasOwn(BUNDLE_MEDIA_TYPES, mediaType) ? BUNDLE_MEDIA_TYPES[mediaType] : undefined;
  if (known !== undefined) return known;
  let version = BUNDLE_MEDIA_TYPES[mediaType] === undefined ? undefined : `v${BUNDLE_MEDIA_TYPES[mediaType]}`;
  if (
    version === undefined &&
    mediaType.startsWith(`${BUNDLE_MEDIA_TYPE_BASE}.v`) &&
    mediaType.endsWith('+json')
  )
    version = mediaType.slice(BUNDLE_MEDIA_TYPE_BASE.length + 1, -'+json'.length);
  const m = version === undefined ? null : SEMVER.exec(version);
  const badNumber = m?.[4]
    ?.slice(1)
    .split('.')
    .some((id) => /^0\d+$/.test(id));
  if (m === null || badNumber)
    throw new BundleFormatError(
      `Unsupported Sigstore bundle media type ${JSON.stringify(mediaType)} (v0.1 to v0.3 are supported)`,
    );
  const parsed = [
    BigInt(m[1] as string),
    BigInt(m[2] ?? '0'),
    BigInt(m[3] ?? '0'),
    m[4] !== undefined,
  ] as const;
  if (compareVersion(parsed, 1n) < 0 || compareVersion(parsed, 4n) >= 0)
    throw new BundleFormatError(
      `Unsupported Sigstore bundle media type ${JSON.stringify(mediaType)} (v0.1 to v0.3 are supported)`,
    );
  return compareVersion(parsed, 1n) === 0 ? '0.1' : compareVersion(parsed, 3n) >= 0 ? '0.3' : '0.2';
}

type ParsedTlogEntry = NonNullable<ReturnType<typeof tlogEntryShape.read>>;

/** sigstore-go's `ParseTransparencyLogEntry` checks, and the entry in its canonical JSON form. */
function tlogEntryOf(e: ParsedTlogEntry, i: number): TlogEntry {
  const what = `Sigstore bundle: tlogEntries[${i}]`;
  if (e.canonicalizedBody === undefined) throw new BundleFormatError(`${what} has no canonicalizedBody`);
  if (e.logId?.keyId === undefined) throw new BundleFormatError(`${what} has no logId.keyId`);
  if (e.kindVersion === undefined) throw new BundleFormatError(`${what} has no kindVersion`);
  const logIndex = e.logIndex ?? '0';
  if (logIndex.startsWith('-')) throw new BundleFormatError(`${what}.logIndex is negative`);
  const p = e.inclusionProof;
  if (p !== undefined && (p.checkpoint?.envelope ?? '') === '')
    throw new BundleFormatError(`${what}.inclusionProof has no checkpoint`);
  const set = e.inclusionPromise?.signedEntryTimestamp;
  return {
    logIndex,
    logId: { keyId: toBase64(e.logId.keyId) },
    kindVersion: { kind: e.kindVersion.kind ?? '', version: e.kindVersion.version ?? '' },
    integratedTime: e.integratedTime ?? '0',
    // An empty promise is no promise (sigstore-go keeps a SET only when it has bytes).
    ...(set === undefined || set.length === 0
      ? {}
      : { inclusionPromise: { signedEntryTimestamp: toBase64(set) } }),
    ...(p === undefined
      ? {}
      : {
          inclusionProof: {
            logIndex: p.logIndex ?? '0',
            rootHash: toBase64(p.rootHash ?? new Uint8Array()),
            treeSize: p.treeSize ?? '0',
            hashes: (p.hashes ?? []).map(toBase64),
            checkpoint: { envelope: p.checkpoint?.envelope ?? '' },
          },
        }),
    canonicalizedBody: toBase64(e.canonicalizedBody),
  };
}

/**
 * Parses a bundle as sigstore-go does (protojson, then its per-version rules) and throws
 * BundleFormatError for anything sigstore-go refuses: a member of the wrong JSON type or unknown to
 * the protobuf schema, two members of a oneof, more than 32 tlog entries, an entry without body,
 * log ID or kind, an inclusion proof without checkpoint, a v0.1 bundle without inclusion promise or
 * a later one without inclusion proof, a v0.3 certificate chain, a media type outside v0.1–v0.3.
 * Numbers come out canonical (int64 as decimal strings, bytes as standard base64).
 */
export function parseBundle(input: Uint8Array | string): SigstoreBundle {
  const doc = readProtoJson(
    input,
    bundleShape,
    'Sigstore bundle',
    (message, cause) => new BundleFormatError(message, { cause }),
  );
  const mediaType = doc.mediaType ?? '';
  const version = bundleVersion(mediaType);
  const material = doc.verificationMaterial;
  const tlogEntries = (material?.tlogEntries ?? []).map(tlogEntryOf);
  if (version === '0.1' && tlogEntries.length > 0 && !tlogEntries.some((e) => e.inclusionPromise))
    throw new BundleFormatError('Sigstore bundle v0.1: its tlog entries need an inclusion promise');
  if (version !== '0.1' && tlogEntries.length > 0 && !tlogEntries.some((e) => e.inclusionProof))
    throw new BundleFormatError(`Sigstore bundle ${mediaType}: its tlog entries need an inclusion proof`);
  if (version === '0.3' && material?.x509CertificateChain !== undefined)
    throw new BundleFormatError(
      'Sigstore bundle v0.3 must carry a single certificate, not x509CertificateChain',
    );
  if (doc.dsseEnvelope === undefined && doc.messageSignature === undefined)
    throw new BundleFormatError('Sigstore bundle needs exactly one of dsseEnvelope and messageSignature');
  if (
    material?.publicKey === undefined &&
    material?.certificate === undefined &&
    material?.x509CertificateChain === undefined
  )
    throw new BundleFormatError(
      'Sigstore bundle: verificationMaterial needs exactly one of publicKey, certificate, x509CertificateChain',
    );
  let certificate: Uint8Array | undefined;
  if (material.certificate !== undefined) {
    certificate = material.certificate.rawBytes;
    if (certificate === undefined)
      throw new BundleFormatError('Sigstore bundle: certificate.rawBytes is missing');
  }
  if (material.x509CertificateChain !== undefined) {
    certificate = material.x509CertificateChain.certificates?.[0]?.rawBytes;
    if (certificate === undefined)
      throw new BundleFormatError(
        'Sigstore bundle: x509CertificateChain.certificates[0].rawBytes is missing',
      );
  }
  const rfc3161Timestamps = (material.timestampVerificationData?.rfc3161Timestamps ?? []).map((t, i) => {
    if (t.signedTimestamp === undefined)
      throw new BundleFormatError(`Sigstore bundle: rfc3161Timestamps[${i}].signedTimestamp is missing`);
    return toBase64(t.signedTimestamp);
  });
  let dsseEnvelope: DsseEnvelope | undefined;
  if (doc.dsseEnvelope !== undefined) {
    const e = doc.dsseEnvelope;
    if (e.payload === undefined) throw new BundleFormatError('Sigstore bundle: dsseEnvelope has no payload');
    dsseEnvelope = {
      payloadType: e.payloadType ?? '',
      payload: e.payload,
      payloadBase64: toBase64(e.payload),
      signatures: (e.signatures ?? []).map((sig) => ({
        sig: toBase64(sig.sig ?? new Uint8Array()),
        ...(sig.keyid === undefined ? {} : { keyid: sig.keyid }),
      })),
    };
  }
  const m = doc.messageSignature;
  const digest = m?.messageDigest;
  const hint = material.publicKey?.hint;
  return {
    mediaType,
    version,
    ...(hint === undefined ? {} : { publicKeyHint: hint }),
    ...(certificate === undefined ? {} : { certificate }),
    ...(dsseEnvelope === undefined ? {} : { dsseEnvelope }),
    ...(m === undefined
      ? {}
      : {
          messageSignature: {
            signature: m.signature ?? new Uint8Array(),
            ...(digest === undefined
              ? {}
              : {
                  messageDigest: {
                    algorithm: digest.algorithm ?? 'HASH_ALGORITHM_UNSPECIFIED',
                    digest: digest.digest ?? new Uint8Array(),
                  },
                }),
          },
        }),
    tlogEntries,
    rfc3161Timestamps,
  };
}
