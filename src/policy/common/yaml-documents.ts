/**
 * Untrusted YAML (or JSON) text → the values of its documents, each with its parsed `Document` (for
 * line numbers). Syntax errors, alias bombs and nesting deep enough to exhaust the parser's stack
 * become a `PolicyValidationError` naming the source.
 */
import { type Document, LineCounter, parseAllDocuments } from 'yaml';
import { PolicyValidationError } from '../../errors/policy.js';

export interface YamlDocument {
  readonly document: Document;
  readonly value: unknown;
}

/**
 * Deepest nesting accepted. Kubernetes objects and Kyverno policies nest a few dozen levels; the
 * YAML parser recurses per level and exhausts the stack near a thousand, where V8 can even abort
 * the process (a RegExp compiled at the stack limit reports out-of-memory), so refuse long before.
 */
const MAX_DEPTH = 256;

/**
 * The line (1-based) where `text` nests deeper than {@link MAX_DEPTH}, or undefined: open flow
 * brackets (`[`, `{`; those in strings such as `{{ … }}` close again at once), or a block node
 * starting past column 2 × MAX_DEPTH (each block level takes at least one column).
 */
function tooDeep(text: string): number | undefined {
  let depth = 0;
  let line = 1;
  let column = 0;
  let indent = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      column = 0;
      indent = true;
      continue;
    }
    column++;
    // Leading spaces and block indicators ("- ", "? ", ": ") are block indentation.
    if (
      indent &&
      !(c === 32 || c === 9 || ((c === 45 || c === 63 || c === 58) && text.charCodeAt(i + 1) === 32))
    )
      indent = false;
    if (indent && column > 2 * MAX_DEPTH) return line;
    if (c === 91 || c === 123) {
      if (++depth > MAX_DEPTH) return line;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return undefined;
}

export function yamlDocuments(
  text: string,
  source: string,
): { documents: YamlDocument[]; lines: LineCounter } {
  const deep = tooDeep(text);
  if (deep !== undefined)
    throw new PolicyValidationError(source, [
      `nests deeper than ${MAX_DEPTH} levels at line ${deep}: no Kubernetes object or policy does`,
    ]);
  const lines = new LineCounter();
  // logLevel 'error': the parser's warnings (e.g. stringified collection keys) are not ours to print.
  const parsed = parseAllDocuments(text, { lineCounter: lines, logLevel: 'error' });
  const documents: YamlDocument[] = [];
  for (const document of Array.isArray(parsed) ? parsed : [parsed]) {
    if (document.errors.length > 0)
      throw new PolicyValidationError(
        source,
        document.errors.map((e) => e.message),
      );
    try {
      // maxAliasCount bounds alias expansion ("billion laughs"); unresolved aliases also throw here.
      documents.push({ document, value: document.toJS({ maxAliasCount: 100 }) });
    } catch (error) {
      throw new PolicyValidationError(source, [
        error instanceof Error ? error.message : 'the YAML could not be read',
      ]);
    }
  }
  return { documents, lines };
}
