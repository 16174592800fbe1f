/**
 * `ocisign/payload`: the exact bytes cosign signs and stores — simple-signing payloads, signature
 * and attestation images, DSSE envelopes, in-toto statements, Sigstore bundles and their OCI
 * referrers — with Go-compatible JSON. Pure: no I/O.
 *
 * @packageDocumentation
 */
export { checkAnnotationClaims } from './annotation-claims.js';
export type { SigstoreBundle, TlogEntry } from './bundle.js';
export { BUNDLE_V03_MEDIA_TYPE, parseBundle } from './bundle.js';
export type { BundleInput } from './bundle-create.js';
export { createBundle } from './bundle-create.js';
export type { BundleReferrer } from './bundle-referrer.js';
export { bundleReferrerManifest } from './bundle-referrer.js';
export { sha256Digest } from './digest.js';
export type { DsseEnvelope, DsseSignature } from './dsse.js';
export {
  encodeDsseEnvelope,
  IN_TOTO_PAYLOAD_TYPE,
  parseDsseEnvelope,
  preAuthEncoding,
  signDsse,
  verifyDsseEnvelope,
} from './dsse.js';
export type { GoStruct } from './go-json.js';
export { compareUtf8, encodeGoJson, goStruct } from './go-json.js';
export type { Statement, StatementInput } from './intoto.js';
export {
  COSIGN_SIGN_PREDICATE_TYPE,
  customPredicate,
  encodeAttestationStatement,
  encodeCosignSignStatement,
  PREDICATE_TYPES,
  parseStatement,
  predicateTypeFor,
  STATEMENT_V1,
  STATEMENT_V01,
  statementCoversDigest,
  statementSubjectFor,
} from './intoto.js';
export type { Descriptor, ImageIndex, ImageManifest, Manifest, Platform } from './oci.js';
export {
  descriptorStruct,
  EMPTY_JSON,
  indexStruct,
  manifestStruct,
  OCI_CONFIG,
  OCI_EMPTY,
  OCI_INDEX,
  OCI_MANIFEST,
} from './oci.js';
export type { ReferrersIndexEntry } from './referrers-index.js';
export { encodeReferrersIndex } from './referrers-index.js';
export type { HistoryEntry, SignatureConfig } from './signature-config.js';
export { encodeSignatureConfig, parseSignatureConfig } from './signature-config.js';
export type { SignatureFormat } from './signature-format.js';
export type {
  PayloadLimits,
  SignatureImage,
  SignatureImageOptions,
} from './signature-image.js';
export {
  appendSignatureLayer,
  buildSignatureImage,
  COSIGN_SIG_ARTIFACT_TYPE,
  DEFAULT_MAX_LAYERS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  signatureLayersOf,
} from './signature-image.js';
export type { ParsedRekorBundle, RekorBundle, SignatureLayerInput } from './signature-layer.js';
export {
  DSSE_MEDIA_TYPE,
  parseRekorBundleAnnotation,
  SignatureAnnotation,
  sameSignatureLayerContent,
  signatureLayerDescriptor,
} from './signature-layer.js';
export type { SimpleSigningClaims, SimpleSigningPayload } from './simple-signing.js';
export {
  checkSimpleSigningClaims,
  dockerReference,
  encodeSimpleSigningPayload,
  parseSimpleSigningPayload,
  SIMPLE_SIGNING_MEDIA_TYPE,
  SIMPLE_SIGNING_TYPE,
} from './simple-signing.js';
export type { AttachmentKind } from './tags.js';
export { referrersFallbackTag, signatureTag } from './tags.js';
