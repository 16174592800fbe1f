/**
 * The Rekor keys of a Sigstore `trusted_root.json` (the format TUF distributes), keyed by log ID
 * (hex SHA-256 of the key's DER). Supplied by the caller: ocisign never fetches trust material.
 */
import { InvalidArgumentError } from '../errors/base.js';
import { fromBase64, toHex } from '../internal/bytes.js';
import { backend } from '../keys/backend/select.js';
import { importPublicKey } from '../keys/import.js';
import type { PublicKey } from '../keys/key-objects.js';
import { parseJsonObject } from '../payload/json-object.js';

/**
 * Rekor public keys by log ID (hex SHA-256 of the DER SubjectPublicKeyInfo), as transparency-log
 * checks look them up.
 */
export type RekorKeys = ReadonlyMap<string, PublicKey>;

/** Reads `tlogs[].publicKey.rawBytes` from a trusted root (object or JSON text). */
export function rekorKeysFromTrustedRoot(trustedRoot: unknown): RekorKeys {
  const doc =
    typeof trustedRoot === 'string'
      ? parseJsonObject(trustedRoot, 'trustedRoot', (message) => new InvalidArgumentError(message))
      : trustedRoot;
  const tlogs = (doc as { tlogs?: unknown })?.tlogs;
  if (!Array.isArray(tlogs))
    throw new InvalidArgumentError('trustedRoot must be a Sigstore trusted_root.json with a "tlogs" list');
  const keys = new Map<string, PublicKey>();
  for (const [i, tlog] of tlogs.entries()) {
    const raw = (tlog as { publicKey?: { rawBytes?: unknown } })?.publicKey?.rawBytes;
    const der = typeof raw === 'string' ? fromBase64(raw) : undefined;
    if (der === undefined)
      throw new InvalidArgumentError(`trustedRoot.tlogs[${i}].publicKey.rawBytes must be base64 DER`);
    keys.set(toHex(backend().digest('sha256', der)), importPublicKey(der));
  }
  return keys;
}

/**
 * Rekor public keys given directly (PEM or `PublicKey`, e.g. Kyverno's `rekor.pubkey` or cosign's
 * `SIGSTORE_REKOR_PUBLIC_KEY`), keyed by log ID like the keys of a trusted root.
 */
export function rekorKeysFromPublicKeys(keys: ReadonlyArray<PublicKey | string>): RekorKeys {
  const out = new Map<string, PublicKey>();
  for (const k of keys) {
    const key = typeof k === 'string' ? importPublicKey(k) : k;
    out.set(toHex(backend().digest('sha256', key.toDer())), key);
  }
  return out;
}

/** The Rekor keys of a trusted root and/or direct keys, merged; undefined when neither is given. */
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
  return new Map([...fromRoot, ...direct]);
}
