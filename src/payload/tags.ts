/** The tags cosign stores things under, next to the image they describe. */
import { InvalidArgumentError } from '../errors/base.js';
import { checkDigest } from '../internal/reference.js';

/** Suffixes of cosign's attachment tags. */
export type AttachmentKind = 'sig' | 'att' | 'sbom';

/** `sha256:<hex>` → `sha256-<hex>.sig` (or `.att`, `.sbom`), with cosign's optional tag prefix. */
export function signatureTag(
  manifestDigest: string,
  kind: AttachmentKind = 'sig',
  options: { prefix?: string } = {},
): string {
  checkDigest(manifestDigest);
  if (kind !== 'sig' && kind !== 'att' && kind !== 'sbom')
    throw new InvalidArgumentError(`kind must be "sig", "att" or "sbom", got ${String(kind)}`);
  return `${options.prefix ?? ''}${manifestDigest.replace(':', '-')}.${kind}`;
}

/** The OCI referrers fallback tag for registries without the referrers API: `sha256-<hex>`. */
export function referrersFallbackTag(manifestDigest: string): string {
  checkDigest(manifestDigest);
  return manifestDigest.replace(':', '-');
}
