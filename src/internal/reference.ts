/**
 * Image references (`registry/repository[:tag][@digest]`), parsed with the rules of
 * go-containerregistry's `name` package, which is what cosign uses — so the registry we talk to and
 * the `docker-reference` we sign agree with cosign byte for byte:
 *
 * - the first path component is a registry only if it contains `.` or `:` (`localhost:5000/app` is
 *   local; bare `localhost/app` is Docker Hub's `localhost/app`, as in cosign);
 * - no registry, or `docker.io`, means `index.docker.io`; one-component Hub names get `library/`;
 * - no tag and no digest means tag `latest`; a tag beside a digest is kept but the digest wins;
 * - repositories are lowercase `[a-z0-9_./-]`, 2–255 characters; tags `[A-Za-z0-9_.-]`, 1–128.
 *
 * Digests are `sha256:` + 64 or `sha512:` + 128 lowercase hex (cosign itself accepts only sha256).
 * Pure: shared by the payload, registry and policy layers.
 */
import { InvalidReferenceError } from '../errors/registry.js';

export const DEFAULT_REGISTRY = 'index.docker.io';
export const DEFAULT_TAG = 'latest';

/** A parsed image reference. `tag` is `latest` when neither a tag nor a digest was given. */
export interface ImageReference {
  /** Registry host[:port], normalized (`docker.io` → `index.docker.io`). */
  readonly registry: string;
  /** Repository path, with `library/` added for one-component Docker Hub names. */
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:<hex>` when the reference pins a digest. */
  readonly digest?: string;
}

const REPOSITORY_CHARS = /^[a-z0-9_./-]+$/;
const TAG_CHARS = /^[A-Za-z0-9_.-]+$/;
const DIGEST = /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

function bad(input: string, why: string): never {
  const shown = input.length > 300 ? `${input.slice(0, 300)}…` : input;
  throw new InvalidReferenceError(`Invalid image reference ${JSON.stringify(shown)}: ${why}`);
}

/** Checks a digest string (`sha256:<64 hex>` or `sha512:<128 hex>`), throwing InvalidReferenceError. */
export function checkDigest(digest: string, input = digest): string {
  if (typeof digest !== 'string') bad(String(input), 'a digest must be a string "sha256:<64 hex>"');
  if (!DIGEST.test(digest)) {
    const [algorithm] = digest.split(':');
    if (algorithm === 'sha256' || algorithm === 'sha512') {
      bad(
        input,
        `a ${algorithm} digest is "${algorithm}:" followed by ${algorithm === 'sha256' ? 64 : 128} lowercase hex characters`,
      );
    }
    bad(input, 'a digest must be "sha256:<64 hex>" (or "sha512:<128 hex>")');
  }
  return digest;
}

/** Normalizes a registry host: `docker.io` (and an empty one) become `index.docker.io`. */
export function normalizeRegistry(registry: string): string {
  return registry === '' || registry === 'docker.io' ? DEFAULT_REGISTRY : registry;
}

function splitRepository(name: string, input: string): { registry: string; repository: string } {
  if (name.length === 0) bad(input, 'the repository name is empty');
  let registry = '';
  let repository = name;
  const slash = name.indexOf('/');
  if (slash > 0) {
    const first = name.slice(0, slash);
    if (first.includes('.') || first.includes(':')) {
      registry = first;
      repository = name.slice(slash + 1);
    }
  }
  if (registry !== '' && !HOST.test(registry)) bad(input, `"${registry}" is not a registry host[:port]`);
  if (repository.length < 2 || repository.length > 255)
    bad(input, 'the repository must be 2 to 255 characters long');
  if (!REPOSITORY_CHARS.test(repository)) {
    bad(
      input,
      'a repository may contain only lowercase letters, digits and _ . / - (uppercase is not allowed)',
    );
  }
  if (repository.split('/').some((part) => part === ''))
    bad(input, 'the repository has an empty path component');
  registry = normalizeRegistry(registry);
  if (registry === DEFAULT_REGISTRY && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository };
}

/**
 * Parses an image reference. Throws `InvalidReferenceError` naming what is wrong.
 *
 * @example parseImageReference('ubuntu') // { registry: 'index.docker.io', repository: 'library/ubuntu', tag: 'latest' }
 */
export function parseImageReference(input: string): ImageReference {
  if (typeof input !== 'string')
    throw new InvalidReferenceError(
      `An image reference must be a string, not ${input === null ? 'null' : typeof input}`,
    );
  if (input.length === 0) bad(input, 'it is empty');
  if (input.length > 4096) bad(input, 'it is longer than 4096 characters');
  if (/\s/.test(input)) bad(input, 'it contains whitespace');
  const at = input.indexOf('@');
  let digest: string | undefined;
  let rest = input;
  if (at >= 0) {
    if (input.indexOf('@', at + 1) >= 0) bad(input, "a digest reference has exactly one '@'");
    digest = checkDigest(input.slice(at + 1), input);
    rest = input.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && !rest.slice(colon + 1).includes('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (tag === '') bad(input, 'a tag name must follow the colon');
    if (tag.length > 128 || !TAG_CHARS.test(tag))
      bad(input, `tag "${tag}" must be 1 to 128 characters of letters, digits, _ . -`);
  }
  const { registry, repository } = splitRepository(rest, input);
  if (digest !== undefined)
    return tag === undefined ? { registry, repository, digest } : { registry, repository, tag, digest };
  return { registry, repository, tag: tag ?? DEFAULT_TAG };
}

/** `registry/repository` — the name cosign writes as `docker-reference`. */
export function repositoryName(ref: Pick<ImageReference, 'registry' | 'repository'>): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The canonical string: `registry/repository@digest` when pinned, else `registry/repository:tag`. */
export function formatImageReference(ref: ImageReference): string {
  if (ref.digest !== undefined) return `${repositoryName(ref)}@${ref.digest}`;
  return `${repositoryName(ref)}:${ref.tag ?? DEFAULT_TAG}`;
}
