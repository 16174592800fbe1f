/**
 * The annotation claim, as cosign checks `-a key=value` against what was signed: every wanted
 * annotation must be present with an equal value of the same JSON type (the string "1" never
 * equals the number 1), compared structurally, so key order inside an object value never matters.
 * One rule for both formats: a simple-signing payload's `optional` and an in-toto subject's
 * `annotations`.
 */
import { ClaimMismatchError } from '../errors/payload.js';

/** Structural equality of JSON values (own keys, any order; arrays in order). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a))
    return a.length === (b as unknown[]).length && a.every((v, i) => jsonEqual(v, (b as unknown[])[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) =>
        Object.hasOwn(b as object, k) &&
        jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

/**
 * Throws ClaimMismatchError (claim `annotation`) naming the first wanted annotation that `signed`
 * lacks or holds with another value; `signed` is null when nothing was signed besides the digest.
 */
export function checkAnnotationClaims(
  signed: Readonly<Record<string, unknown>> | null,
  wanted: Readonly<Record<string, unknown>> | null | undefined,
): void {
  for (const [key, value] of Object.entries(wanted ?? {})) {
    const actual = signed === null || !Object.hasOwn(signed, key) ? undefined : signed[key];
    if (signed === null || !Object.hasOwn(signed, key) || !jsonEqual(actual, value)) {
      throw new ClaimMismatchError(
        `missing or incorrect annotation: ${key} should be ${JSON.stringify(value)}, the payload has ${actual === undefined ? 'none' : JSON.stringify(actual)}`,
        { claim: 'annotation' },
      );
    }
  }
}
