/**
 * The Rekor keys of a Sigstore `trusted_root.json` (the format TUF distributes), keyed by log ID
 * (hex SHA-256 of the key's DER), each with the window (`validFor`) the root allows it to be used
 * in. Supplied by the caller: ocisign never fetches trust material. CT log keys, CAs and TSAs are
 * not read: key-based verification does not use them.
 */
import { InvalidArgumentError } from '../errors/base.js';
import { toHex } from '../internal/bytes.js';
import { readShape } from '../internal/shape.js';
import { backend } from '../keys/backend/select.js';
import { importPublicKey } from '../keys/import.js';
import type { PublicKey } from '../keys/key-objects.js';
import { NO_FACTS } from '../payload/json-object.js';
import {
  type ProtoTimestamp,
  pBytes,
  pField,
  pList,
  pMessage,
  pTimestamp,
  readProtoJson,
} from '../payload/protojson.js';

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

// The parts of protobuf-specs' TrustedRoot that are read, as protojson reads them; other members
// (CAs, CT logs, TSAs, fields newer than this code) are ignored, as the trusted root is the caller's
// own input and newer specs add fields.
const ignore = { unknownFields: 'ignore' } as const;
const timeRangeShape = pMessage('TimeRange', { start: pField(pTimestamp), end: pField(pTimestamp) }, ignore);
const trustedRootShape = pMessage(
  'TrustedRoot',
  {
    tlogs: pField(
      pList(
        pMessage(
          'TransparencyLogInstance',
          {
            publicKey: pField(
              pMessage('PublicKey', { rawBytes: pField(pBytes), validFor: pField(timeRangeShape) }, ignore),
            ),
          },
          ignore,
        ),
      ),
    ),
  },
  ignore,
);

/** A protobuf timestamp as a Date, rounded to the millisecond towards the inside of a window. */
function toDate(t: ProtoTimestamp, round: 'up' | 'down'): Date {
  const ms = t.nanos / 1e6;
  return new Date(t.seconds * 1000 + (round === 'up' ? Math.ceil(ms) : Math.floor(ms)));
}

function keysOf(doc: ReturnType<typeof trustedRootShape.read>): RekorKeys {
  if (doc.tlogs === undefined)
    throw new InvalidArgumentError('trustedRoot must be a Sigstore trusted_root.json with a "tlogs" list');
  const keys = new Map<string, RekorKey[]>();
  for (const [i, tlog] of doc.tlogs.entries()) {
    const der = tlog.publicKey?.rawBytes;
    if (der === undefined)
      throw new InvalidArgumentError(`trustedRoot.tlogs[${i}].publicKey.rawBytes must be base64 DER`);
    // sigstore-go (ParseTransparencyLogs) refuses a root whose log key has no validity start, rather
    // than trusting the key from the beginning of time (@sigstore/verify 3.1.1 does the latter).
    const start = tlog.publicKey?.validFor?.start;
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
    const end = tlog.publicKey?.validFor?.end;
    const validFor: ValidityWindow = {
      start: toDate(start, 'up'),
      ...(end === undefined ? {} : { end: toDate(end, 'down') }),
    };
    const logId = toHex(backend().digest('sha256', der));
    keys.set(logId, [...(keys.get(logId) ?? []), { publicKey, validFor }]);
  }
  return keys;
}

/**
 * Reads `tlogs[].publicKey.rawBytes` from a trusted root (object, or JSON text as protojson reads
 * it). Anything malformed there is an InvalidArgumentError naming the member.
 */
export function rekorKeysFromTrustedRoot(trustedRoot: unknown): RekorKeys {
  const makeError = (message: string, cause?: unknown) => new InvalidArgumentError(message, { cause });
  if (typeof trustedRoot === 'string' || trustedRoot instanceof Uint8Array)
    return keysOf(readProtoJson(trustedRoot, trustedRootShape, 'trustedRoot', makeError));
  return keysOf(
    readShape(
      trustedRoot,
      { expected: trustedRootShape.expected, check: (v, path) => trustedRootShape.read(v, path, NO_FACTS) },
      'trustedRoot',
      makeError,
    ),
  );
}

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
