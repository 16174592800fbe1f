/**
 * DSSE (Dead Simple Signing Envelope): the pre-authentication encoding, envelopes in both field
 * orders cosign has written, and verification over the payload bytes exactly as stored (decoded
 * from the envelope's base64, never re-serialized). Signing is the caller's `Signer`.
 */

import { InvalidArgumentError } from '../errors/base.js';
import { PayloadFormatError } from '../errors/payload.js';
import { concatBytes, fromBase64, toBase64, utf8 } from '../internal/bytes.js';
import type { PublicKey } from '../keys/key-objects.js';
import type { SignatureOptions } from '../keys/signature-scheme.js';
import type { Signer } from '../keys/signer.js';
import { verifySignatureSync } from '../keys/verify.js';
import { goSlice, goString, goStructOf, readGoJson } from './go-decode.js';
import { encodeGoJson, goStruct } from './go-json.js';

/** The DSSE payload type of in-toto statements (`application/vnd.in-toto+json`). */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** `"DSSEv1" SP len(type) SP type SP len(body) SP body`, lengths in bytes (not characters). */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Uint8Array {
  if (typeof payloadType !== 'string') throw new InvalidArgumentError('payloadType must be a string');
  if (!(payload instanceof Uint8Array)) throw new InvalidArgumentError('payload must be a Uint8Array');
  const type = utf8(payloadType);
  return concatBytes(utf8(`DSSEv1 ${type.length} `), type, utf8(` ${payload.length} `), payload);
}

/** One DSSE signature: the base64 signature and an optional key ID. */
export interface DsseSignature {
  readonly keyid?: string;
  /** Base64 signature over the PAE. */
  readonly sig: string;
}

/** A parsed envelope; `payload` holds the exact bytes that were signed. */
export interface DsseEnvelope {
  readonly payloadType: string;
  readonly payload: Uint8Array;
  /** The base64 text as stored (kept so nothing is re-encoded). */
  readonly payloadBase64: string;
  readonly signatures: readonly DsseSignature[];
}

/**
 * Envelope JSON. `legacy` is cosign ≤ 3.0.6 (`payloadType, payload, signatures:[{keyid:"",sig}]`);
 * `current` is cosign ≥ 3.1.0 (`payload, payloadType, signatures:[{sig}]`).
 */
export function encodeDsseEnvelope(
  envelope: { payloadType: string; payload: Uint8Array; signatures: readonly DsseSignature[] },
  form: 'current' | 'legacy' = 'current',
): Uint8Array {
  const payload = toBase64(envelope.payload);
  const signatures = envelope.signatures.map((s) =>
    form === 'legacy'
      ? goStruct([
          ['keyid', s.keyid ?? ''],
          ['sig', s.sig],
        ])
      : goStruct([
          ['keyid', s.keyid || undefined],
          ['sig', s.sig],
        ]),
  );
  const doc =
    form === 'legacy'
      ? goStruct([
          ['payloadType', envelope.payloadType],
          ['payload', payload],
          ['signatures', signatures],
        ])
      : goStruct([
          ['payload', payload],
          ['payloadType', envelope.payloadType],
          ['signatures', signatures],
        ]);
  return utf8(encodeGoJson(doc));
}

/** Signs `payload` into a DSSE envelope (one signature). */
export async function signDsse(
  signer: Signer,
  payloadType: string,
  payload: Uint8Array,
  options: { signal?: AbortSignal } = {},
): Promise<DsseEnvelope> {
  const signature = await signer.sign(
    preAuthEncoding(payloadType, payload),
    options.signal === undefined ? {} : { signal: options.signal },
  );
  const payloadBase64 = toBase64(payload);
  return { payloadType, payload, payloadBase64, signatures: [{ sig: toBase64(signature) }] };
}

/** Go decodes `[]byte` fields as std base64; cosign falls back to URL-safe for the payload. */
function decodeBase64Loose(text: string): Uint8Array | undefined {
  return (
    fromBase64(text) ??
    fromBase64(
      text
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(text.length / 4) * 4, '='),
    )
  );
}

/** go-securesystemslib's `dsse.Envelope`, the Go struct cosign decodes a `.att` layer into. */
const envelopeStruct = goStructOf({
  payloadType: goString,
  payload: goString,
  signatures: goSlice(goStructOf({ keyid: goString, sig: goString })),
});

/**
 * Parses an envelope as cosign reads a `.att` layer (Go `encoding/json` into go-securesystemslib's
 * `dsse.Envelope`): either field order, names case-insensitive, unknown members ignored, `null` as
 * empty; a member of the wrong type, or a payload that is not base64, throws PayloadFormatError.
 * (Envelopes inside Sigstore bundles are protojson: `parseBundle` reads those.) An object is read as
 * already-parsed JSON.
 */
export function parseDsseEnvelope(input: Uint8Array | string | object): DsseEnvelope {
  const d = readGoJson(
    typeof input === 'string' || input instanceof Uint8Array ? input : { parsed: input },
    envelopeStruct,
    'DSSE envelope',
    (message, cause) => new PayloadFormatError(message, { cause }),
  );
  const payload = decodeBase64Loose(d.payload);
  if (payload === undefined) throw new PayloadFormatError('DSSE envelope: payload is not base64');
  const signatures = d.signatures.map((s) => ({ sig: s.sig, ...(s.keyid === '' ? {} : { keyid: s.keyid }) }));
  return { payloadType: d.payloadType, payload, payloadBase64: d.payload, signatures };
}

/**
 * Indexes of the envelope's signatures that verify with `key` over PAE(payloadType, stored payload
 * bytes). Empty when none does. `keyid` is ignored, as in cosign.
 */
export function verifyDsseEnvelope(
  envelope: DsseEnvelope,
  key: PublicKey,
  options: SignatureOptions = {},
): number[] {
  const pae = preAuthEncoding(envelope.payloadType, envelope.payload);
  const verified: number[] = [];
  envelope.signatures.forEach((s, i) => {
    const signature = fromBase64(s.sig);
    if (signature !== undefined && verifySignatureSync(key, pae, signature, options)) verified.push(i);
  });
  return verified;
}
