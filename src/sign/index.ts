/** Sign images and attestations in cosign's formats (exported from the package root, `ocisign`). */

export type { AttestImageOptions, AttestResult } from './attest.js';
export { attestImage } from './attest.js';
export type { AppendResult } from './classic-append.js';
export type { SigstoreEvidenceOptions, TimestampOptions, TlogUploadOptions } from './evidence-options.js';
export type { LoggedEntrySummary } from './evidence-storage.js';
export type { SignedArtifact, SignImageOptions, SignResult } from './sign-image.js';
export { signImage } from './sign-image.js';
