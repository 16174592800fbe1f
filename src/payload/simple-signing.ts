/**
 * The simple-signing payload cosign signs for an image in the classic `.sig` format, byte for byte:
 * `{"critical":{"identity":{"docker-reference":…},"image":{"docker-manifest-digest":…},"type":
 * "cosign container image signature"},"optional":…}` — and the claim checks `cosign verify` runs on
 * it. Pure: it neither resolves tags nor verifies signatures.
 */

import { InvalidArgumentError } from '../errors/base.js';
import { ClaimMismatchError, PayloadFormatError } from '../errors/payload.js';
import { utf8 } from '../internal/bytes.js';
import { checkDigest, parseImageReference, repositoryName } from '../internal/reference.js';
import { checkAnnotationClaims } from './annotation-claims.js';
import { goAny, goMap, goString, goStructOf, readGoJson } from './go-decode.js';
import { encodeGoJson, goStruct } from './go-json.js';

/** The `critical.type` cosign writes: `cosign container image signature`. */
export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';
/** Media type of cosign's simple-signing payload layers. */
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';

/** A parsed simple-signing payload. */
export interface SimpleSigningPayload {
  readonly dockerReference: string;
  readonly manifestDigest: string;
  readonly type: string;
  /** `optional` as signed: `null` when the signer passed no annotations. */
  readonly annotations: Readonly<Record<string, unknown>> | null;
}

/**
 * The `docker-reference` cosign writes: registry/repository after Docker Hub normalization, never a
 * tag or digest. `"ubuntu@sha256:…"` → `"index.docker.io/library/ubuntu"`.
 */
export function dockerReference(image: string): string {
  return repositoryName(parseImageReference(image));
}

/** Encodes the payload exactly as cosign (sigstore's `payload.Cosign`) does. */
export function encodeSimpleSigningPayload(input: {
  dockerReference: string;
  manifestDigest: string;
  annotations?: Readonly<Record<string, unknown>> | null;
}): Uint8Array {
  if (typeof input?.dockerReference !== 'string' || input.dockerReference === '') {
    throw new InvalidArgumentError(
      'dockerReference must be a non-empty string (e.g. from dockerReference(image))',
    );
  }
  checkDigest(input.manifestDigest);
  const doc = goStruct([
    [
      'critical',
      goStruct([
        ['identity', goStruct([['docker-reference', input.dockerReference]])],
        ['image', goStruct([['docker-manifest-digest', input.manifestDigest]])],
        ['type', SIMPLE_SIGNING_TYPE],
      ]),
    ],
    ['optional', input.annotations ?? null],
  ]);
  return utf8(encodeGoJson(doc));
}

/**
 * The payload as sigstore's `payload.SimpleContainerImage` Go struct declares it — the type cosign's
 * `SimpleClaimVerifier` decodes into with `json.Unmarshal`.
 */
const simpleContainerImage = goStructOf({
  critical: goStructOf({
    identity: goStructOf({ 'docker-reference': goString }),
    image: goStructOf({ 'docker-manifest-digest': goString }),
    type: goString,
  }),
  optional: goMap(goAny),
});

/**
 * Parses a payload exactly as cosign's verifier does (Go `encoding/json` into sigstore's
 * `SimpleContainerImage`): names match case-insensitively, unknown members are ignored, a missing or
 * `null` member is empty (so `null` itself is an empty payload, whose digest claim then fails), and
 * every other type mismatch — `{"critical":7}`, `{"critical":{"image":"x"}}`, a bare string — throws
 * PayloadFormatError, as Go's `UnmarshalTypeError` makes cosign refuse it. (A member repeated with
 * the same name in a struct is refused too; Go would merge the two.)
 */
export function parseSimpleSigningPayload(bytes: Uint8Array): SimpleSigningPayload {
  const doc = readGoJson(
    bytes,
    simpleContainerImage,
    'Simple-signing payload',
    (message, cause) => new PayloadFormatError(message, { cause }),
  );
  return {
    dockerReference: doc.critical.identity['docker-reference'],
    manifestDigest: doc.critical.image['docker-manifest-digest'],
    type: doc.critical.type,
    annotations: doc.optional,
  };
}

/** What a verifier requires of a payload. */
export interface SimpleSigningClaims {
  /** The image digest the payload must name. */
  readonly manifestDigest: string;
  /** Annotations that must be present in `optional` with equal value and JSON type. */
  readonly annotations?: Readonly<Record<string, unknown>> | null | undefined;
  /**
   * Also check `critical.type` and `critical.identity.docker-reference` (against this value). cosign
   * checks neither; strict mode is ours, off by default.
   */
  readonly strict?: { readonly dockerReference: string } | undefined;
}

/**
 * The claim checks `cosign verify` applies: the digest must equal; every wanted annotation must be
 * present with an equal value of the same JSON type (the string "1" never equals the number 1).
 * Throws ClaimMismatchError saying which claim failed.
 */
export function checkSimpleSigningClaims(payload: SimpleSigningPayload, claims: SimpleSigningClaims): void {
  if (payload.manifestDigest !== claims.manifestDigest) {
    throw new ClaimMismatchError(
      `invalid or missing digest in claim: the payload names ${payload.manifestDigest || '(nothing)'}, the image is ${claims.manifestDigest}`,
      { claim: 'digest' },
    );
  }
  checkAnnotationClaims(payload.annotations, claims.annotations);
  if (claims.strict !== undefined) {
    if (payload.type !== SIMPLE_SIGNING_TYPE)
      throw new ClaimMismatchError(`critical.type is "${payload.type}", expected "${SIMPLE_SIGNING_TYPE}"`, {
        claim: 'type',
      });
    if (payload.dockerReference !== claims.strict.dockerReference) {
      throw new ClaimMismatchError(
        `docker-reference is "${payload.dockerReference}", expected "${claims.strict.dockerReference}"`,
        { claim: 'docker-reference' },
      );
    }
  }
}
