/**
 * Transparency-log inclusion, offline: an RFC 6962 / RFC 9162 Merkle inclusion proof, and the signed
 * checkpoint (a "signed note") that commits to the root hash, checked against the caller's Rekor keys.
 */
import { bytesEqual, concatBytes, fromBase64, toHex, utf8 } from '../../internal/bytes.js';
import { backend } from '../../keys/backend/select.js';
import { verifySignatureSync } from '../../keys/verify.js';
import type { RekorKeys } from './rekor-keys.js';

const sha256 = (data: Uint8Array) => backend().digest('sha256', data);

/** SHA-256(0x00 ‖ leaf). */
export function leafHash(leaf: Uint8Array): Uint8Array {
  return sha256(concatBytes(new Uint8Array([0]), leaf));
}

/** RFC 9162 §2.1.3.2: does `proof` lead from the leaf at `index` to `root` in a tree of `size`? */
export function verifyInclusion(
  leaf: Uint8Array,
  index: bigint,
  size: bigint,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (index >= size || index < 0n) return false;
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = sha256(concatBytes(new Uint8Array([1]), p, r));
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = sha256(concatBytes(new Uint8Array([1]), r, p));
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && bytesEqual(r, root);
}

/**
 * Verifies a checkpoint envelope (`origin\nsize\nroot\n…\n\n— name base64(keyhint ‖ sig)\n`) with a
 * trusted Rekor key, and that it commits to `size` and `root`.
 */
export function verifyCheckpoint(
  envelope: string,
  size: bigint,
  root: Uint8Array,
  rekorKeys: RekorKeys,
): { ok: boolean; message: string } {
  const split = envelope.indexOf('\n\n');
  if (split < 0) return { ok: false, message: 'the checkpoint has no signature' };
  const text = envelope.slice(0, split + 1);
  const [, sizeLine, rootLine] = text.split('\n');
  if (
    sizeLine !== size.toString() ||
    (rootLine !== undefined && !bytesEqual(fromBase64(rootLine) ?? new Uint8Array(), root))
  ) {
    return { ok: false, message: 'the checkpoint is for another tree than the inclusion proof' };
  }
  for (const line of envelope.slice(split + 2).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    const raw = m === null ? undefined : fromBase64(m[2] as string);
    if (raw === undefined || raw.length < 5) continue;
    const hint = toHex(raw.subarray(0, 4));
    // Whatever the key's validity window, as in sigstore-go and @sigstore/verify: the entry's
    // integrated time is not signed by an inclusion proof, so there is no trusted time to check.
    for (const [logId, keys] of rekorKeys) {
      if (
        logId.startsWith(hint) &&
        keys.some((k) => verifySignatureSync(k.publicKey, utf8(text), raw.subarray(4)))
      )
        return { ok: true, message: 'ok' };
    }
  }
  return { ok: false, message: 'the checkpoint signature does not verify with a trusted Rekor key' };
}
