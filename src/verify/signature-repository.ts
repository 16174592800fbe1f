/**
 * The repository signatures are read from, parsed once per verification: discovery addresses the
 * registry with the parsed reference (no string to parse again on every request) and names
 * candidates with the text.
 */
import { type ImageReference, parseImageReference } from '../internal/reference.js';

/** A signature repository: its `registry/repository` text and its parsed form. */
export interface SignatureRepository {
  readonly name: string;
  readonly reference: Pick<ImageReference, 'registry' | 'repository'>;
}

/** Parses `registry/repository` (a reference without tag or digest) once. */
export function signatureRepository(name: string): SignatureRepository {
  const { registry, repository } = parseImageReference(name);
  return { name, reference: { registry, repository } };
}
