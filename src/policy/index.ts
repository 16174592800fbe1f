/**
 * `ocisign/policy`: Kyverno `verifyImages` semantics. So far: Kyverno's image glob and the normalized
 * image string it matches against; policy loading and the admission engine follow.
 *
 * @packageDocumentation
 */
export type { KyvernoImageInfo, KyvernoImageOptions } from './image-string.js';
export { kyvernoImageInfo, kyvernoImageString } from './image-string.js';
export { matchesAnyImagePattern, matchImagePattern } from './wildcard.js';
