/**
 * The Rekor keys of a Sigstore `trusted_root.json` (the format TUF distributes), keyed by log ID
 * (hex SHA-256 of the key's DER), each with the window (`validFor`) the root allows it to be used
 * in. Supplied by the caller: verification never fetches trust material. The whole root is read
 * and checked by `ocisign/sigstore`'s parser; only its Rekor keys are taken here (key-based
 * verification uses no CT log, CA or TSA).
 */
import { InvalidArgumentError } from '../../errors/base.js';
import { toHex } from '../../internal/bytes.js';
import { isJsonObject, own } from '../../internal/shape.js';
import { backend } from '../../keys/backend/select.js';
import { importPublicKey } from '../../keys/import.js';
import type { PublicKey } from '../../keys/key-objects.js';
import { parseTrustedRoot, type TrustedRoot } from '../trusted-root.js';

/**
 * When a trusted root lets a key be used, as its `validFor` says: from `start` to `end`, both
 * inclusive, open-ended without `end` (sigstore-go's `ValidityPeriodStart`/`ValidityPeriodEnd`).
 * Kept to the millisecond, rounded inwards (`start` up, `end` down), which decides whole-second
 * times exactly as the root's nanoseconds would.
 */
export interface ValidityWindow {
  readonly start: Date;
  readonly end?: Date;
}

/**
 * One trusted Rekor public key. `validFor` comes from a trusted root: a signed entry timestamp
 * counts only when the entry's integrated time lies inside it. A key given directly (PEM,
 * `rekorPublicKeys`) has none and is used at any time, as cosign uses `SIGSTORE_REKOR_PUBLIC_KEY`.
 */
export interface RekorKey {
  readonly publicKey: PublicKey;
  readonly validFor?: ValidityWindow;
}

/**
 * Rekor public keys by log ID (hex SHA-256 of the DER SubjectPublicKeyInfo), as transparency-log
 * checks look them up. A log ID can hold several keys (a trusted root listing the same key twice,
 * with two windows): any of them whose window holds the entry's time may verify it.
 */
export type RekorKeys = ReadonlyMap<string, readonly RekorKey[]>;

function keysOf(root: TrustedRoot): RekorKeys {
  // A document without the member at all is not a trusted root for tlog checks (an empty list is).
  const tlogs = isJsonObject(root.json) ? own(root.json, 'tlogs') : undefined;
  if (tlogs === undefined || tlogs === null)
    throw new InvalidArgumentError('trustedRoot must be a Sigstore trusted_root.json with a "tlogs" list');
  const keys = new Map<string, RekorKey[]>();
  for (const [i, tlog] of root.tlogs.entries()) {
    const der = tlog.publicKey.rawBytes;
    // sigstore-go (ParseTransparencyLogs) refuses a root whose log key has no validity start, rather
    // than trusting the key from the beginning of time (@sigstore/verify 3.1.1 does the latter).
    const start = tlog.publicKey.validFor?.start;
    if (start === undefined)
      throw new InvalidArgumentError(
        `trustedRoot.tlogs[${i}].publicKey.validFor.start must be set: a Rekor key is trusted only within its validity window`,
      );
    let publicKey: PublicKey;
    try {
      publicKey = importPublicKey(der);
    } catch (cause) {
      throw new InvalidArgumentError(`trustedRoot.tlogs[${i}].publicKey is not a public key we can use`, {
        cause,
      });
    }
    const end = tlog.publicKey.validFor?.end;
    const validFor: ValidityWindow = { start, ...(end === undefined ? {} : { end }) };
    // Keyed by the log ID the root states, as sigstore-go keys its logs (for Rekor v1 logs it is the
    // SHA-256 of the key's DER; Rekor v2 logs state their own, which their checkpoints' key hints
    // follow); a root that states none gets the DER hash.
    const logId = toHex(tlog.logId?.keyId ?? backend().digest('sha256', der));
    keys.set(logId, [...(keys.get(logId) ?? []), { publicKey, validFor }]);
  }
  return keys;
}

/**
 * Reads `tlogs[].publicKey` from a trusted root (a parsed `TrustedRoot`, an object, or JSON text as
 * protojson reads it; see `parseTrustedRoot`). Anything malformed is an InvalidArgumentError naming
 * the member. For a parsed root the keys are imported once and the same map returned after.
 */
export function rekorKeysFromTrustedRoot(trustedRoot: unknown): RekorKeys {
  const root = parseTrustedRoot(trustedRoot);
  let keys = keysByRoot.get(root);
  if (keys === undefined) {
    keys = keysOf(root);
    keysByRoot.set(root, keys);
  }
  return keys;
}

/** The Rekor keys of each parsed root, imported once: a root is frozen, so they never change. */
const keysByRoot = new WeakMap<TrustedRoot, RekorKeys>();

/**
 * Rekor public keys given directly (PEM or `PublicKey`, e.g. Kyverno's `rekor.pubkey` or cosign's
 * `SIGSTORE_REKOR_PUBLIC_KEY`), keyed by log ID like the keys of a trusted root.
 */
export function rekorKeysFromPublicKeys(keys: ReadonlyArray<PublicKey | string>): RekorKeys {
  const out = new Map<string, RekorKey[]>();
  for (const k of keys) {
    const publicKey = typeof k === 'string' ? importPublicKey(k) : k;
    out.set(toHex(backend().digest('sha256', publicKey.toDer())), [{ publicKey }]);
  }
  return out;
}

/**
 * The Rekor keys of a trusted root and/or direct keys, merged (a key given directly is trusted at
 * any time, even when the root also lists it with a window); undefined when neither is given.
 */
export function rekorKeysFor(options: {
  readonly trustedRoot?: unknown;
  readonly rekorPublicKeys?: ReadonlyArray<PublicKey | string>;
}): RekorKeys | undefined {
  const fromRoot =
    options.trustedRoot === undefined ? undefined : rekorKeysFromTrustedRoot(options.trustedRoot);
  const direct =
    options.rekorPublicKeys === undefined || options.rekorPublicKeys.length === 0
      ? undefined
      : rekorKeysFromPublicKeys(options.rekorPublicKeys);
  if (fromRoot === undefined) return direct;
  if (direct === undefined) return fromRoot;
  const merged = new Map<string, readonly RekorKey[]>(fromRoot);
  for (const [logId, keys] of direct) merged.set(logId, [...(merged.get(logId) ?? []), ...keys]);
  return merged;
}

/** Is `integratedTime` (seconds since the Unix epoch) inside the key's window, if it has one? */
export function validAt(key: RekorKey, integratedTime: number): boolean {
  if (key.validFor === undefined) return true;
  const ms = integratedTime * 1000;
  return (
    key.validFor.start.getTime() <= ms && (key.validFor.end === undefined || ms <= key.validFor.end.getTime())
  );
}
