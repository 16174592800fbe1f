/** Small readers shared by the policy layer for untyped YAML/JSON values and error text. */
import { own } from '../../internal/shape.js';

/** A JSON/YAML object as parsed (`isJsonObject` tells one): string keys, unknown values. */
export type Doc = Record<string, unknown>;

/** An own member of `o` when it is a string, else undefined (an inherited `toString` is not one). */
export function ownString(o: Doc, key: string): string | undefined {
  const v = own(o, key);
  return typeof v === 'string' ? v : undefined;
}

/**
 * An error's message on one line (cosign's and ours can span several), for rule messages. Never
 * throws: a backend may reject with anything, even an object whose `toString` is not a function.
 */
export function oneLineMessage(error: unknown): string {
  let message: string;
  try {
    message = error instanceof Error ? String(error.message) : String(error);
  } catch {
    message = 'an error that cannot be printed';
  }
  return message.replace(/\s*\n\s*/g, '; ').trim();
}
