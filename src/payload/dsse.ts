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
import { encodeGoJson, goStruct } from './go-json.js';
import { parseJsonObject } from './json-object.js';

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

/** Parses an envelope (either field order; unknown fields ignored). */
export function parseDsseEnvelope(input: Uint8Array | string | object): DsseEnvelope {
  if (
    typeof input !== 'string' &&
    !(input instanceof Uint8Array) &&
    (typeof input !== 'object' || input === null || Array.isArray(input))
  ) {
    throw new PayloadFormatError('DSSE envelope is not a JSON object');
  }
  const d =
    typeof input === 'string' || input instanceof Uint8Array
      ? parseJsonObject(input, 'DSSE envelope')
      : (input as Record<string, unknown>);
  if (typeof d.payloadType !== 'string')
    throw new PayloadFormatError('DSSE envelope: payloadType must be a string');
  if (typeof d.payload !== 'string')
    throw new PayloadFormatError('DSSE envelope: payload must be a base64 string');
  const payload = decodeBase64Loose(d.payload);
  if (payload === undefined) throw new PayloadFormatError('DSSE envelope: payload is not base64');
  if (!Array.isArray(d.signatures)) throw new PayloadFormatError('DSSE envelope: signatures must be a list');
  const signatures = d.signatures.map((s, i) => {
    if (typeof s !== 'object' || s === null || typeof (s as { sig?: unknown }).sig !== 'string') {
      throw new PayloadFormatError(`DSSE envelope: signatures[${i}].sig must be a base64 string`);
    }
    const keyid = (s as { keyid?: unknown }).keyid;
    return { sig: (s as { sig: string }).sig, ...(typeof keyid === 'string' ? { keyid } : {}) };
  });
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
