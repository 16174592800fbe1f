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

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a))
    return a.length === (b as unknown[]).length && a.every((v, i) => deepEqual(v, (b as unknown[])[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) =>
        Object.hasOwn(b as object, k) &&
        deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
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
  for (const [key, wanted] of Object.entries(claims.annotations ?? {})) {
    const actual = payload.annotations?.[key];
    if (
      payload.annotations === null ||
      !Object.hasOwn(payload.annotations, key) ||
      !deepEqual(actual, wanted)
    ) {
      throw new ClaimMismatchError(
        `missing or incorrect annotation: ${key} should be ${JSON.stringify(wanted)}, the payload has ${actual === undefined ? 'none' : JSON.stringify(actual)}`,
        { claim: 'annotation' },
      );
    }
  }
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

/** Splits one CSV record as Go's `encoding/csv` does for pflag's StringSlice (quotes, doubled quotes). */
function csvRecord(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length)
          throw new InvalidArgumentError(`Unterminated quote in annotation flag ${JSON.stringify(text)}`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',')
        throw new InvalidArgumentError(`Unexpected text after a quoted field in ${JSON.stringify(text)}`);
    } else {
      while (i < text.length && text[i] !== ',') field += text[i++];
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++;
  }
}

/**
 * Parses `-a` flags as cosign ≥ 3.1.2 does: each flag is a CSV record (`-a a=1,b=2` is two
 * annotations; quote a value containing a comma), each field splits on its first `=`.
 */
export function parseAnnotationFlags(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags) {
    for (const field of csvRecord(flag)) {
      const eq = field.indexOf('=');
      if (eq < 0)
        throw new InvalidArgumentError(
          `unable to parse annotation: ${JSON.stringify(field)} is not key=value`,
        );
      out[field.slice(0, eq)] = field.slice(eq + 1);
    }
  }
  return out;
}
