/**
 * The DSSE-carrying kinds of Rekor v1: `dsse` 0.0.1 and `intoto` 0.0.1 / 0.0.2 (sigstore/rekor
 * `pkg/types/dsse/v0.0.1/entry.go`, `pkg/types/intoto/v0.0.{1,2}/entry.go`). Each checks the
 * envelope's signatures over the PAE with the proposed keys (ECDSA and RSA with SHA-256 whatever
 * the curve, Ed25519 pure: `signature.LoadVerifier(key, crypto.SHA256)`) and returns the spec Rekor
 * logs: the hashes it computes (payload; envelope, except for intoto 0.0.2 whose envelope hash the
 * client supplies) and the verifiers. Deliberately not here: the attestation storage Rekor can
 * keep beside entries.
 */
import type { KeyObject } from 'node:crypto';
import { fromUtf8, toBase64, utf8 } from '../../../internal/bytes.js';
import { isJsonObject } from '../../../internal/shape.js';
import { preAuthEncoding } from '../../../payload/dsse.js';
import { InvalidEntry, RekorRefusal } from './refusal.js';
import { verifyMessageSignature } from './signatures.js';
import {
  arrayField,
  decodeBase64Field,
  dsseBase64,
  type GoMap,
  mapField,
  sha256Hex,
  specMap,
  stringField,
} from './spec-values.js';
import { type ProposedVerifier, readPemVerifier } from './verifiers.js';

interface Envelope {
  readonly payloadType: string;
  readonly payload: string;
  readonly signatures: readonly { readonly keyid: string; readonly sig: string }[];
}

/** `json.Unmarshal` of a DSSE envelope into go-securesystemslib's `dsse.Envelope`. */
function parseEnvelope(text: string): Envelope {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new InvalidEntry(`invalid character in DSSE envelope: ${(error as Error).message}`);
  }
  if (!isJsonObject(doc))
    throw new InvalidEntry('json: cannot unmarshal DSSE envelope into Go value of type dsse.Envelope');
  const signatures = (arrayField(doc, 'signatures') ?? []).map((s) => ({
    keyid: stringField(isJsonObject(s) ? s : undefined, 'keyid') ?? '',
    sig: stringField(isJsonObject(s) ? s : undefined, 'sig') ?? '',
  }));
  return {
    payloadType: stringField(doc, 'payloadType') ?? '',
    payload: stringField(doc, 'payload') ?? '',
    signatures,
  };
}

/**
 * go-securesystemslib `EnvelopeVerifier.Verify` with one key, threshold 1: the signatures (their
 * base64 text) that `key` verifies over the PAE; an error when none does.
 */
function acceptedBy(key: KeyObject, envelope: Envelope): string[] {
  if (envelope.signatures.length === 0)
    throw new InvalidEntry('could not verify envelope: no signature found');
  const payload = dsseBase64(envelope.payload);
  if (payload === undefined)
    throw new InvalidEntry(
      'could not verify envelope: unable to base64 decode payload (is payload in the right format?)',
    );
  const pae = preAuthEncoding(envelope.payloadType, payload);
  const accepted = envelope.signatures
    .filter((s) => {
      const signature = dsseBase64(s.sig);
      return signature !== undefined && verifyMessageSignature(key, 'sha256', pae, signature);
    })
    .map((s) => s.sig);
  if (accepted.length === 0)
    throw new InvalidEntry(
      'could not verify envelope: accepted signatures do not match threshold, Found: 0, Expected 1',
    );
  return accepted;
}

/** Which proposed verifier verified each signature; every signature must have one. */
function verifiersBySignature(
  verifiers: readonly ProposedVerifier[],
  envelope: Envelope,
): Map<string, ProposedVerifier> {
  const bySignature = new Map<string, ProposedVerifier>();
  const pending = new Set(envelope.signatures.map((s) => s.sig));
  for (const verifier of verifiers) {
    if (pending.size === 0) break;
    for (const sig of acceptedBy(verifier.key, envelope)) {
      pending.delete(sig);
      bySignature.set(sig, verifier);
    }
  }
  if (pending.size > 0) throw new InvalidEntry('all signatures must have a key that verifies it');
  return bySignature;
}

function decodedPayload(envelope: Envelope): Uint8Array {
  const payload = dsseBase64(envelope.payload);
  if (payload === undefined) throw new InvalidEntry('could not decode envelope payload');
  return payload;
}

const sha256Of = (bytes: Uint8Array) => ({ algorithm: 'sha256', value: sha256Hex(bytes) });

/** dsse 0.0.1: `proposedContent {envelope, verifiers}` → envelope and payload hashes, sorted signatures. */
export function dsseV001(spec: unknown): object {
  const m = specMap(spec, 'DSSEV001Schema');
  const proposed = mapField(m, 'proposedContent');
  const canonicalFields = ['envelopeHash', 'payloadHash', 'signatures'].filter((k) => Object.hasOwn(m, k));
  if (proposed === undefined)
    throw new InvalidEntry(
      canonicalFields.length === 3
        ? 'entry not insertable into log: missing proposed content'
        : 'either proposedContent or envelopeHash, payloadHash, and signatures must be present',
    );
  const envelopeText = stringField(proposed, 'envelope');
  const verifierTexts = arrayField(proposed, 'verifiers');
  if (envelopeText === undefined) throw new InvalidEntry('proposedContent.envelope in body is required');
  if (verifierTexts === undefined || verifierTexts.length === 0)
    throw new InvalidEntry('proposedContent.verifiers in body should have at least 1 items');
  if (canonicalFields.length > 0)
    throw new InvalidEntry(
      'either proposedContent or envelopeHash, payloadHash, and signatures must be present but not both',
    );
  const verifiers = verifierTexts
    .filter((v): v is string => typeof v === 'string' && v !== '')
    .map((v) => decodeBase64Field(v, 'verifier'))
    .map((pem) => {
      try {
        return readPemVerifier(pem);
      } catch (error) {
        throw new InvalidEntry(`could not parse public key as x509: ${(error as Error).message}`);
      }
    });
  const envelope = parseEnvelope(envelopeText);
  if (envelope.signatures.length === 0)
    throw new InvalidEntry('DSSE envelope must contain 1 or more signatures');
  const bySignature = verifiersBySignature(verifiers, envelope);
  const signatures = [...bySignature.keys()].sort().map((signature) => ({
    signature,
    verifier: toBase64(utf8((bySignature.get(signature) as ProposedVerifier).canonicalPem)),
  }));
  return {
    envelopeHash: sha256Of(utf8(envelopeText)),
    payloadHash: sha256Of(decodedPayload(envelope)),
    signatures,
  };
}

/** A `{algorithm, value}` hash member, checked as the intoto schemas check it (sha256 only). */
function readHash(
  m: GoMap | undefined,
  key: string,
  what: string,
): { algorithm: string; value: string } | undefined {
  const hash = mapField(m, key);
  if (hash === undefined) return undefined;
  const algorithm = stringField(hash, 'algorithm');
  const value = stringField(hash, 'value');
  if (algorithm === undefined || value === undefined)
    throw new InvalidEntry(`${what}.algorithm and value in body are required`);
  if (algorithm !== 'sha256') throw new InvalidEntry(`${what}.algorithm in body should be one of [sha256]`);
  return { algorithm, value };
}

/** intoto 0.0.1: `publicKey` + `content.envelope` (a string) → envelope and payload hashes, canonical key. */
export function intotoV001(spec: unknown): object {
  const m = specMap(spec, 'IntotoV001Schema');
  const content = mapField(m, 'content');
  readHash(content, 'hash', 'content.hash');
  readHash(content, 'payloadHash', 'content.payloadHash');
  const keyText = stringField(m, 'publicKey');
  if (!keyText) throw new InvalidEntry('missing public key in intoto v0.0.1 entry');
  const verifier = readPemVerifier(decodeBase64Field(keyText, 'public key'));
  if (content === undefined) throw new InvalidEntry('missing content in intoto v0.0.1 entry');
  const envelopeText = stringField(content, 'envelope') ?? '';
  if (envelopeText === '') throw new InvalidEntry('entry not insertable into log: missing envelope content');
  const envelope = parseEnvelope(envelopeText);
  acceptedBy(verifier.key, envelope);
  const payload = decodedPayload(envelope);
  if (envelope.payload === '' || envelope.payloadType === '')
    throw new InvalidEntry('entry not insertable into log: invalid DSSE envelope');
  return {
    content: { hash: sha256Of(utf8(envelopeText)), payloadHash: sha256Of(payload) },
    publicKey: toBase64(utf8(verifier.canonicalPem)),
  };
}

/**
 * intoto 0.0.2: `content.envelope` as an object whose `payload`, `sig` and `publicKey` are base64
 * of the envelope's own strings; every signature verified by its own key. The envelope hash is the
 * client's (`content.hash`, required); signatures are logged as proposed, without the payload.
 */
export function intotoV002(spec: unknown): object {
  const m = specMap(spec, 'IntotoV002Schema');
  const content = mapField(m, 'content');
  const proposed = mapField(content, 'envelope');
  if (content === undefined || proposed === undefined)
    throw new InvalidEntry('missing content or envelope in intoto v0.0.2 entry');
  const hash = readHash(content, 'hash', 'content.hash');
  readHash(content, 'payloadHash', 'content.payloadHash');
  const payloadType = stringField(proposed, 'payloadType');
  const items = arrayField(proposed, 'signatures') ?? [];
  if (payloadType === undefined) throw new InvalidEntry('content.envelope.payloadType in body is required');
  if (items.length === 0)
    throw new InvalidEntry('content.envelope.signatures in body should have at least 1 items');
  const signatures = items.map((item, i) => {
    const s = isJsonObject(item) ? item : undefined;
    const sig = stringField(s, 'sig');
    const publicKey = stringField(s, 'publicKey');
    if (!sig || !publicKey)
      throw new InvalidEntry(`content.envelope.signatures.${i}.sig and publicKey in body are required`);
    const keyid = stringField(s, 'keyid');
    return {
      keyid,
      sig: decodeBase64Field(sig, 'signature'),
      publicKey: decodeBase64Field(publicKey, 'public key'),
    };
  });
  const payloadText = stringField(proposed, 'payload');
  if (!payloadText) throw new InvalidEntry('entry not insertable into log: missing envelope content');
  if (payloadType === '')
    throw new InvalidEntry('entry not insertable into log: missing payloadType content');
  const envelope: Envelope = {
    payloadType,
    payload: fromUtf8(decodeBase64Field(payloadText, 'payload')),
    signatures: signatures.map((s) => ({ keyid: s.keyid ?? '', sig: fromUtf8(s.sig) })),
  };
  const verifiers = signatures.map((s) => {
    try {
      return readPemVerifier(s.publicKey);
    } catch (error) {
      throw new InvalidEntry(`could not parse public key as x509: ${(error as Error).message}`);
    }
  });
  verifiersBySignature(verifiers, envelope);
  const payload = decodedPayload(envelope);
  // Canonicalize refuses a missing envelope hash with an error that is not a validation error: a 500.
  if (hash === undefined) throw new RekorRefusal(500, 'error generating canonicalized entry');
  return {
    content: {
      envelope: {
        payloadType,
        signatures: signatures.map((s) => ({
          ...(s.keyid ? { keyid: s.keyid } : {}),
          publicKey: toBase64(s.publicKey),
          sig: toBase64(s.sig),
        })),
      },
      hash,
      payloadHash: sha256Of(payload),
    },
  };
}
