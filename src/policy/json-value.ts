/** Small readers shared by the policy layer for untyped YAML/JSON values and error text. */
import { isJsonObject } from '../internal/shape.js';

/** A JSON/YAML object as parsed: string keys, unknown values. */
export type Doc = Record<string, unknown>;

/** Whether a parsed value is an object (not null, not an array, not bytes): shape.ts's `isJsonObject`. */
export const isRecord: (v: unknown) => v is Doc = isJsonObject;

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
