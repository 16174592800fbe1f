/**
 * The two ways cosign stores a signature or an attestation next to an image. A name only: the
 * bytes of each format are built and read by the modules that own them (`simple-signing.ts`,
 * `signature-layer.ts` for the classic tag; `bundle.ts`, `bundle-referrer.ts` for bundles).
 */

/**
 * How a signature is stored: `simple-signing` (cosign's classic `.sig` / `.att` image) or `bundle`
 * (a Sigstore bundle v0.3 pushed as an OCI referrer, cosign 3's default).
 */
export type SignatureFormat = 'simple-signing' | 'bundle';
