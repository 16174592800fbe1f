/**
 * Offline transparency-log evidence: a Rekor signed entry timestamp (SET) checked against the caller's
 * Rekor keys — a trusted root's key only when the entry's integrated time lies in its `validFor`
 * window — and the logged entry checked to be about this signature, this key and these bytes.
 * No network. Every check answers `{ ok, message }`: malformed evidence (a body that is not JSON, a
 * proof index that is not an integer) is a failed check, never an exception.
 */
import { PayloadFormatError } from '../errors/payload.js';
import { fromBase64, fromUtf8, toHex, utf8 } from '../internal/bytes.js';
import { array, type Infer, object, optional, readShape, refine, string } from '../internal/shape.js';
import { backend } from '../keys/backend/select.js';
import { importPublicKey } from '../keys/import.js';
import type { PublicKey } from '../keys/key-objects.js';
import { verifySignatureSync } from '../keys/verify.js';
import type { TlogEntry } from '../payload/bundle.js';
import { encodeGoJson } from '../payload/go-json.js';
import { leafHash, verifyCheckpoint, verifyInclusion } from './merkle.js';
import { type RekorKey, type RekorKeys, validAt } from './trusted-root.js';

/** The outcome of one transparency-log check; `message` says why it failed. */
export interface TlogCheck {
  readonly ok: boolean;
  readonly message: string;
}

/** RFC 3339 to the second, or to the millisecond when it has one. */
function rfc3339(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime())
    ? `${ms / 1000} s after the epoch`
    : date.toISOString().replace('.000Z', 'Z');
}

/** Why no key of a log may verify an entry integrated at `integratedTime`: their windows. */
function outsideWindows(logID: string, keys: readonly RekorKey[], integratedTime: number): string {
  const windows = keys.map((k) =>
    k.validFor === undefined
      ? 'always'
      : `from ${rfc3339(k.validFor.start.getTime())} ${k.validFor.end === undefined ? 'on (no end)' : `to ${rfc3339(k.validFor.end.getTime())}`}`,
  );
  return `the trusted root's Rekor key for log ${logID.slice(0, 16)}… is valid ${windows.join(', or ')}, not at the entry's integrated time ${rfc3339(integratedTime * 1000)} (${integratedTime})`;
}

/**
 * Verifies a SET (base64 or bytes): ECDSA over RFC 8785 JSON of `{body, integratedTime, logID, logIndex}`,
 * with a key of the entry's log whose validity window holds its integrated time (start and end
 * inclusive, as sigstore-go's `VerifySET` and @sigstore/verify's `filterTLogAuthorities` decide).
 */
export function verifySet(
  entry: { body: string; integratedTime: number; logIndex: number; logID: string },
  set: string | Uint8Array,
  rekorKeys: RekorKeys,
): TlogCheck {
  const logKeys = rekorKeys.get(entry.logID);
  if (logKeys === undefined || logKeys.length === 0)
    return { ok: false, message: `the log ${entry.logID.slice(0, 16)}… is not in the trusted root` };
  const usable = logKeys.filter((k) => validAt(k, entry.integratedTime));
  if (usable.length === 0)
    return { ok: false, message: outsideWindows(entry.logID, logKeys, entry.integratedTime) };
  // For these four fields (strings and integers, ASCII keys) RFC 8785 is sorted, compact JSON.
  const canonical = utf8(
    encodeGoJson({
      body: entry.body,
      integratedTime: entry.integratedTime,
      logID: entry.logID,
      logIndex: entry.logIndex,
    }),
  );
  const signature = typeof set === 'string' ? fromBase64(set) : set;
  if (signature === undefined || !usable.some((k) => verifySignatureSync(k.publicKey, canonical, signature)))
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

const hashShape = optional(object({ algorithm: optional(string), value: optional(string) }));
/** The members of Rekor v1 `hashedrekord` and `dsse` entry bodies that are compared. */
const rekorBodyShape = object({
  kind: optional(string),
  apiVersion: optional(string),
  spec: optional(
    object({
      signature: optional(
        object({ content: optional(string), publicKey: optional(object({ content: optional(string) })) }),
      ),
      data: optional(object({ hash: hashShape })),
      signatures: optional(array(object({ signature: optional(string), verifier: optional(string) }))),
      payloadHash: hashShape,
    }),
  ),
});

/** A Rekor entry body (base64 JSON), read through its schema; a failed check when it is malformed. */
function readRekorBody(
  bodyBase64: string,
): { ok: true; body: ReturnType<typeof rekorBodyShape.check> } | { ok: false; message: string } {
  const bytes = fromBase64(bodyBase64);
  if (bytes === undefined) return { ok: false, message: 'the Rekor entry body is not base64' };
  let doc: unknown;
  try {
    doc = JSON.parse(fromUtf8(bytes));
  } catch {
    return { ok: false, message: 'the Rekor entry body is not JSON' };
  }
  try {
    return {
      ok: true,
      body: readShape(doc, rekorBodyShape, 'Rekor entry body', (m) => new PayloadFormatError(m)),
    };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** Is this Rekor entry body about `signature` (base64) by `key` over `payload`? hashedrekord and dsse. */
export function entryMatches(
  bodyBase64: string,
  expected: { signature: string; key: PublicKey; payload: Uint8Array },
): TlogCheck {
  const read = readRekorBody(bodyBase64);
  if (!read.ok) return read;
  const body = read.body;
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
    const signatures = spec.signatures ?? [];
    if (
      !signatures.some((s) => s.signature === expected.signature && pemKeyMatches(s.verifier, expected.key))
    ) {
      return { ok: false, message: 'the Rekor entry is for another signature or key' };
    }
    if (spec.payloadHash?.algorithm !== 'sha256' || spec.payloadHash?.value !== sha256Hex(expected.payload))
      return { ok: false, message: 'the Rekor entry is for another payload' };
    return { ok: true, message: 'ok' };
  }
  return { ok: false, message: `Rekor entry kind ${JSON.stringify(body.kind ?? '')} is not supported` };
}

/** A non-negative decimal integer, as protojson writes an int64. */
const uint = refine(string, (v) =>
  /^(0|[1-9]\d{0,18})$/.test(v) ? undefined : 'a non-negative decimal integer',
);
/** A {@link TlogEntry} as `parseBundle` makes it: checked again, as callers may build their own. */
const tlogEntryShape = object({
  logIndex: uint,
  logId: object({ keyId: string }),
  kindVersion: object({ kind: string, version: string }),
  integratedTime: uint,
  inclusionPromise: optional(object({ signedEntryTimestamp: string })),
  inclusionProof: optional(
    object({
      logIndex: uint,
      rootHash: string,
      treeSize: uint,
      hashes: array(string),
      checkpoint: object({ envelope: string }),
    }),
  ),
  canonicalizedBody: string,
});

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
  let e: Infer<typeof tlogEntryShape>;
  try {
    e = readShape(entry, tlogEntryShape, 'the tlog entry', (m) => new PayloadFormatError(m));
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const read = readRekorBody(e.canonicalizedBody);
  if (!read.ok) return read;
  // sigstore-go refuses an entry whose kindVersion is not its body's.
  if (read.body.kind !== e.kindVersion.kind || read.body.apiVersion !== e.kindVersion.version)
    return { ok: false, message: "the tlog entry's kindVersion does not match its body" };
  const match = entryMatches(e.canonicalizedBody, expected);
  if (!match.ok) return match;
  return verifyEntryInclusion(e, rekorKeys);
}

/**
 * The inclusion evidence of a bundle's tlog entry, whatever the entry is about (a key or a
 * certificate): see {@link verifyEntryInclusion}. Keyless verification checks the body itself.
 */
export function verifyTlogInclusion(entry: TlogEntry, rekorKeys: RekorKeys): TlogCheck {
  let e: Infer<typeof tlogEntryShape>;
  try {
    e = readShape(entry, tlogEntryShape, 'the tlog entry', (m) => new PayloadFormatError(m));
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  return verifyEntryInclusion(e, rekorKeys);
}

/**
 * The inclusion evidence of one tlog entry, whatever it is about: its signed entry timestamp (a
 * key of its log valid at the integrated time) and its inclusion proof with a signed checkpoint,
 * each verified when present, and at least one present.
 */
function verifyEntryInclusion(e: Infer<typeof tlogEntryShape>, rekorKeys: RekorKeys): TlogCheck {
  if (e.inclusionPromise === undefined && e.inclusionProof === undefined)
    return {
      ok: false,
      message: 'the tlog entry has neither a signed entry timestamp nor an inclusion proof',
    };
  if (e.inclusionPromise !== undefined) {
    const keyId = fromBase64(e.logId.keyId);
    const set = fromBase64(e.inclusionPromise.signedEntryTimestamp);
    if (keyId === undefined || set === undefined)
      return { ok: false, message: 'the tlog entry has a malformed log ID or signed entry timestamp' };
    const checked = verifySet(
      {
        body: e.canonicalizedBody,
        integratedTime: Number(e.integratedTime),
        logIndex: Number(e.logIndex),
        logID: toHex(keyId),
      },
      set,
      rekorKeys,
    );
    if (!checked.ok) return checked;
  }
  const proof = e.inclusionProof;
  if (proof !== undefined) {
    const root = fromBase64(proof.rootHash);
    const hashes = proof.hashes.map(fromBase64);
    const body = fromBase64(e.canonicalizedBody) as Uint8Array;
    if (root === undefined || hashes.some((h) => h === undefined))
      return { ok: false, message: 'the inclusion proof has a hash that is not base64' };
    // Rekor v1 is sharded: the proof uses the shard-local index, the SET the global one.
    const [index, size] = [BigInt(proof.logIndex), BigInt(proof.treeSize)];
    if (!verifyInclusion(leafHash(body), index, size, hashes as Uint8Array[], root))
      return { ok: false, message: 'the inclusion proof does not lead to the root hash' };
    const checkpoint = verifyCheckpoint(proof.checkpoint.envelope, size, root, rekorKeys);
    if (!checkpoint.ok) return checkpoint;
  }
  return { ok: true, message: 'ok' };
}
