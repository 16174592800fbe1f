/**
 * How gathered evidence is stored in a bundle and reported to the caller: the bundle's
 * `tlogEntries` and `timestampVerificationData`, and a summary of the entry (index, log, time) and
 * the stamped time for results.
 *
 * Deliberately not here: gathering it (`sign-evidence.ts`), the classic layer's annotations
 * (`payload/signature-layer.ts` writes them from the same evidence).
 */
import { fromBase64, toHex } from '../internal/bytes.js';
import type { BundleInput } from '../payload/bundle-create.js';
import type { SignatureEvidence } from './sign-evidence.js';

/** A logged entry as results report it. */
export interface LoggedEntrySummary {
  /** The entry's index in the log. */
  readonly logIndex: number;
  /** The log's ID (hex SHA-256 of its key). */
  readonly logId: string;
  /** When the log integrated it (Rekor v1); undefined for Rekor v2, which gives no time. */
  readonly integratedTime: Date | undefined;
}

/** The bundle fields `evidence` fills. */
export function bundleEvidence(
  evidence: SignatureEvidence,
): Pick<BundleInput, 'tlogEntries' | 'rfc3161Timestamps'> {
  return {
    ...(evidence.tlogEntry === undefined ? {} : { tlogEntries: [evidence.tlogEntry] }),
    ...(evidence.timestamp === undefined ? {} : { rfc3161Timestamps: [evidence.timestamp.signedTimestamp] }),
  };
}

/** The result fields `evidence` fills. */
export function evidenceSummary(evidence: SignatureEvidence): {
  tlogEntry?: LoggedEntrySummary;
  timestamp?: Date;
} {
  const entry = evidence.tlogEntry;
  const integrated = entry === undefined ? 0 : Number(entry.integratedTime);
  return {
    ...(entry === undefined
      ? {}
      : {
          tlogEntry: {
            logIndex: Number(entry.logIndex),
            logId: toHex(fromBase64(entry.logId.keyId) ?? new Uint8Array(0)), // verified: valid base64
            integratedTime: integrated > 0 ? new Date(integrated * 1000) : undefined,
          },
        }),
    ...(evidence.timestamp === undefined ? {} : { timestamp: evidence.timestamp.time }),
  };
}
