/**
 * The Rekor keys of a Sigstore `trusted_root.json` (the format TUF distributes), keyed by log ID
 * (hex SHA-256 of the key's DER). Supplied by the caller: ocisign never fetches trust material.
 */
import { InvalidArgumentError } from '../errors/base.js';
import { toHex } from '../internal/bytes.js';
import { readShape } from '../internal/shape.js';
import { backend } from '../keys/backend/select.js';
import { importPublicKey } from '../keys/import.js';
import type { PublicKey } from '../keys/key-objects.js';
import { NO_FACTS } from '../payload/json-object.js';
import { pBytes, pField, pList, pMessage, readProtoJson } from '../payload/protojson.js';

/**
 * Rekor public keys by log ID (hex SHA-256 of the DER SubjectPublicKeyInfo), as transparency-log
 * checks look them up.
 */
export type RekorKeys = ReadonlyMap<string, PublicKey>;

// The parts of protobuf-specs' TrustedRoot that are read, as protojson reads them; other members
// (CAs, CT logs, TSAs, fields newer than this code) are ignored, as the trusted root is the caller's
// own input and newer specs add fields.
const ignore = { unknownFields: 'ignore' } as const;
const trustedRootShape = pMessage(
  'TrustedRoot',
  {
    tlogs: pField(
      pList(
        pMessage(
          'TransparencyLogInstance',
          { publicKey: pField(pMessage('PublicKey', { rawBytes: pField(pBytes) }, ignore)) },
          ignore,
        ),
      ),
    ),
  },
  ignore,
);

function keysOf(doc: ReturnType<typeof trustedRootShape.read>): RekorKeys {
  if (doc.tlogs === undefined)
    throw new InvalidArgumentError('trustedRoot must be a Sigstore trusted_root.json with a "tlogs" list');
  const keys = new Map<string, PublicKey>();
  for (const [i, tlog] of doc.tlogs.entries()) {
    const der = tlog.publicKey?.rawBytes;
    if (der === undefined)
      throw new InvalidArgumentError(`trustedRoot.tlogs[${i}].publicKey.rawBytes must be base64 DER`);
    let key: PublicKey;
    try {
      key = importPublicKey(der);
    } catch (cause) {
      throw new InvalidArgumentError(`trustedRoot.tlogs[${i}].publicKey is not a public key we can use`, {
        cause,
      });
    }
    keys.set(toHex(backend().digest('sha256', der)), key);
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
