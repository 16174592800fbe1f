/**
 * What the Sigstore service doubles' tests (src/testing/sigstore) share: calling a handler
 * directly as the loopback server would; the request bodies several tests post — Rekor
 * hashedrekord entries (v1 proposals and v2 create requests) signed by a test key, and the JSON
 * timestamp request @sigstore/sign's TSA client posts; and a trusted root naming only the doubles
 * under test, with @sigstore/verify's trust material for it.
 *
 * Deliberately not here: anything a single test file alone needs, or asserting on the answers.
 */
import { createHash, type KeyObject, sign } from 'node:crypto';
import type { TrustMaterial } from '@sigstore/verify';
import { toBase64, utf8 } from '../../src/internal/bytes.js';
import { trustMaterialOf } from '../../src/sigstore/trust-material.js';
import {
  parseTrustedRoot,
  TRUSTED_ROOT_MEDIA_TYPE,
  type TrustedRoot,
} from '../../src/sigstore/trusted-root.js';
import type { ServiceHandler, ServiceRequest, ServiceResponse } from '../../src/testing/sigstore/service.js';
import { spkiDer, spkiPem } from './keys.js';

/** How {@link serviceRequest} builds a request. */
export interface RequestOptions {
  /** Bytes as given, a string as UTF-8, any other value as JSON; default: no body. */
  readonly body?: unknown;
  /** The query string, without `?`. */
  readonly query?: string | undefined;
  /** Default: `content-type: application/json`. */
  readonly headers?: Readonly<Record<string, string>>;
}

function bodyBytes(body: unknown): Uint8Array {
  if (body === undefined) return new Uint8Array();
  if (body instanceof Uint8Array) return body;
  return utf8(typeof body === 'string' ? body : JSON.stringify(body));
}

/** A request as a handler sees it once the server has read it. */
export function serviceRequest(method: string, path: string, options: RequestOptions = {}): ServiceRequest {
  return {
    method,
    path,
    query: new URLSearchParams(options.query ?? ''),
    headers: { ...(options.headers ?? { 'content-type': 'application/json' }) },
    body: bodyBytes(options.body),
  };
}

/** `handler`'s answer to the request; throws when it leaves the path to other handlers. */
export async function callService(
  handler: ServiceHandler,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ServiceResponse> {
  const answer = await handler(serviceRequest(method, path, options));
  if (answer === undefined) throw new Error(`no answer for ${method} ${path}`);
  return answer;
}

/** An answer's body parsed as JSON. */
export const jsonOf = (answer: ServiceResponse): ReturnType<typeof JSON.parse> =>
  JSON.parse(String(answer.body));

/** SHA-256 of `bytes`. */
export const sha256 = (bytes: Uint8Array): Uint8Array =>
  new Uint8Array(createHash('sha256').update(bytes).digest());

/** A signing key and its public key. */
export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** An artifact (`text`, default unique) and its SHA-256 signature by `privateKey`. */
export function signedArtifact(
  privateKey: KeyObject,
  text = `artifact ${Math.random()}`,
): { readonly artifact: Uint8Array; readonly signature: Uint8Array } {
  const artifact = utf8(text);
  return { artifact, signature: new Uint8Array(sign('sha256', artifact, privateKey)) };
}

/** A Rekor v1 hashedrekord 0.0.1 proposal; mutable, so that a test can spoil one member. */
export type HashedRekordV1 = {
  apiVersion: string;
  kind: string;
  spec: {
    data: { hash: { algorithm: string; value: string } };
    signature: { content: string; publicKey: { content: string } };
  };
};

/** A Rekor v2 `CreateEntryRequest` for a hashedrekord 0.0.2 with a public-key verifier. */
export type HashedRekordV2 = {
  hashedRekordRequestV002: {
    digest: string;
    signature: { content: string; verifier: { publicKey: { rawBytes: string }; keyDetails: string } };
  };
};

/** A {@link HashedRekordV1}: `signature` over the artifact whose `digest` is given. */
export function hashedRekordV1(parts: {
  readonly digest: Uint8Array;
  readonly signature: Uint8Array;
  /** The verifier: a PEM public key or certificate. */
  readonly publicKeyPem: string;
  readonly algorithm?: string;
}): HashedRekordV1 {
  return {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: {
        hash: { algorithm: parts.algorithm ?? 'sha256', value: Buffer.from(parts.digest).toString('hex') },
      },
      signature: {
        content: toBase64(parts.signature),
        publicKey: { content: toBase64(utf8(parts.publicKeyPem)) },
      },
    },
  };
}

/** A {@link HashedRekordV2}: `signature` over the artifact whose `digest` is given. */
export function hashedRekordV2(parts: {
  readonly digest: Uint8Array;
  readonly signature: Uint8Array;
  /** The verifier's DER SubjectPublicKeyInfo. */
  readonly publicKeyDer: Uint8Array;
  readonly keyDetails?: string;
}): HashedRekordV2 {
  return {
    hashedRekordRequestV002: {
      digest: toBase64(parts.digest),
      signature: {
        content: toBase64(parts.signature),
        verifier: {
          publicKey: { rawBytes: toBase64(parts.publicKeyDer) },
          keyDetails: parts.keyDetails ?? 'PKIX_ECDSA_P256_SHA_256',
        },
      },
    },
  };
}

/** A v1 proposal for an artifact (`text`, default unique) signed by `signer`. */
export function signedHashedRekordV1(signer: KeyPair, text?: string): HashedRekordV1 {
  const { artifact, signature } = signedArtifact(signer.privateKey, text);
  return hashedRekordV1({ digest: sha256(artifact), signature, publicKeyPem: spkiPem(signer.publicKey) });
}

/** A v2 request for an artifact (`text`, default unique) signed by the P-256 `signer`. */
export function signedHashedRekordV2(signer: KeyPair, text?: string): HashedRekordV2 {
  const { artifact, signature } = signedArtifact(signer.privateKey, text);
  return hashedRekordV2({ digest: sha256(artifact), signature, publicKeyDer: spkiDer(signer.publicKey) });
}

/** The value of a Rekor v1 `LogEntry` (its one member), as the double writes it. */
export interface V1LogEntryValue {
  readonly body: string;
  readonly integratedTime: number;
  readonly logID: string;
  readonly logIndex: number;
  readonly verification: {
    readonly signedEntryTimestamp: string;
    readonly inclusionProof: {
      readonly logIndex: number;
      readonly rootHash: string;
      readonly treeSize: number;
      readonly hashes: readonly string[];
      readonly checkpoint: string;
    };
  };
}

/** The JSON timestamp request @sigstore/sign's TSA client posts for `signed`: its base64 SHA-256. */
export function timestampJsonRequest(signed: Uint8Array): ServiceRequest {
  return serviceRequest('POST', '/api/v1/timestamp', {
    body: { artifactHash: Buffer.from(sha256(signed)).toString('base64'), hashAlgorithm: 'sha256' },
  });
}

/** The parts of a trusted root a test names (as the doubles' `tlog()`, `timestampAuthority()` give them). */
export interface TrustedRootParts {
  readonly tlogs?: readonly object[];
  readonly certificateAuthorities?: readonly object[];
  readonly ctlogs?: readonly object[];
  readonly timestampAuthorities?: readonly object[];
}

/** A trusted root with these parts, every list not given empty. */
export function trustedRootOf(parts: TrustedRootParts): TrustedRoot {
  return parseTrustedRoot({
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: parts.tlogs ?? [],
    certificateAuthorities: parts.certificateAuthorities ?? [],
    ctlogs: parts.ctlogs ?? [],
    timestampAuthorities: parts.timestampAuthorities ?? [],
  });
}

/** @sigstore/verify's trust material for `root`, knowing one signer's key by its `hint`. */
export function trustMaterialWithKey(root: TrustedRoot, hint: string, publicKey: KeyObject): TrustMaterial {
  return {
    ...trustMaterialOf(root),
    publicKey: (asked: string) => {
      if (asked !== hint) throw new Error(`no key ${asked}`);
      return { publicKey, validFor: () => true };
    },
  };
}
