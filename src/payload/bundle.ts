/**
 * Sigstore bundles for the key-based case: parse (v0.1–v0.3, with sigstore-go's validation rules per
 * version) and create (v0.3), plus the OCI referrer manifest cosign 3 pushes a bundle in and the
 * fallback index entry for registries without the referrers API.
 *
 * Key material inside a bundle is exposed for information only: a public-key hint or a certificate
 * never becomes a trusted key — verifiers use the keys their caller trusts. Transparency-log
 * entries and RFC 3161 timestamps are carried through as they are; checking them is the verify
 * layer's job.
 */

import { BundleFormatError, PayloadFormatError } from '../errors/payload.js';
import { fromBase64, toBase64, utf8 } from '../internal/bytes.js';
import { sha256Digest } from './digest.js';
import { type DsseEnvelope, parseDsseEnvelope } from './dsse.js';
import { encodeGoJson, goStruct } from './go-json.js';
import { parseJsonObject } from './json-object.js';
import {
  type Descriptor,
  type ImageIndex,
  indexStruct,
  manifestStruct,
  OCI_EMPTY,
  OCI_INDEX,
  OCI_MANIFEST,
} from './oci.js';

/** Media type of a Sigstore bundle v0.3 (`application/vnd.dev.sigstore.bundle.v0.3+json`). */
export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const BUNDLE_MEDIA_TYPES: Readonly<Record<string, '0.1' | '0.2' | '0.3'>> = {
  'application/vnd.dev.sigstore.bundle+json;version=0.1': '0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2': '0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3': '0.3',
  [BUNDLE_V03_MEDIA_TYPE]: '0.3',
};

/** The two bytes `{}`, the empty config cosign 3 gives bundle referrers. */
export const EMPTY_JSON = utf8('{}');

/** A transparency log entry as a bundle carries it (fields kept as the JSON had them). */
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

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bytesField(v: unknown, what: string): Uint8Array {
  const bytes = typeof v === 'string' ? fromBase64(v) : undefined;
  if (bytes === undefined) throw new BundleFormatError(`Sigstore bundle: ${what} must be base64`);
  return bytes;
}

function checkTlogEntry(entry: unknown, i: number, version: string): TlogEntry {
  if (!isRecord(entry)) throw new BundleFormatError(`Sigstore bundle: tlogEntries[${i}] must be an object`);
  for (const key of ['logIndex', 'integratedTime', 'canonicalizedBody']) {
    if (typeof entry[key] !== 'string' && typeof entry[key] !== 'number')
      throw new BundleFormatError(`Sigstore bundle: tlogEntries[${i}].${key} is missing`);
  }
  if (!isRecord(entry.logId) || typeof entry.logId.keyId !== 'string')
    throw new BundleFormatError(`Sigstore bundle: tlogEntries[${i}].logId.keyId is missing`);
  if (!isRecord(entry.kindVersion))
    throw new BundleFormatError(`Sigstore bundle: tlogEntries[${i}].kindVersion is missing`);
  if (version === '0.1' && !isRecord(entry.inclusionPromise)) {
    throw new BundleFormatError(`Sigstore bundle v0.1: tlogEntries[${i}] needs an inclusion promise`);
  }
  if (version !== '0.1' && !isRecord(entry.inclusionProof)) {
    throw new BundleFormatError(`Sigstore bundle v${version}: tlogEntries[${i}] needs an inclusion proof`);
  }
  if (entry.inclusionProof !== undefined) {
    const p = entry.inclusionProof;
    if (
      !isRecord(p) ||
      !Array.isArray(p.hashes) ||
      !isRecord(p.checkpoint) ||
      typeof p.checkpoint.envelope !== 'string' ||
      typeof p.rootHash !== 'string'
    ) {
      throw new BundleFormatError(`Sigstore bundle: tlogEntries[${i}].inclusionProof is malformed`);
    }
  }
  return entry as unknown as TlogEntry;
}

/** Parses a bundle and applies sigstore-go's rules for its version. Throws BundleFormatError. */
export function parseBundle(input: Uint8Array | string): SigstoreBundle {
  const doc = parseJsonObject(input, 'Sigstore bundle', (message) => new BundleFormatError(message));
  const version = typeof doc.mediaType === 'string' ? BUNDLE_MEDIA_TYPES[doc.mediaType] : undefined;
  if (version === undefined)
    throw new BundleFormatError(
      `Unsupported Sigstore bundle media type ${JSON.stringify(doc.mediaType)} (v0.1 to v0.3 are supported)`,
    );
  const material = doc.verificationMaterial;
  if (!isRecord(material)) throw new BundleFormatError('Sigstore bundle: verificationMaterial is missing');
  const kinds = ['publicKey', 'certificate', 'x509CertificateChain'].filter((k) => material[k] !== undefined);
  if (kinds.length !== 1)
    throw new BundleFormatError(
      'Sigstore bundle: verificationMaterial needs exactly one of publicKey, certificate, x509CertificateChain',
    );
  if (version === '0.3' && material.x509CertificateChain !== undefined) {
    throw new BundleFormatError(
      'Sigstore bundle v0.3 must carry a single certificate, not x509CertificateChain',
    );
  }
  let publicKeyHint: string | undefined;
  if (material.publicKey !== undefined) {
    if (!isRecord(material.publicKey))
      throw new BundleFormatError('Sigstore bundle: publicKey must be an object');
    if (material.publicKey.hint !== undefined && typeof material.publicKey.hint !== 'string')
      throw new BundleFormatError('Sigstore bundle: publicKey.hint must be a string');
    publicKeyHint = material.publicKey.hint as string | undefined;
  }
  let certificate: Uint8Array | undefined;
  if (material.certificate !== undefined)
    certificate = bytesField(
      (material.certificate as { rawBytes?: unknown })?.rawBytes,
      'certificate.rawBytes',
    );
  if (material.x509CertificateChain !== undefined) {
    const first = (material.x509CertificateChain as { certificates?: Array<{ rawBytes?: unknown }> })
      ?.certificates?.[0];
    certificate = bytesField(first?.rawBytes, 'x509CertificateChain.certificates[0].rawBytes');
  }
  const tlog = material.tlogEntries ?? [];
  if (!Array.isArray(tlog)) throw new BundleFormatError('Sigstore bundle: tlogEntries must be a list');
  const tlogEntries = tlog.map((e, i) => checkTlogEntry(e, i, version));
  const tsData = material.timestampVerificationData;
  const rfc3161 = isRecord(tsData) && Array.isArray(tsData.rfc3161Timestamps) ? tsData.rfc3161Timestamps : [];
  const rfc3161Timestamps = rfc3161.map((t, i) => {
    const signed = (t as { signedTimestamp?: unknown })?.signedTimestamp;
    bytesField(signed, `rfc3161Timestamps[${i}].signedTimestamp`);
    return signed as string;
  });
  const hasDsse = doc.dsseEnvelope !== undefined;
  const hasMessage = doc.messageSignature !== undefined;
  if (hasDsse === hasMessage)
    throw new BundleFormatError('Sigstore bundle needs exactly one of dsseEnvelope and messageSignature');
  let dsseEnvelope: DsseEnvelope | undefined;
  let messageSignature: SigstoreBundle['messageSignature'];
  if (hasDsse) {
    try {
      dsseEnvelope = parseDsseEnvelope(doc.dsseEnvelope as object);
    } catch (cause) {
      throw new BundleFormatError(`Sigstore bundle: ${(cause as Error).message}`, { cause });
    }
  } else {
    const m = doc.messageSignature;
    if (!isRecord(m)) throw new BundleFormatError('Sigstore bundle: messageSignature must be an object');
    const digest = m.messageDigest;
    messageSignature = {
      signature: bytesField(m.signature, 'messageSignature.signature'),
      ...(isRecord(digest) && typeof digest.algorithm === 'string'
        ? {
            messageDigest: {
              algorithm: digest.algorithm,
              digest: bytesField(digest.digest, 'messageSignature.messageDigest.digest'),
            },
          }
        : {}),
    };
  }
  return {
    mediaType: doc.mediaType as string,
    version,
    ...(publicKeyHint === undefined ? {} : { publicKeyHint }),
    ...(certificate === undefined ? {} : { certificate }),
    ...(dsseEnvelope === undefined ? {} : { dsseEnvelope }),
    ...(messageSignature === undefined ? {} : { messageSignature }),
    tlogEntries,
    rfc3161Timestamps,
  };
}

/** What a new key-based v0.3 bundle holds. */
export interface BundleInput {
  readonly publicKeyHint: string;
  readonly dsseEnvelope?: {
    readonly payload: Uint8Array;
    readonly payloadType: string;
    readonly signatures: ReadonlyArray<{ readonly sig: string }>;
  };
  readonly messageSignature?: {
    readonly signature: Uint8Array;
    readonly messageDigest?: {
      readonly algorithm: 'SHA2_256' | 'SHA2_384' | 'SHA2_512';
      readonly digest: Uint8Array;
    };
  };
  readonly tlogEntries?: readonly TlogEntry[];
  readonly rfc3161Timestamps?: readonly string[];
}

/** Encodes a v0.3 bundle in protobuf field order (as protojson writes it, without the random spaces). */
export function createBundle(input: BundleInput): Uint8Array {
  if ((input.dsseEnvelope === undefined) === (input.messageSignature === undefined)) {
    throw new PayloadFormatError('createBundle needs exactly one of dsseEnvelope and messageSignature');
  }
  const material = goStruct([
    ['publicKey', goStruct([['hint', input.publicKeyHint]])],
    ['tlogEntries', input.tlogEntries?.length ? input.tlogEntries : undefined],
    [
      'timestampVerificationData',
      input.rfc3161Timestamps?.length
        ? goStruct([
            ['rfc3161Timestamps', input.rfc3161Timestamps.map((t) => goStruct([['signedTimestamp', t]]))],
          ])
        : undefined,
    ],
  ]);
  const dsse = input.dsseEnvelope;
  const message = input.messageSignature;
  return utf8(
    encodeGoJson(
      goStruct([
        ['mediaType', BUNDLE_V03_MEDIA_TYPE],
        ['verificationMaterial', material],
        [
          'messageSignature',
          message === undefined
            ? undefined
            : goStruct([
                [
                  'messageDigest',
                  message.messageDigest === undefined
                    ? undefined
                    : goStruct([
                        ['algorithm', message.messageDigest.algorithm],
                        ['digest', toBase64(message.messageDigest.digest)],
                      ]),
                ],
                ['signature', toBase64(message.signature)],
              ]),
        ],
        [
          'dsseEnvelope',
          dsse === undefined
            ? undefined
            : goStruct([
                ['payload', toBase64(dsse.payload)],
                ['payloadType', dsse.payloadType],
                ['signatures', dsse.signatures.map((s) => goStruct([['sig', s.sig]]))],
              ]),
        ],
      ]),
      { escapeHtml: false },
    ),
  );
}

/** The OCI referrer cosign 3 pushes a bundle in, ready to upload (blobs first, then the manifest by digest). */
export interface BundleReferrer {
  readonly manifest: Uint8Array;
  readonly manifestDescriptor: Descriptor;
  readonly config: Uint8Array;
  readonly configDescriptor: Descriptor;
  readonly bundle: Uint8Array;
  readonly bundleDescriptor: Descriptor;
}

/** RFC 3339 UTC to the second, as cosign writes `org.opencontainers.image.created`. */
function rfc3339Seconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * The referrer manifest for a bundle, byte-identical to cosign's: empty `{}` config whose
 * descriptor carries the (non-standard) `artifactType`, one bundle layer, the bundle annotations, the
 * subject, and a top-level `artifactType`.
 */
export function bundleReferrerManifest(input: {
  bundle: Uint8Array;
  subject: Descriptor;
  predicateType: string;
  content?: 'dsse-envelope' | 'message-signature';
  created?: Date | string;
}): BundleReferrer {
  const configDescriptor: Descriptor = {
    mediaType: OCI_EMPTY,
    size: EMPTY_JSON.length,
    digest: sha256Digest(EMPTY_JSON),
    artifactType: BUNDLE_V03_MEDIA_TYPE,
  };
  const bundleDescriptor: Descriptor = {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    size: input.bundle.length,
    digest: sha256Digest(input.bundle),
  };
  const created =
    typeof input.created === 'string' ? input.created : rfc3339Seconds(input.created ?? new Date());
  const manifest = utf8(
    encodeGoJson(
      manifestStruct({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: configDescriptor,
        layers: [bundleDescriptor],
        annotations: {
          'dev.sigstore.bundle.content': input.content ?? 'dsse-envelope',
          'dev.sigstore.bundle.predicateType': input.predicateType,
          'org.opencontainers.image.created': created,
        },
        subject: {
          mediaType: input.subject.mediaType,
          size: input.subject.size,
          digest: input.subject.digest,
        },
        artifactType: BUNDLE_V03_MEDIA_TYPE,
      }),
    ),
  );
  return {
    manifest,
    manifestDescriptor: {
      mediaType: OCI_MANIFEST,
      size: manifest.length,
      digest: sha256Digest(manifest),
      artifactType: BUNDLE_V03_MEDIA_TYPE,
    },
    config: EMPTY_JSON,
    configDescriptor,
    bundle: input.bundle,
    bundleDescriptor,
  };
}

/**
 * The referrers fallback index (tag `sha256-<hex>`) as go-containerregistry writes it: entries
 * sorted by digest, no annotations, `artifactType` from the manifest (ggcr ≥ 0.21.6, cosign ≥
 * 3.1.0) or from its config media type (`before-0.21.6`).
 */
export function encodeReferrersIndex(
  entries: ReadonlyArray<Descriptor & { configMediaType?: string }>,
  ggcr: 'current' | 'before-0.21.6' = 'current',
): Uint8Array {
  const manifests = [...entries]
    .sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0))
    .map((e) => {
      const artifactType =
        ggcr === 'current' ? (e.artifactType ?? e.configMediaType) : (e.configMediaType ?? e.artifactType);
      return {
        mediaType: e.mediaType,
        size: e.size,
        digest: e.digest,
        ...(artifactType === undefined ? {} : { artifactType }),
      };
    });
  const index: ImageIndex = { schemaVersion: 2, mediaType: OCI_INDEX, manifests };
  return utf8(encodeGoJson(indexStruct(index)));
}
