/**
 * One layer of cosign's classic signature and attestation images: the descriptor of a signature
 * payload with the annotations cosign writes on it (signature, certificate and chain, Rekor bundle,
 * RFC 3161 timestamp), reading the Rekor bundle annotation back as cosign decodes it, and the
 * structural half of cosign's duplicate check. Byte-identical to what cosign pushes.
 *
 * Deliberately only the layer: the image's config and manifest are in `signature-config.ts` and
 * `signature-image.ts`; verifying the signature or the Rekor bundle happens above (sign layer).
 */

import { InvalidArgumentError } from '../errors/base.js';
import { PayloadFormatError } from '../errors/payload.js';
import { sha256Digest } from './digest.js';
import { goAny, goBytes, goInt64, goString, goStructOf, readGoJson } from './go-decode.js';
import { encodeGoJson, goStruct } from './go-json.js';
import type { Descriptor } from './oci.js';
import { SIMPLE_SIGNING_MEDIA_TYPE } from './simple-signing.js';

/** Layer annotation keys, spelled exactly as cosign's code writes them. */
export const SignatureAnnotation = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
  rfc3161Timestamp: 'dev.sigstore.cosign/rfc3161timestamp',
  predicateType: 'predicateType',
} as const;

/** Media type of a DSSE envelope layer (`application/vnd.dsse.envelope.v1+json`). */
export const DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';

/** The Rekor bundle annotation: `{"SignedEntryTimestamp":…,"Payload":{"body","integratedTime","logIndex","logID"}}`. */
export interface RekorBundle {
  readonly SignedEntryTimestamp: string;
  readonly Payload: {
    readonly body: string;
    readonly integratedTime: number;
    readonly logIndex: number;
    readonly logID: string;
  };
}

/** cosign's `bundle.RekorBundle` Go struct, which `json.Unmarshal` reads the bundle annotation into. */
const rekorBundleStruct = goStructOf({
  SignedEntryTimestamp: goBytes,
  Payload: goStructOf({ body: goAny, integratedTime: goInt64, logIndex: goInt64, logID: goString }),
});

/** A Rekor bundle annotation as cosign decodes it: a missing member is its zero value. */
export interface ParsedRekorBundle {
  /** The SET's bytes, or null when the annotation has none. */
  readonly signedEntryTimestamp: Uint8Array | null;
  readonly payload: {
    /** The base64 entry body; cosign requires a string (anything else fails verification). */
    readonly body: unknown;
    readonly integratedTime: number;
    readonly logIndex: number;
    readonly logID: string;
  };
}

/**
 * Parses the `dev.sigstore.cosign/bundle` annotation as cosign does (Go `encoding/json` into its
 * `RekorBundle`: names case-insensitive, `null` and missing members zero, `1.5` for an integer or a
 * number for `logID` refused). Throws PayloadFormatError.
 */
export function parseRekorBundleAnnotation(text: string): ParsedRekorBundle {
  const b = readGoJson(
    text,
    rekorBundleStruct,
    'Rekor bundle annotation',
    (message, cause) => new PayloadFormatError(message, { cause }),
  );
  return { signedEntryTimestamp: b.SignedEntryTimestamp, payload: b.Payload };
}

/** What one signature (or attestation) layer carries. */
export interface SignatureLayerInput {
  /** The signed bytes: a simple-signing payload, or a DSSE envelope for attestations. */
  readonly payload: Uint8Array;
  /** Default: simple-signing. Use DSSE_MEDIA_TYPE for attestations. */
  readonly mediaType?: string;
  /** Base64 signature; `''` for attestation layers (the signature lives in the envelope). */
  readonly signature: string;
  /** PEM leaf certificate; when given, `chain` is written too (empty when absent), as cosign does. */
  readonly certificate?: string;
  readonly chain?: string;
  readonly bundle?: RekorBundle;
  /** Base64 DER RFC 3161 TimeStampResp. */
  readonly rfc3161Timestamp?: string;
  /** Extra annotations (e.g. `predicateType` on attestation layers). */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The descriptor of one signature layer: uncompressed payload, annotations as cosign writes them. */
export function signatureLayerDescriptor(layer: SignatureLayerInput): Descriptor {
  if (!(layer.payload instanceof Uint8Array)) throw new InvalidArgumentError('payload must be a Uint8Array');
  const annotations: Record<string, string> = {
    ...layer.annotations,
    [SignatureAnnotation.signature]: layer.signature,
  };
  if (layer.certificate !== undefined) {
    annotations[SignatureAnnotation.certificate] = layer.certificate;
    annotations[SignatureAnnotation.chain] = layer.chain ?? '';
  }
  if (layer.bundle !== undefined) {
    const b = layer.bundle;
    annotations[SignatureAnnotation.bundle] = encodeGoJson(
      goStruct([
        ['SignedEntryTimestamp', b.SignedEntryTimestamp],
        [
          'Payload',
          goStruct([
            ['body', b.Payload.body],
            ['integratedTime', b.Payload.integratedTime],
            ['logIndex', b.Payload.logIndex],
            ['logID', b.Payload.logID],
          ]),
        ],
      ]),
    );
  }
  if (layer.rfc3161Timestamp !== undefined) {
    annotations[SignatureAnnotation.rfc3161Timestamp] = encodeGoJson(
      goStruct([['SignedRFC3161Timestamp', layer.rfc3161Timestamp]]),
    );
  }
  return {
    mediaType: layer.mediaType ?? SIMPLE_SIGNING_MEDIA_TYPE,
    size: layer.payload.length,
    digest: sha256Digest(layer.payload),
    annotations,
  };
}

/**
 * The structural half of cosign's duplicate check: same payload digest and media type, and every
 * non-signature annotation of the candidate present with an equal value on the existing layer. The
 * caller must also verify the existing signature over the candidate's payload (ECDSA signatures are
 * randomized, so comparing signature bytes would never find a duplicate).
 */
export function sameSignatureLayerContent(existing: Descriptor, candidate: Descriptor): boolean {
  if (existing.digest !== candidate.digest || existing.mediaType !== candidate.mediaType) return false;
  for (const [key, value] of Object.entries(candidate.annotations ?? {})) {
    if (key === SignatureAnnotation.signature) continue;
    if (existing.annotations?.[key] !== value) return false;
  }
  return true;
}
