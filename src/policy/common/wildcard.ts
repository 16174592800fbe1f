/**
 * Kyverno's image glob (go-wildcard v1.0.3, as `ext/wildcard` uses it): `*` is any sequence of
 * characters including none (and including `/`, `:`, `@`), `?` exactly one character, everything else
 * literal — no escaping, no classes, no braces. Whole-string, case-sensitive, by Unicode code point.
 * Implemented as dynamic programming, so hostile patterns cost O(pattern × text), not exponential.
 */

/** Does `text` match Kyverno's wildcard `pattern`? */
export function matchImagePattern(pattern: string, text: string): boolean {
  if (pattern === '*') return true;
  if (pattern === '') return text === '';
  const p = Array.from(pattern);
  const t = Array.from(text);
  // row[j]: does p[0..i) match t[0..j)?
  let row = new Array<boolean>(t.length + 1).fill(false);
  row[0] = true;
  for (const c of p) {
    const next = new Array<boolean>(t.length + 1).fill(false);
    if (c === '*') {
      let any = false;
      for (let j = 0; j <= t.length; j++) {
        any = any || (row[j] as boolean);
        next[j] = any;
      }
    } else {
      for (let j = 1; j <= t.length; j++) next[j] = (row[j - 1] as boolean) && (c === '?' || c === t[j - 1]);
    }
    row = next;
  }
  return row[t.length] as boolean;
}

/** True when any pattern matches (an empty list matches nothing). */
export function matchesAnyImagePattern(patterns: readonly string[], text: string): boolean {
  return patterns.some((pattern) => matchImagePattern(pattern, text));
}
