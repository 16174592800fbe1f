/** Reads untrusted bytes as one JSON object, or throws the caller's typed error naming the document. */
import type { OcisignError } from '../errors/base.js';
import { PayloadFormatError } from '../errors/payload.js';
import { fromUtf8 } from '../internal/bytes.js';

export function parseJsonObject(
  input: Uint8Array | string,
  what: string,
  makeError: (message: string) => OcisignError = (message) => new PayloadFormatError(message),
): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof input === 'string' ? input : fromUtf8(input));
  } catch {
    throw makeError(`${what} is not JSON`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw makeError(`${what} is not a JSON object`);
  return doc as Record<string, unknown>;
}
