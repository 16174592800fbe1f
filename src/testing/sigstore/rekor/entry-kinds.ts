/**
 * What Rekor v1 does with a proposed entry before it logs it (sigstore/rekor `pkg/types`): pick the
 * kind and version, check the spec — the signature must verify with the proposed key or
 * certificate, the algorithm must be allowed — and compute the canonicalized body, the bytes the
 * log stores and hashes into its tree. Here: `hashedrekord` 0.0.1, and (`envelope-kinds.ts`) `dsse`
 * 0.0.1 and `intoto` 0.0.1/0.0.2. Refusals are Rekor's: go-openapi's 422 for a kind it does not
 * know, 400 `error processing entry: …` for an entry it cannot accept
 * (`pkg/generated/models/proposed_entry.go`, `pkg/api/entries.go` `createLogEntry`).
 * Deliberately not here: the other kinds Rekor knows (rekord, rpm, jar, …), which this double
 * refuses as a Rekor that does not enable them for submission does.
 */
import { fromHex, toBase64, utf8 } from '../../../internal/bytes.js';
import { isJsonObject } from '../../../internal/shape.js';
import { dsseV001, intotoV001, intotoV002 } from './envelope-kinds.js';
import { InvalidEntry, processingError, RekorRefusal } from './refusal.js';
import { algorithmPermitted, type DigestName, verifyDigestSignature } from './signatures.js';
import {
  canonicalBody,
  decodeBase64Field,
  type GoMap,
  mapField,
  specMap,
  stringField,
} from './spec-values.js';
import { readPemVerifier } from './verifiers.js';

/** An entry as the log stores it. */
export interface CanonicalEntry {
  readonly kind: string;
  readonly apiVersion: string;
  /** The canonicalized body (JCS JSON): the Merkle leaf. */
  readonly body: Uint8Array;
}

/** Every kind Rekor v1's OpenAPI document declares (`ProposedEntry` discriminator values). */
const REKOR_KINDS: ReadonlySet<string> = new Set([
  'alpine',
  'cose',
  'dsse',
  'hashedrekord',
  'helm',
  'intoto',
  'jar',
  'rekord',
  'rfc3161',
  'rpm',
  'tuf',
]);

/** A kind version's check and canonical spec: throws {@link InvalidEntry} or a finished refusal. */
type KindVersion = (spec: unknown) => object;

const HASH_LENGTHS: Readonly<Record<DigestName, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** hashedrekord 0.0.1 (`pkg/types/hashedrekord/v0.0.1/entry.go`: `Unmarshal`, `validate`, `Canonicalize`). */
function hashedrekordV001(spec: unknown): object {
  const m = specMap(spec, 'HashedrekordV001Schema');
  const signature = mapField(m, 'signature');
  const data = mapField(m, 'data');
  if (signature === undefined) throw new InvalidEntry('signature in body is required');
  if (data === undefined) throw new InvalidEntry('data in body is required');
  const hash = mapField(data, 'hash');
  const algorithm = stringField(hash, 'algorithm');
  const value = stringField(hash, 'value');
  if (hash !== undefined) {
    if (algorithm === undefined) throw new InvalidEntry('data.hash.algorithm in body is required');
    if (value === undefined) throw new InvalidEntry('data.hash.value in body is required');
    if (!Object.hasOwn(HASH_LENGTHS, algorithm))
      throw new InvalidEntry('data.hash.algorithm in body should be one of [sha256 sha384 sha512]');
  }
  const content = stringField(signature, 'content');
  const signatureBytes = content ? decodeBase64Field(content, 'signature content') : new Uint8Array();
  const publicKey = mapField(signature, 'publicKey');
  if (publicKey === undefined) throw new InvalidEntry('missing public key');
  const keyContent = stringField(publicKey, 'content');
  const verifier = readPemVerifier(
    keyContent ? decodeBase64Field(keyContent, 'public key content') : new Uint8Array(),
  );
  if (hash === undefined || algorithm === undefined || value === undefined)
    throw new InvalidEntry(hash === undefined ? 'missing hash' : 'missing hash value');
  const digestName = algorithm as DigestName;
  if (value.length !== HASH_LENGTHS[digestName]) throw new InvalidEntry('invalid value for hash');
  const digest = fromHex(value.toLowerCase());
  if (digest === undefined) throw new InvalidEntry(`encoding/hex: invalid byte in ${JSON.stringify(value)}`);
  if (signatureBytes.length === 0)
    throw new InvalidEntry('verifying signature: X509 signature has not been initialized');
  if (!verifyDigestSignature(verifier.key, digestName, digest, signatureBytes))
    throw new InvalidEntry('verifying signature: invalid signature when validating ASN.1 encoded signature');
  // `checkEntryAlgorithms` runs after the entry parsed: hashedrekord only, against the default registry.
  if (!algorithmPermitted(verifier.key, digestName))
    throw processingError('entry algorithms are not allowed');
  return {
    data: { hash: { algorithm, value } },
    signature: {
      content: toBase64(signatureBytes),
      publicKey: { content: toBase64(utf8(verifier.canonicalPem)) },
    },
  };
}

/** The kinds and versions this double logs. */
const KINDS: Readonly<Record<string, Readonly<Record<string, KindVersion>>>> = {
  hashedrekord: { '0.0.1': hashedrekordV001 },
  dsse: { '0.0.1': dsseV001 },
  intoto: { '0.0.1': intotoV001, '0.0.2': intotoV002 },
};

/**
 * Checks a proposed entry (the parsed JSON of a `POST /api/v1/log/entries` body, or one of a
 * search's `entries`) and returns what Rekor would log for it.
 *
 * @throws RekorRefusal with Rekor's status and message.
 */
export function canonicalizeProposedEntry(proposed: unknown): CanonicalEntry {
  if (!isJsonObject(proposed))
    // go-openapi serves a non-validation decoding error as a 500 (`errors.ServeError`'s default case).
    throw new RekorRefusal(
      500,
      'json: cannot unmarshal proposed entry into Go value of type models.targetedProposedEntry',
    );
  const m: GoMap = proposed;
  const kind = m.kind;
  if (kind !== undefined && typeof kind !== 'string')
    throw new RekorRefusal(500, 'json: cannot unmarshal kind into Go struct field .kind of type string');
  if (kind === undefined || kind === '') throw new RekorRefusal(422, 'kind in body is required', 602);
  if (!REKOR_KINDS.has(kind)) throw new RekorRefusal(422, `invalid kind value: ${JSON.stringify(kind)}`);
  const versions = Object.hasOwn(KINDS, kind) ? KINDS[kind] : undefined;
  if (versions === undefined)
    throw processingError(`entry kind '${kind}' is not enabled for submission on this server`);
  const apiVersion = m.apiVersion;
  if (apiVersion !== undefined && apiVersion !== null && typeof apiVersion !== 'string')
    throw new RekorRefusal(
      500,
      'json: cannot unmarshal apiVersion into Go struct field .apiVersion of type string',
    );
  if (apiVersion === undefined || apiVersion === null) throw processingError('api version cannot be nil');
  const check = Object.hasOwn(versions, apiVersion) ? versions[apiVersion] : undefined;
  if (check === undefined)
    throw processingError(
      `${kind} implementation for version '${apiVersion}' not found: unable to locate entry for version ${apiVersion}`,
    );
  let spec: object;
  try {
    spec = check(m.spec);
  } catch (error) {
    if (error instanceof InvalidEntry) throw processingError(error.message);
    throw error;
  }
  return { kind, apiVersion, body: canonicalBody(kind, apiVersion, spec) };
}
