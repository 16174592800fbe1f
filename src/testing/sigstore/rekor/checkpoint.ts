/**
 * Checkpoints as the logs sign them: the C2SP checkpoint body (`origin\nsize\nbase64(root)\n`)
 * inside a signed note (`body\n— name base64(keyHint ‖ signature)\n`). Rekor v1 names its
 * checkpoint `"<hostname> - <treeID>"`, signs as `<hostname>` and hints with the first four bytes
 * of SHA-256(PKIX DER) (sigstore/rekor `pkg/util/checkpoint.go`, `signed_note.go`); Rekor v2
 * (Tessera) names and signs as its origin and hints with the C2SP note key ID (rekor-tiles
 * `pkg/note/note.go`). Deliberately not here: parsing or verifying notes (`src/sigstore/tlog/merkle.ts`).
 */
import { createHash } from 'node:crypto';
import { toBase64, utf8 } from '../../../internal/bytes.js';
import type { LogKey } from './log-key.js';

/** The body of a checkpoint (C2SP tlog-checkpoint): origin, tree size and base64 root hash, one per line. */
export function checkpointBody(origin: string, size: number, rootHash: Uint8Array): string {
  return `${origin}\n${size}\n${toBase64(rootHash)}\n`;
}

/**
 * The C2SP signed-note key ID (all 32 bytes; its first four are the key hint), as rekor-tiles'
 * `note.KeyHash` computes it and uses as the log ID: SHA-256 of the PKIX DER for ECDSA keys,
 * SHA-256(name ‖ "\n" ‖ 0x01 ‖ the 32-byte key) for Ed25519 (the signed-note standard).
 */
export function noteKeyId(name: string, key: LogKey): Uint8Array {
  if (key.algorithm !== 'ed25519') return key.derSha256;
  const raw = key.publicKeyDer.subarray(key.publicKeyDer.length - 32);
  return new Uint8Array(
    createHash('sha256').update(`${name}\n`).update(Uint8Array.of(1)).update(raw).digest(),
  );
}

/**
 * `body` signed by `key` as the note signer `name`, whose key hint is the first four bytes of
 * `keyId`: the body, a blank line, and one signature line.
 */
export function signNote(body: string, name: string, key: LogKey, keyId: Uint8Array): string {
  const signature = key.sign(utf8(body));
  const hinted = new Uint8Array(4 + signature.length);
  hinted.set(keyId.subarray(0, 4));
  hinted.set(signature, 4);
  return `${body}\n\u2014 ${name} ${toBase64(hinted)}\n`;
}
