/**
 * The options of signing that reach Sigstore services: uploading to a transparency log (cosign's
 * `--tlog-upload`, `--rekor-url`) and RFC 3161 timestamps (`--timestamp-server-url`), and the trust
 * material their answers are verified against before anything is stored.
 *
 * Deliberately not here: calling the services (`sign-evidence.ts`), where the evidence is stored
 * (`sign-image.ts`, `attest.ts`).
 */
import type { PublicKey } from '../keys/key-objects.js';

/** Upload every signature to a Rekor log, as cosign does by default. */
export interface TlogUploadOptions {
  /** The log's base URL, e.g. `https://rekor.sigstore.dev` (v1) or a rekor-tiles log (v2). */
  readonly rekorUrl: string;
  /**
   * The log's API: 1 (default; `hashedrekord` for signatures, `dsse` for attestations and bundles,
   * stored with its SET) or 2 (rekor-tiles: bundles only — a v2 entry has no SET for a classic
   * layer's `dev.sigstore.cosign/bundle` annotation — and only with `timestamp`, since a v2 entry
   * proves no signing time).
   */
  readonly apiVersion?: 1 | 2;
  /** The log's public keys (PEM or `PublicKey`), when no trusted root names the log. */
  readonly rekorPublicKeys?: ReadonlyArray<PublicKey | string>;
  /** Deadline of one upload, retries included. Default 30 s. */
  readonly timeoutMs?: number;
}

/** Ask an RFC 3161 timestamp authority to stamp every signature (cosign's `--timestamp-server-url`). */
export interface TimestampOptions {
  /** The TSA's timestamp endpoint, e.g. `https://timestamp.sigstore.dev/api/v1/timestamp`. */
  readonly url: string;
  /** Deadline of one request. Default 10 s. */
  readonly timeoutMs?: number;
}

/** What `signImage` and `attestImage` take to reach Sigstore services; all optional. */
export interface SigstoreEvidenceOptions {
  /** Upload to this log before anything is pushed; absent, nothing is uploaded (the SDK is explicit). */
  readonly tlog?: TlogUploadOptions;
  /** Timestamp every signature before anything is pushed. */
  readonly timestamp?: TimestampOptions;
  /**
   * The trusted root (JSON or a parsed `TrustedRoot`) whose logs and TSAs the answers must verify
   * against. Default: the public-good root shipped with ocisign. A log or TSA it does not name is
   * trusted on first use from its own key endpoint (`/api/v1/log/publicKey`,
   * `/api/v1/timestamp/certchain`), with a warning; pass the instance's trusted root (e.g.
   * `startSigstore().trustedRoot`) to pin it.
   */
  readonly trustedRoot?: unknown;
}
