/** Image references for registry users: `parseReference` and friends, over the shared parser. */
import {
  formatImageReference,
  type ImageReference,
  parseImageReference,
  repositoryName,
} from '../internal/reference.js';

export type { ImageReference };

/**
 * Parses `[registry/]repository[:tag][@digest]` with Docker Hub normalization as cosign (via
 * go-containerregistry) does: `ubuntu` → `{ registry: 'index.docker.io', repository:
 * 'library/ubuntu', tag: 'latest' }`. Throws `InvalidReferenceError` saying what is wrong.
 */
export function parseReference(ref: string): ImageReference {
  return parseImageReference(ref);
}

/** `registry/repository@digest`, or `registry/repository:tag` when there is no digest. */
export function formatReference(ref: ImageReference): string {
  return formatImageReference(ref);
}

export { repositoryName };
