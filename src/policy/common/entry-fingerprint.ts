/**
 * A stable fingerprint of a policy's verification entry as loaded (a ClusterPolicy `verifyImages`
 * entry, for one), for the verification cache key: two entries with the same fingerprint ask the
 * same verification question (same type, attestors, keys, attestations and their conditions, roots,
 * repository, credentials…). It is a SHA-256 over a canonical JSON form (object keys sorted,
 * `undefined` members dropped, array order kept), so rebuilding an engine from the same policy
 * gives the same fingerprint and any change to what the entry checks gives another. It
 * deliberately does not interpret the entry: a change that could not alter the verdict (a
 * reordered attestor list) still gives a new fingerprint — a cache miss, never a stale hit.
 */
import { createHash } from 'node:crypto';

/** Canonical JSON: sorted object keys, `undefined` members dropped, arrays in order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The hex SHA-256 of `entry`'s canonical JSON. Computed on every call, not memoized: loaded
 * entries are not frozen, and a stale fingerprint would be exactly the stale cache hit it prevents.
 */
export function entryFingerprint(entry: object): string {
  return createHash('sha256').update(canonicalJson(entry)).digest('hex');
}
