/**
 * Rekor's answers, validated where they enter and turned into ocisign's forms: a Rekor v1
 * `LogEntry` (`{"<entryID>": {body, integratedTime, logID, logIndex, verification: {inclusionProof,
 * signedEntryTimestamp}}}`, sigstore/rekor `openapi.yaml`; hex hashes and log ID) and a Rekor v2
 * `TransparencyLogEntry` (protojson, protobuf-specs `sigstore_rekor.proto`), each as the bundle's
 * {@link TlogEntry}; v1 also as the classic `dev.sigstore.cosign/bundle` annotation's
 * {@link RekorBundle}. Anything malformed is a {@link RekorResponseError}.
 *
 * Deliberately not here: verifying the evidence (`sigstore/tlog/tlog-entry.ts`), HTTP.
 */
import { RekorResponseError } from '../errors/sigstore.js';
import { fromHex, fromUtf8, toBase64 } from '../internal/bytes.js';
import { array, count, object, readShape, record, refine, string } from '../internal/shape.js';
import { type TlogEntry, tlogEntryShape } from '../payload/bundle.js';
import { readProtoJson } from '../payload/protojson.js';
import type { RekorBundle } from '../payload/signature-layer.js';
import { readRekorBody } from './tlog/rekor-body.js';

const hex = refine(string, (v) => (/^([0-9a-f]{2})*$/.test(v) ? undefined : 'lower-case hex'));
const v1LogEntryShape = record(
  object({
    body: string,
    integratedTime: count,
    logID: hex,
    logIndex: count,
    verification: object({
      inclusionProof: object({
        checkpoint: string,
        hashes: array(hex),
        logIndex: count,
        rootHash: hex,
        treeSize: count,
      }),
      signedEntryTimestamp: string,
    }),
  }),
);

/** A Rekor v1 entry in both forms ocisign stores. */
export interface V1Entry {
  readonly tlogEntry: TlogEntry;
  readonly rekorBundle: RekorBundle;
}

function json(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(fromUtf8(bytes));
  } catch (cause) {
    throw new RekorResponseError(`${what} is not JSON`, { cause });
  }
}

const b64hex = (h: string) => toBase64(fromHex(h) ?? new Uint8Array());

/**
 * Reads a Rekor v1 `LogEntry` answer holding exactly one entry. Its kind and version come from its
 * body (which must read as a Rekor entry).
 *
 * @throws RekorResponseError naming what is malformed.
 */
export function readV1LogEntry(bytes: Uint8Array, what: string): V1Entry {
  const doc = readShape(json(bytes, what), v1LogEntryShape, what, (m) => new RekorResponseError(m));
  const [only, ...more] = Object.values(doc);
  if (only === undefined || more.length > 0)
    throw new RekorResponseError(`${what} must hold exactly one entry, it holds ${Object.keys(doc).length}`);
  const read = readRekorBody(only.body);
  if (!read.ok) throw new RekorResponseError(`${what}: ${read.message}`);
  const { kind, apiVersion } = read.body;
  if (kind === undefined || apiVersion === undefined)
    throw new RekorResponseError(`${what}: the entry body names no kind or apiVersion`);
  const proof = only.verification.inclusionProof;
  const tlogEntry: TlogEntry = {
    logIndex: String(only.logIndex),
    logId: { keyId: b64hex(only.logID) },
    kindVersion: { kind, version: apiVersion },
    integratedTime: String(only.integratedTime),
    inclusionPromise: { signedEntryTimestamp: only.verification.signedEntryTimestamp },
    inclusionProof: {
      logIndex: String(proof.logIndex),
      rootHash: b64hex(proof.rootHash),
      treeSize: String(proof.treeSize),
      hashes: proof.hashes.map(b64hex),
      checkpoint: { envelope: proof.checkpoint },
    },
    canonicalizedBody: only.body,
  };
  const rekorBundle: RekorBundle = {
    SignedEntryTimestamp: only.verification.signedEntryTimestamp,
    Payload: {
      body: only.body,
      integratedTime: only.integratedTime,
      logIndex: only.logIndex,
      logID: only.logID,
    },
  };
  return { tlogEntry, rekorBundle };
}

/**
 * Reads a Rekor v2 `TransparencyLogEntry` answer (protojson), which must carry its body, log ID,
 * kind and an inclusion proof with a checkpoint (Rekor v2 gives no SET).
 *
 * @throws RekorResponseError naming what is malformed or missing.
 */
export function readV2LogEntry(bytes: Uint8Array, what: string): TlogEntry {
  const e = readProtoJson(bytes, tlogEntryShape, what, (m, cause) => new RekorResponseError(m, { cause }));
  if (e === undefined || e === null) throw new RekorResponseError(`${what} is not an entry`);
  const p = e.inclusionProof;
  if (e.canonicalizedBody === undefined || e.canonicalizedBody.length === 0)
    throw new RekorResponseError(`${what} has no canonicalizedBody`);
  if (e.logId?.keyId === undefined) throw new RekorResponseError(`${what} has no logId.keyId`);
  if (e.kindVersion?.kind === undefined || e.kindVersion.version === undefined)
    throw new RekorResponseError(`${what} has no kindVersion`);
  if (p === undefined || (p.checkpoint?.envelope ?? '') === '')
    throw new RekorResponseError(`${what} has no inclusion proof with a checkpoint`);
  const set = e.inclusionPromise?.signedEntryTimestamp;
  return {
    logIndex: e.logIndex ?? '0',
    logId: { keyId: toBase64(e.logId.keyId) },
    kindVersion: { kind: e.kindVersion.kind, version: e.kindVersion.version },
    integratedTime: e.integratedTime ?? '0',
    ...(set === undefined || set.length === 0
      ? {}
      : { inclusionPromise: { signedEntryTimestamp: toBase64(set) } }),
    inclusionProof: {
      logIndex: p.logIndex ?? '0',
      rootHash: toBase64(p.rootHash ?? new Uint8Array()),
      treeSize: p.treeSize ?? '0',
      hashes: (p.hashes ?? []).map(toBase64),
      checkpoint: { envelope: p.checkpoint?.envelope ?? '' },
    },
    canonicalizedBody: toBase64(e.canonicalizedBody),
  };
}
