/**
 * Rekor entry bodies, each read through its own kind's schema (hashedrekord, dsse, intoto; Rekor
 * v2's hashedrekord), and who an entry says signed (`loggedVerifiers`). A body that is not base64,
 * not JSON or not of its kind's shape is a failed check, never an exception.
 *
 * Deliberately not here: whether an entry is about a given signature (`tlog-entry.ts`), SETs and
 * inclusion proofs.
 */
import { PayloadFormatError } from '../../errors/payload.js';
import { fromBase64, fromUtf8 } from '../../internal/bytes.js';
import {
  array,
  type Infer,
  object,
  optional,
  readShape,
  type Shape,
  string,
  unknownValue,
} from '../../internal/shape.js';
import { decodeFirstPemBlock } from '../../keys/pem.js';

/*
 * The schemas, from sigstore/rekor `pkg/types/<kind>/<version>/*_schema.json` (Rekor v2:
 * rekor-tiles' `Entry`). Only the members that are compared are declared.
 */
const hash = optional(object({ algorithm: optional(string), value: optional(string) }));
const SPEC_SHAPES = {
  'hashedrekord/0.0.1': object({
    signature: optional(
      object({ content: optional(string), publicKey: optional(object({ content: optional(string) })) }),
    ),
    data: optional(object({ hash })),
  }),
  'hashedrekord/0.0.2': object({
    hashedRekordV002: optional(
      object({
        data: optional(object({ algorithm: optional(string), digest: optional(string) })),
        signature: optional(
          object({
            content: optional(string),
            verifier: optional(
              object({
                x509Certificate: optional(object({ rawBytes: optional(string) })),
                publicKey: optional(object({ rawBytes: optional(string) })),
              }),
            ),
          }),
        ),
      }),
    ),
  }),
  'dsse/0.0.1': object({
    signatures: optional(array(object({ signature: optional(string), verifier: optional(string) }))),
    payloadHash: hash,
    envelopeHash: hash,
  }),
  'intoto/0.0.1': object({ publicKey: optional(string), content: optional(object({ hash })) }),
  'intoto/0.0.2': object({
    content: optional(
      object({
        hash,
        envelope: optional(object({ signatures: optional(array(object({ publicKey: optional(string) }))) })),
      }),
    ),
  }),
};
type KnownKind = keyof typeof SPEC_SHAPES;
const headerShape = object({
  kind: optional(string),
  apiVersion: optional(string),
  spec: optional(unknownValue),
});

/**
 * A Rekor entry body, read through its kind's schema: `type` (`kind/apiVersion`) names which, and
 * is `unknown` for a kind ocisign does not read (its `spec` is then not looked at).
 */
export type RekorBody = { readonly kind: string | undefined; readonly apiVersion: string | undefined } & (
  | { [K in KnownKind]: { readonly type: K; readonly spec: Infer<(typeof SPEC_SHAPES)[K]> } }[KnownKind]
  | { readonly type: 'unknown' }
);

/** A Rekor entry body (base64 JSON), read through its kind's schema; a failed check when malformed. */
export function readRekorBody(
  bodyBase64: string,
): { ok: true; body: RekorBody } | { ok: false; message: string } {
  const bytes = fromBase64(bodyBase64);
  if (bytes === undefined) return { ok: false, message: 'the Rekor entry body is not base64' };
  let doc: unknown;
  try {
    doc = JSON.parse(fromUtf8(bytes));
  } catch {
    return { ok: false, message: 'the Rekor entry body is not JSON' };
  }
  try {
    const read = (value: unknown, s: Shape<unknown>) =>
      readShape(value, s, 'Rekor entry body', (m) => new PayloadFormatError(m));
    const { kind, apiVersion, spec } = read(doc, headerShape) as Infer<typeof headerShape>;
    const type = `${kind}/${apiVersion}`;
    if (!Object.hasOwn(SPEC_SHAPES, type)) return { ok: true, body: { kind, apiVersion, type: 'unknown' } };
    const shape = SPEC_SHAPES[type as KnownKind];
    return { ok: true, body: { kind, apiVersion, type, spec: read(spec ?? {}, shape) } as RekorBody };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** A failed check for an entry of a kind `what` does not cover. */
export function unknownKind(body: RekorBody, what: string): { ok: false; message: string } {
  return {
    ok: false,
    message: `the Rekor entry is a ${JSON.stringify(body.kind ?? '')} ${JSON.stringify(body.apiVersion ?? '')} entry, not one ${what}`,
  };
}

/** The DER of a base64 PEM verifier (the first block, as sigstore-go's `pem.Decode`), or undefined. */
export function pemVerifierDer(pemBase64: string | undefined): Uint8Array | undefined {
  const pem = pemBase64 === undefined ? undefined : fromBase64(pemBase64);
  return pem === undefined ? undefined : decodeFirstPemBlock(pem)?.bytes;
}

/**
 * Who the entry says signed: the DER of each logged verifier (a certificate or a public key), read
 * from its kind's own field — hashedrekord `spec.signature.publicKey.content`, dsse
 * `spec.signatures[].verifier`, intoto v0.0.2 `spec.content.envelope.signatures[].publicKey`,
 * intoto v0.0.1 `spec.publicKey` (base64 PEM), Rekor v2 hashedrekord `signature.verifier` (DER).
 * A failed check for a kind not read here (Rekor v2 dsse among them: sigstore-go refuses it) or a
 * verifier that is missing or not base64 PEM.
 */
export function loggedVerifiers(
  body: RekorBody,
): { ok: true; verifiers: Uint8Array[] } | { ok: false; message: string } {
  let pems: (string | undefined)[];
  if (body.type === 'hashedrekord/0.0.1') pems = [body.spec.signature?.publicKey?.content];
  else if (body.type === 'dsse/0.0.1') pems = (body.spec.signatures ?? []).map((s) => s.verifier);
  else if (body.type === 'intoto/0.0.1') pems = [body.spec.publicKey];
  else if (body.type === 'intoto/0.0.2')
    pems = (body.spec.content?.envelope?.signatures ?? []).map((s) => s.publicKey);
  else if (body.type === 'hashedrekord/0.0.2') {
    const verifier = body.spec.hashedRekordV002?.signature?.verifier;
    const der = fromBase64(verifier?.x509Certificate?.rawBytes ?? verifier?.publicKey?.rawBytes ?? '');
    return der === undefined || der.length === 0
      ? { ok: false, message: 'the Rekor entry names no verifier' }
      : { ok: true, verifiers: [der] };
  } else return unknownKind(body, 'ocisign reads');
  if (pems.length === 0) return { ok: false, message: 'the Rekor entry names no verifier' };
  const verifiers = pems.map(pemVerifierDer);
  if (verifiers.some((v) => v === undefined))
    return { ok: false, message: "the Rekor entry's verifier is not base64 PEM" };
  return { ok: true, verifiers: verifiers as Uint8Array[] };
}
