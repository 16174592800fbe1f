/**
 * Rekor v1's JSON for a logged entry (`models.LogEntry`, built by `pkg/api/entries.go`
 * `logEntryFromLeaf` / `createLogEntry`): `{ "<entryID>": { body, integratedTime, logID, logIndex,
 * verification: { inclusionProof: { checkpoint, hashes, logIndex, rootHash, treeSize },
 * signedEntryTimestamp } } }`. The entry ID is the tree ID (16 hex digits) and the leaf hash; the
 * SET is the log key's signature over the RFC 8785 JSON of `{body, integratedTime, logID,
 * logIndex}`; `logIndex` is the virtual (global) index, the proof's `logIndex` the shard-local one;
 * hashes are hex; the proof and checkpoint are for the tree as it is when the entry is served.
 * Deliberately not here: HTTP (`rekor-v1.ts`).
 */
import { json } from '@sigstore/core';
import { toBase64, toHex, utf8 } from '../../../internal/bytes.js';
import { checkpointBody, signNote } from './checkpoint.js';
import type { EvidenceTampering } from './faults.js';
import type { LogKey } from './log-key.js';
import type { LoggedEntry, TransparencyLog } from './transparency-log.js';

/** A Rekor v1 log: its entries, key and the names it signs under. */
export interface RekorV1Log {
  /** The entries; its `logIndexOffset` counts the entries of earlier, inactive shards. */
  readonly log: TransparencyLog;
  readonly key: LogKey;
  /** The checkpoint signer name (`rekor_server.hostname`). */
  readonly hostname: string;
  /** The active shard's Trillian tree ID. */
  readonly treeId: bigint;
  /** The key a `wrongCheckpoint` fault signs with. */
  readonly strangerKey: LogKey;
}

/** `sharding.CreateEntryIDFromParts`: the tree ID as 16 hex digits, then the leaf hash. */
export function entryIdOf(v1: RekorV1Log, entry: LoggedEntry): string {
  return `${v1.treeId.toString(16).padStart(16, '0')}${entry.uuid}`;
}

/** The log's hex log ID: SHA-256 of its key's DER. */
export function logIdOf(v1: RekorV1Log): string {
  return toHex(v1.key.derSha256);
}

/** `util.CreateAndSignCheckpoint`: origin `"<hostname> - <treeID>"`, signed as `<hostname>`. */
export function v1Checkpoint(
  v1: RekorV1Log,
  size: number,
  root: Uint8Array,
  tamper?: EvidenceTampering,
): string {
  const key = tamper === 'wrongCheckpoint' ? v1.strangerKey : v1.key;
  return signNote(
    checkpointBody(`${v1.hostname} - ${v1.treeId}`, size, root),
    v1.hostname,
    key,
    v1.key.derSha256,
  );
}

/** A root that is not the tree's: what a `wrongProof` fault claims (and signs a checkpoint for). */
export function notTheRoot(root: Uint8Array): Uint8Array {
  const other = new Uint8Array(root);
  other[0] = (other[0] ?? 0) ^ 1;
  return other;
}

/** The `LogEntry` JSON for `entry`, against the tree's current size. */
export function v1LogEntry(
  v1: RekorV1Log,
  entry: LoggedEntry,
  tamper?: EvidenceTampering,
): Record<string, unknown> {
  const anon = {
    body: toBase64(entry.body),
    integratedTime: entry.integratedTime,
    logID: logIdOf(v1),
    logIndex: entry.logIndex,
  };
  // A wrong SET is a good signature by the right key over another entry's timestamp payload.
  const signed = tamper === 'wrongSet' ? { ...anon, logIndex: anon.logIndex + 1 } : anon;
  const set = v1.key.sign(utf8(json.canonicalize(signed)));
  const size = v1.log.size;
  const realRoot = v1.log.root(size);
  const root = tamper === 'wrongProof' ? notTheRoot(realRoot) : realRoot;
  return {
    [entryIdOf(v1, entry)]: {
      ...anon,
      verification: {
        inclusionProof: {
          checkpoint: v1Checkpoint(v1, size, root, tamper),
          hashes: v1.log.inclusionProof(entry.index, size).map(toHex),
          logIndex: entry.index,
          rootHash: toHex(root),
          treeSize: size,
        },
        signedEntryTimestamp: toBase64(set),
      },
    },
  };
}

/** `GET /api/v1/log`'s `LogInfo`: the active shard's root, size, signed tree head and tree ID. */
export function v1LogInfo(v1: RekorV1Log, tamper?: EvidenceTampering): Record<string, unknown> {
  const size = v1.log.size;
  const root = v1.log.root(size);
  return {
    rootHash: toHex(root),
    treeSize: size,
    signedTreeHead: v1Checkpoint(v1, size, root, tamper),
    treeID: v1.treeId.toString(),
  };
}
