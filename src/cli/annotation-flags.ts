/**
 * cosign's `-a key=value` flags (sign, verify) as an annotation map. A command-line concern: the
 * payload layer takes annotations as a map and never sees the flag syntax. It does not check the
 * values against anything; `verify` hands the map to the claim check.
 */
import type { ParseArgsConfig } from 'node:util';
import { InvalidArgumentError } from '../errors/index.js';

/** `-a, --annotations key=value`, repeated: signed into `optional` (sign) or required (verify). */
export const ANNOTATION_OPTIONS = {
  annotations: { type: 'string', short: 'a', multiple: true },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Splits one CSV record as Go's `encoding/csv` does for pflag's StringSlice (quotes, doubled quotes). */
function csvRecord(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length)
          throw new InvalidArgumentError(`Unterminated quote in annotation flag ${JSON.stringify(text)}`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',')
        throw new InvalidArgumentError(`Unexpected text after a quoted field in ${JSON.stringify(text)}`);
    } else {
      while (i < text.length && text[i] !== ',') field += text[i++];
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++;
  }
}

/**
 * Parses `-a` flags as cosign ≥ 3.1.2 does: each flag is a CSV record (`-a a=1,b=2` is two
 * annotations; quote a value containing a comma), each field splits on its first `=`. A later field
 * wins over an earlier one with the same key.
 *
 * @throws InvalidArgumentError for a field without `=` or a malformed quote.
 */
export function parseAnnotationFlags(flags: readonly string[]): Record<string, string> {
  // A Map, then fromEntries: `-a __proto__=x` must be an own annotation, not a prototype write
  // that drops it (verify would then not require it).
  const out = new Map<string, string>();
  for (const flag of flags) {
    for (const field of csvRecord(flag)) {
      const eq = field.indexOf('=');
      if (eq < 0)
        throw new InvalidArgumentError(
          `unable to parse annotation: ${JSON.stringify(field)} is not key=value`,
        );
      out.set(field.slice(0, eq), field.slice(eq + 1));
    }
  }
  return Object.fromEntries(out);
}
