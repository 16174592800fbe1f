/**
 * What the Rekor client proposes, and how it checks that the log logged that: a `hashedrekord`
 * (a signature over an artifact, with the key or certificate that verifies it) or a `dsse` entry
 * (an envelope and its verifier), written as Rekor v1's `ProposedEntry` (sigstore/rekor
 * `pkg/types/{hashedrekord,dsse}/v0.0.1`) or Rekor v2's `CreateEntryRequest` (rekor-tiles
 * `api/proto/rekor/v2`), and the logged body compared with the proposal: v1 bodies through the
 * verifier's own `entryMatches`, v2 bodies (`hashedrekord`/`dsse` 0.0.2) field by field here.
 *
 * Deliberately not here: HTTP, and the log's evidence (SET, inclusion proof: `sigstore/tlog/tlog-entry.ts`).
 */
import { X509Certificate } from '@sigstore/core';
import { InvalidArgumentError } from '../errors/base.js';
import { RekorResponseError } from '../errors/sigstore.js';
import { bytesEqual, fromBase64, fromUtf8, toBase64, utf8 } from '../internal/bytes.js';
import { array, type Infer, object, optional, readShape, string } from '../internal/shape.js';
import type { DigestAlgorithm } from '../keys/algorithms.js';
import { backend } from '../keys/backend/select.js';
import { importPublicKey } from '../keys/import.js';
import { isPublicKey, type PublicKey } from '../keys/key-objects.js';
import { encodePem } from '../keys/pem.js';
import { parseDsseEnvelope } from '../payload/dsse.js';
import { keyDetailsOf } from './key-details.js';
import type { RekorBody } from './tlog/rekor-body.js';
import { entryMatches, type TlogCheck } from './tlog/tlog-entry.js';

/** Who verifies the proposed signature: a public key, or a certificate (DER) for one. */
export type RekorVerifier = { readonly publicKey: PublicKey } | { readonly certificate: Uint8Array };

/** A `hashedrekord` entry: `signature` (bytes or base64) over `artifact`, verified by `verifier`. */
export interface HashedRekordProposal {
  readonly kind: 'hashedrekord';
  /** The signed bytes (e.g. a simple-signing payload); Rekor logs only their digest. */
  readonly artifact: Uint8Array;
  readonly signature: Uint8Array | string;
  readonly verifier: RekorVerifier;
}

/** A `dsse` entry: a signed DSSE envelope (its bytes, as a layer or bundle stores it) and its verifier. */
export interface DsseProposal {
  readonly kind: 'dsse';
  readonly envelope: Uint8Array;
  readonly verifier: RekorVerifier;
}

/** An entry to propose to Rekor. */
export type RekorProposal = HashedRekordProposal | DsseProposal;

/** The digest Rekor v2 requires a hashedrekord of each key kind to log (its `keyDetails`' hash). */
const V2_DIGEST: Record<PublicKey['algorithm'], DigestAlgorithm | undefined> = {
  'ecdsa-p256': 'sha256',
  'ecdsa-p384': 'sha384',
  'ecdsa-p521': 'sha512',
  'rsa-2048': 'sha256',
  'rsa-3072': 'sha256',
  'rsa-4096': 'sha256',
  ed25519: undefined,
};

/** A proposal, checked and with everything both APIs and the body comparison need. */
export interface PreparedProposal {
  readonly kind: 'hashedrekord' | 'dsse';
  /** Base64 signature (the envelope's one signature for dsse). */
  readonly signature: string;
  /** The signed artifact (hashedrekord) or the envelope's payload (dsse). */
  readonly payload: Uint8Array;
  readonly key: PublicKey;
  readonly certificate: Uint8Array | undefined;
  /** The verifier's DER: the certificate, else the key's SubjectPublicKeyInfo. */
  readonly verifierDer: Uint8Array;
  /** The verifier as Rekor v1 wants it: base64 of its PEM. */
  readonly verifierPemBase64: string;
  readonly envelope?: ReturnType<typeof parseDsseEnvelope>;
  readonly envelopeText?: string;
}

function verifierOf(verifier: RekorVerifier): Pick<PreparedProposal, 'key' | 'certificate'> {
  if (typeof verifier !== 'object' || verifier === null)
    throw new InvalidArgumentError('entry.verifier must be { publicKey } or { certificate }');
  if ('publicKey' in verifier) {
    if (!isPublicKey(verifier.publicKey))
      throw new InvalidArgumentError('entry.verifier.publicKey must be a PublicKey');
    return { key: verifier.publicKey, certificate: undefined };
  }
  if (!(verifier.certificate instanceof Uint8Array))
    throw new InvalidArgumentError('entry.verifier.certificate must be the DER bytes of a certificate');
  try {
    const cert = X509Certificate.parse(Buffer.from(verifier.certificate));
    return { key: importPublicKey(new Uint8Array(cert.publicKey)), certificate: verifier.certificate };
  } catch (cause) {
    throw new InvalidArgumentError('entry.verifier.certificate is not a certificate with a usable key', {
      cause,
    });
  }
}

/** Checks a caller's proposal; InvalidArgumentError naming what is wrong. */
export function prepareProposal(entry: RekorProposal): PreparedProposal {
  if (typeof entry !== 'object' || entry === null)
    throw new InvalidArgumentError('entry must be a hashedrekord or dsse proposal');
  const { key, certificate } = verifierOf(entry.verifier);
  const verifierDer = certificate ?? key.toDer();
  const pem = certificate === undefined ? key.toPem() : encodePem('CERTIFICATE', certificate);
  const common = { key, certificate, verifierDer, verifierPemBase64: toBase64(utf8(pem)) };
  if (entry.kind === 'hashedrekord') {
    if (!(entry.artifact instanceof Uint8Array))
      throw new InvalidArgumentError('entry.artifact must be the signed bytes');
    const raw = typeof entry.signature === 'string' ? fromBase64(entry.signature) : entry.signature;
    if (!(raw instanceof Uint8Array) || raw.length === 0)
      throw new InvalidArgumentError('entry.signature must be the signature (bytes or base64)');
    return { kind: 'hashedrekord', signature: toBase64(raw), payload: entry.artifact, ...common };
  }
  if (entry.kind === 'dsse') {
    if (!(entry.envelope instanceof Uint8Array))
      throw new InvalidArgumentError('entry.envelope must be the bytes of a DSSE envelope');
    const envelope = parseDsseEnvelope(entry.envelope);
    const [first, ...more] = envelope.signatures;
    if (first === undefined || more.length > 0)
      throw new InvalidArgumentError('entry.envelope must carry exactly one signature');
    return {
      kind: 'dsse',
      signature: first.sig,
      payload: envelope.payload,
      envelope,
      envelopeText: fromUtf8(entry.envelope),
      ...common,
    };
  }
  throw new InvalidArgumentError(
    `entry.kind must be "hashedrekord" or "dsse", got ${JSON.stringify((entry as { kind?: unknown }).kind)}`,
  );
}

const sha256Hex = (bytes: Uint8Array) => Buffer.from(backend().digest('sha256', bytes)).toString('hex');

/** Rekor v1's `ProposedEntry` for the proposal. */
export function v1ProposedEntry(p: PreparedProposal): object {
  if (p.kind === 'hashedrekord')
    return {
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: { hash: { algorithm: 'sha256', value: sha256Hex(p.payload) } },
        signature: { content: p.signature, publicKey: { content: p.verifierPemBase64 } },
      },
    };
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: { proposedContent: { envelope: p.envelopeText, verifiers: [p.verifierPemBase64] } },
  };
}

function v2Verifier(p: PreparedProposal): object {
  return {
    ...(p.certificate === undefined
      ? { publicKey: { rawBytes: toBase64(p.verifierDer) } }
      : { x509Certificate: { rawBytes: toBase64(p.verifierDer) } }),
    keyDetails: keyDetailsOf(p.key),
  };
}

/** The digest a Rekor v2 hashedrekord logs for this key kind; InvalidArgumentError for Ed25519. */
function v2Digest(p: PreparedProposal): Uint8Array {
  const algorithm = V2_DIGEST[p.key.algorithm];
  if (algorithm === undefined)
    throw new InvalidArgumentError(
      'Rekor v2 logs no hashedrekord for a pure Ed25519 key (it has no digest to log): use a dsse entry or Rekor v1',
    );
  return backend().digest(algorithm, p.payload);
}

/** Rekor v2's `CreateEntryRequest` for the proposal. */
export function v2CreateEntryRequest(p: PreparedProposal): object {
  if (p.kind === 'hashedrekord')
    return {
      hashedRekordRequestV002: {
        digest: toBase64(v2Digest(p)),
        signature: { content: p.signature, verifier: v2Verifier(p) },
      },
    };
  const envelope = p.envelope as NonNullable<PreparedProposal['envelope']>;
  return {
    dsseRequestV002: {
      envelope: {
        payload: envelope.payloadBase64,
        payloadType: envelope.payloadType,
        signatures: envelope.signatures.map((s) => ({ sig: s.sig, keyid: s.keyid ?? '' })),
      },
      verifiers: [v2Verifier(p)],
    },
  };
}

// Rekor v2 bodies: rekor-tiles' `Entry` as protojson (only the compared members declared).
const v2VerifierShape = optional(
  object({
    publicKey: optional(object({ rawBytes: optional(string) })),
    x509Certificate: optional(object({ rawBytes: optional(string) })),
  }),
);
const v2SignatureShape = object({ content: optional(string), verifier: v2VerifierShape });
const v2DigestShape = optional(object({ algorithm: optional(string), digest: optional(string) }));
const v2BodyShape = object({
  kind: optional(string),
  apiVersion: optional(string),
  spec: optional(
    object({
      hashedRekordV002: optional(object({ data: v2DigestShape, signature: optional(v2SignatureShape) })),
      dsseV002: optional(
        object({ payloadHash: v2DigestShape, signatures: optional(array(v2SignatureShape)) }),
      ),
    }),
  ),
});

function v2SignatureIs(
  s: { content?: string | undefined; verifier?: unknown },
  p: PreparedProposal,
): boolean {
  const v = s.verifier as
    | { publicKey?: { rawBytes?: string }; x509Certificate?: { rawBytes?: string } }
    | undefined;
  const raw = p.certificate === undefined ? v?.publicKey?.rawBytes : v?.x509Certificate?.rawBytes;
  const der = raw === undefined ? undefined : fromBase64(raw);
  return s.content === p.signature && der !== undefined && bytesEqual(der, p.verifierDer);
}

/** Whether a Rekor v2 body (hashedrekord or dsse 0.0.2) logs exactly this proposal. */
function v2BodyMatches(bodyBase64: string, p: PreparedProposal): TlogCheck {
  let body: Infer<typeof v2BodyShape>;
  try {
    const text = fromUtf8(fromBase64(bodyBase64) ?? new Uint8Array());
    body = readShape(JSON.parse(text), v2BodyShape, 'Rekor v2 entry body', (m) => new RekorResponseError(m));
  } catch (error) {
    return { ok: false, message: `the logged body does not read: ${(error as Error).message}` };
  }
  if (body.kind !== p.kind || body.apiVersion !== '0.0.2')
    return {
      ok: false,
      message: `the log logged a ${body.kind} ${body.apiVersion} entry, not ${p.kind} 0.0.2`,
    };
  if (p.kind === 'hashedrekord') {
    const spec = body.spec?.hashedRekordV002;
    if (spec?.signature === undefined || !v2SignatureIs(spec.signature, p))
      return { ok: false, message: 'the logged entry is for another signature or verifier' };
    if (spec.data?.digest !== toBase64(v2Digest(p)))
      return { ok: false, message: 'the logged entry is for another artifact digest' };
    return { ok: true, message: 'ok' };
  }
  const spec = body.spec?.dsseV002;
  const signatures = spec?.signatures ?? [];
  if (signatures.length !== 1 || !signatures.every((s) => v2SignatureIs(s, p)))
    return { ok: false, message: 'the logged entry is for another signature or verifier' };
  if (
    spec?.payloadHash?.algorithm !== 'SHA2_256' ||
    spec.payloadHash.digest !== toBase64(backend().digest('sha256', p.payload))
  )
    return { ok: false, message: 'the logged entry is for another payload' };
  return { ok: true, message: 'ok' };
}

/**
 * The check of a logged body against the proposal, for `verifyTlogEntry`: Rekor v1's through
 * `entryMatches` (signature, verifier, payload digest), Rekor v2's field by field.
 */
export function loggedAsProposed(
  p: PreparedProposal,
  apiVersion: 1 | 2,
  bodyBase64: string,
): (body: RekorBody) => TlogCheck {
  if (apiVersion === 2) return () => v2BodyMatches(bodyBase64, p);
  return (body) =>
    body.kind !== p.kind
      ? { ok: false, message: `the log logged a ${body.kind} entry, not ${p.kind}` }
      : entryMatches(body, {
          signature: p.signature,
          key: p.key,
          payload: p.payload,
          certificate: p.certificate,
        });
}
