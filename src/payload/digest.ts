/** SHA-256 content digests (`sha256:<hex>`), on node:crypto where present and pure JS elsewhere. */
import { toHex } from '../internal/bytes.js';
import { backend } from '../keys/backend/select.js';

/** The `sha256:<hex>` digest of some bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${toHex(backend().digest('sha256', bytes))}`;
}
