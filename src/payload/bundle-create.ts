/**
 * `createBundle`: a new key-based Sigstore bundle v0.3, encoded in protobuf field order as protojson
 * writes it (without its random spaces), so the bytes match what cosign 3 writes.
 *
 * Deliberately only v0.3, with a public-key hint or (keyless) the signing certificate — no chain, as
 * v0.3 requires; no older versions.
 * Reading bundles is `bundle.ts`; the OCI referrer a bundle is pushed in, `bundle-referrer.ts`.
 */

import { PayloadFormatError } from '../errors/payload.js';
import { toBase64, utf8 } from '../internal/bytes.js';
import { BUNDLE_V03_MEDIA_TYPE, type TlogEntry } from './bundle.js';
import { encodeGoJson, goStruct } from './go-json.js';

/** What a new key-based v0.3 bundle holds. */
export interface BundleInput {
  /** The key's hint (key-based signing); exactly one of this and `certificate`. */
  readonly publicKeyHint?: string;
  /** The signing certificate's DER (keyless signing). */
  readonly certificate?: Uint8Array;
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
  if ((input.publicKeyHint === undefined) === (input.certificate === undefined)) {
    throw new PayloadFormatError('createBundle needs exactly one of publicKeyHint and certificate');
  }
  const material = goStruct([
    ['publicKey', input.publicKeyHint === undefined ? undefined : goStruct([['hint', input.publicKeyHint]])],
    [
      'certificate',
      input.certificate === undefined ? undefined : goStruct([['rawBytes', toBase64(input.certificate)]]),
    ],
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
