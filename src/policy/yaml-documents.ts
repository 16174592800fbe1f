/**
 * Untrusted YAML (or JSON) text → the values of its documents, each with its parsed `Document` (for
 * line numbers). Syntax errors and alias bombs become a `PolicyValidationError` naming the source.
 */
import { type Document, LineCounter, parseAllDocuments } from 'yaml';
import { PolicyValidationError } from '../errors/policy.js';

export interface YamlDocument {
  readonly document: Document;
  readonly value: unknown;
}

export function yamlDocuments(
  text: string,
  source: string,
): { documents: YamlDocument[]; lines: LineCounter } {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines });
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
      throw new PolicyValidationError(source, [(error as Error).message]);
    }
  }
  return { documents, lines };
}
