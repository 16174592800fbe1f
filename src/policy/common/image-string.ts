/**
 * The string Kyverno matches `verifyImages` patterns against: `ImageInfo.String()` — the default
 * registry added to short names (without Docker Hub's `library/`), parsed with
 * distribution/reference's `Parse` grammar, `:latest` added when there is neither tag nor digest, and
 * the tag dropped when a digest is present. Not the cosign/ggcr normalization the rest of ocisign
 * uses for registry I/O: `nginx` here is `docker.io/nginx:latest`, there `index.docker.io/library/nginx`.
 */
import { InvalidReferenceError } from '../../errors/registry.js';

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);

/** Kyverno's image settings: `defaultRegistry` and `enableDefaultRegistryMutation`. */
export interface KyvernoImageOptions {
  /** Kyverno's `defaultRegistry` config (default `docker.io`). */
  readonly defaultRegistry?: string;
  /** Kyverno's `enableDefaultRegistryMutation` (default true); false leaves the default registry out. */
  readonly enableDefaultRegistryMutation?: boolean;
}

/** The parts of an image as Kyverno's `ImageInfo` holds them. */
export interface KyvernoImageInfo {
  readonly registry: string;
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

function addDefaultRegistry(image: string, defaultRegistry: string): string {
  const slash = image.indexOf('/');
  const first = slash < 0 ? image : image.slice(0, slash);
  if (
    slash < 0 ||
    (!first.includes('.') && !first.includes(':') && first !== 'localhost' && first.toLowerCase() === first)
  ) {
    return `${defaultRegistry}/${image}`;
  }
  return image;
}

/** Parses an image the way Kyverno's `GetImageInfo` does. Throws InvalidReferenceError like its "invalid image". */
export function kyvernoImageInfo(image: string, options: KyvernoImageOptions = {}): KyvernoImageInfo {
  const defaultRegistry = options.defaultRegistry ?? 'docker.io';
  const trimmed = typeof image === 'string' ? image.trim() : '';
  if (trimmed === '') throw new InvalidReferenceError('invalid image: the image is empty');
  const full = addDefaultRegistry(trimmed, defaultRegistry);
  const m = REFERENCE.exec(full);
  if (m === null || (m[1] ?? '').length + (m[2] ?? '').length + 1 > 256) {
    const lower = REFERENCE.exec(full.toLowerCase());
    throw new InvalidReferenceError(
      `invalid image '${trimmed}' (${lower !== null ? 'repository name must be lowercase' : 'invalid reference format'})`,
    );
  }
  let registry = m[1] ?? '';
  if (
    options.enableDefaultRegistryMutation === false &&
    registry === defaultRegistry &&
    !trimmed.startsWith(`${defaultRegistry}/`)
  )
    registry = '';
  const tag = m[3];
  const digest = m[4];
  return {
    registry,
    path: m[2] as string,
    ...(tag !== undefined ? { tag } : digest === undefined ? { tag: 'latest' } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/**
 * The normalized string Kyverno matches `imageReferences` against:
 * `<registry>/<path>@<digest>` when a digest is present (the tag is dropped), else `<registry>/<path>:<tag>`.
 */
export function kyvernoImageString(image: string, options: KyvernoImageOptions = {}): string {
  const info = kyvernoImageInfo(image, options);
  const name = info.registry === '' ? info.path : `${info.registry}/${info.path}`;
  return info.digest !== undefined ? `${name}@${info.digest}` : `${name}:${info.tag}`;
}
