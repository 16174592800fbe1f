/**
 * The small JSON documents a registry sends besides manifests, each with one schema: the tag list
 * (`GET /v2/<name>/tags/list`), and the JSON decoding every registry document shares. Malformed
 * input is a RegistryResponseError naming the field, never a TypeError.
 *
 * Manifests, indexes and referrers live in manifest.ts; token responses in auth/authenticator.ts;
 * error bodies in response-errors.ts.
 */
import { RegistryResponseError } from '../errors/registry.js';
import { fromUtf8 } from '../internal/bytes.js';
import { array, object, optionalOrNull, readShape, ShapeError, string } from '../internal/shape.js';
import { scrubText } from './redact.js';

/**
 * The RegistryResponseError for a document that broke its shape. The path in the message (and in
 * the ShapeError cause) can hold keys the registry chose, so both are scrubbed of control
 * characters and credential-shaped text.
 */
export function malformed(message: string, cause: ShapeError): RegistryResponseError {
  const clean = (text: string) => scrubText(text, 500);
  return new RegistryResponseError(clean(message), {
    cause: new ShapeError(clean(cause.path), cause.expected),
  });
}

/**
 * Parses registry JSON. The error never carries the parser's message or the text: `JSON.parse`
 * quotes the input, and a registry may have echoed credentials into it.
 */
export function parseJson(bytes: Uint8Array | string, what: string): unknown {
  try {
    return JSON.parse(typeof bytes === 'string' ? bytes : fromUtf8(bytes));
  } catch {
    throw new RegistryResponseError(`${what} is not JSON`);
  }
}

const tagListShape = object(
  { name: optionalOrNull(string), tags: optionalOrNull(array(string)) },
  'an object with a "tags" array',
);

/** The tags of one tag-list page; `{"tags": null}` (an empty repository, in distribution) is none. */
export function parseTagList(bytes: Uint8Array, repository: string): string[] {
  const doc = readShape(
    parseJson(bytes, `Tag list of ${repository}`),
    tagListShape,
    `Tag list of ${repository}`,
    malformed,
  );
  return doc.tags ?? [];
}
