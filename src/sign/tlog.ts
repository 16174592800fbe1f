/**
 * Offline transparency-log evidence: a Rekor signed entry timestamp (SET) checked against the caller's
 * Rekor keys, and the logged entry checked to be about this signature, this key and these bytes.
 * No network.
 */
import { fromBase64, fromUtf8, toHex, utf8 } from '../internal/bytes.js';
import { backend } from '../keys/backend/select.js';
import { importPublicKey } from '../keys/import.js';
import type { PublicKey } from '../keys/key-objects.js';
import { verifySignatureSync } from '../keys/verify.js';
import type { TlogEntry } from '../payload/bundle.js';
import { encodeGoJson } from '../payload/go-json.js';
import { leafHash, verifyCheckpoint, verifyInclusion } from './merkle.js';
import type { RekorKeys } from './trusted-root.js';

export interface TlogCheck {
  readonly ok: boolean;
  readonly message: string;
}

/** Verifies a SET: ECDSA over RFC 8785 JSON of `{body, integratedTime, logID, logIndex}`. */
export function verifySet(
  entry: { body: string; integratedTime: number; logIndex: number; logID: string },
  set: string,
  rekorKeys: RekorKeys,
): TlogCheck {
  const key = rekorKeys.get(entry.logID);
  if (key === undefined)
    return { ok: false, message: `the log ${entry.logID.slice(0, 16)}… is not in the trusted root` };
  // For these four fields (strings and integers, ASCII keys) RFC 8785 is sorted, compact JSON.
  const canonical = utf8(
    encodeGoJson({
      body: entry.body,
      integratedTime: entry.integratedTime,
      logID: entry.logID,
      logIndex: entry.logIndex,
    }),
  );
  const signature = fromBase64(set);
  if (signature === undefined || !verifySignatureSync(key, canonical, signature))
    return { ok: false, message: 'the signed entry timestamp does not verify with the trusted Rekor key' };
  return { ok: true, message: 'ok' };
}

function pemKeyMatches(pemBase64: unknown, key: PublicKey): boolean {
  const pem = typeof pemBase64 === 'string' ? fromBase64(pemBase64) : undefined;
  if (pem === undefined) return false;
  try {
    return importPublicKey(fromUtf8(pem)).equals(key);
  } catch {
    return false;
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return toHex(backend().digest('sha256', bytes));
}

/** Is this Rekor entry body about `signature` (base64) by `key` over `payload`? hashedrekord and dsse. */
export function entryMatches(
  bodyBase64: string,
  expected: { signature: string; key: PublicKey; payload: Uint8Array },
): TlogCheck {
  const bodyBytes = fromBase64(bodyBase64);
  // biome-ignore lint/suspicious/noExplicitAny: Rekor entry bodies are untyped JSON, checked field by field below
  let body: { kind?: string; spec?: Record<string, any> };
  try {
    body = JSON.parse(fromUtf8(bodyBytes ?? new Uint8Array()));
  } catch {
    return { ok: false, message: 'the Rekor entry body is not JSON' };
  }
  const spec = body.spec ?? {};
  if (body.kind === 'hashedrekord') {
    if (spec.signature?.content !== expected.signature)
      return { ok: false, message: 'the Rekor entry is for another signature' };
    if (!pemKeyMatches(spec.signature?.publicKey?.content, expected.key))
      return { ok: false, message: 'the Rekor entry names another public key' };
    if (spec.data?.hash?.algorithm !== 'sha256' || spec.data?.hash?.value !== sha256Hex(expected.payload))
      return { ok: false, message: 'the Rekor entry is for other content' };
    return { ok: true, message: 'ok' };
  }
  if (body.kind === 'dsse') {
    const signatures = Array.isArray(spec.signatures) ? spec.signatures : [];
    if (
      !signatures.some(
        (s: { signature?: unknown; verifier?: unknown }) =>
          s.signature === expected.signature && pemKeyMatches(s.verifier, expected.key),
      )
    ) {
      return { ok: false, message: 'the Rekor entry is for another signature or key' };
    }
    if (spec.payloadHash?.algorithm !== 'sha256' || spec.payloadHash?.value !== sha256Hex(expected.payload))
      return { ok: false, message: 'the Rekor entry is for another payload' };
    return { ok: true, message: 'ok' };
  }
  return { ok: false, message: `Rekor entry kind ${String(body.kind)} is not supported` };
}

/**
 * A bundle's transparency-log entry: the logged body must be about this signature, key and payload;
 * every piece of evidence present must verify — the signed entry timestamp, and the inclusion proof
 * with its checkpoint — and at least one must be present.
 */
export function verifyBundleEntry(
  entry: TlogEntry,
  expected: { signature: string; key: PublicKey; payload: Uint8Array },
  rekorKeys: RekorKeys,
): TlogCheck {
  const match = entryMatches(entry.canonicalizedBody, expected);
  if (!match.ok) return match;
  if (entry.inclusionPromise === undefined && entry.inclusionProof === undefined)
    return {
      ok: false,
      message: 'the tlog entry has neither a signed entry timestamp nor an inclusion proof',
    };
  if (entry.inclusionPromise !== undefined) {
    const logID = toHex(fromBase64(entry.logId.keyId) ?? new Uint8Array());
    const set = verifySet(
      {
        body: entry.canonicalizedBody,
        integratedTime: Number(entry.integratedTime),
        logIndex: Number(entry.logIndex),
        logID,
      },
      entry.inclusionPromise.signedEntryTimestamp,
      rekorKeys,
    );
    if (!set.ok) return set;
  }
  const proof = entry.inclusionProof;
  if (proof !== undefined) {
    const root = fromBase64(proof.rootHash) ?? new Uint8Array();
    const hashes = proof.hashes.map((h) => fromBase64(h) ?? new Uint8Array());
    const leaf = leafHash(fromBase64(entry.canonicalizedBody) ?? new Uint8Array());
    // Rekor v1 is sharded: the proof uses the shard-local index, the SET the global one.
    if (!verifyInclusion(leaf, BigInt(proof.logIndex), BigInt(proof.treeSize), hashes, root))
      return { ok: false, message: 'the inclusion proof does not lead to the root hash' };
    const checkpoint = verifyCheckpoint(proof.checkpoint.envelope, BigInt(proof.treeSize), root, rekorKeys);
    if (!checkpoint.ok) return checkpoint;
  }
  return { ok: true, message: 'ok' };
}
