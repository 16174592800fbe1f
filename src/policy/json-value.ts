/** Small readers shared by the policy layer for untyped YAML/JSON values and error text. */

/** A JSON/YAML object as parsed: string keys, unknown values. */
export type Doc = Record<string, unknown>;

/** Whether a parsed value is an object (not null, not an array). */
export const isRecord = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An error's message on one line (cosign's and ours can span several), for rule messages. */
export function oneLineMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, '; ').trim();
}
