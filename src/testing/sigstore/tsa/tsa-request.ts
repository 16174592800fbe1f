/**
 * Reading timestamp requests the way the real timestamp-authority reads them, refusals included
 * (timestamp-authority `pkg/api/timestamp.go` `ParseJSONRequest`, `parseDERRequest`,
 * `verifyTimestampRequest`; `pkg/verification/verify_request.go`; the DER parse is
 * digitorus/timestamp `ParseRequest`). Two bodies are accepted: a DER `TimeStampReq`
 * (`application/timestamp-query`, what `openssl ts -query` writes) and the JSON request
 * `{ artifactHash, hashAlgorithm, certificates?, nonce?, tsaPolicyOID? }` that @sigstore/sign's
 * `TimestampAuthority` posts (sigstore-js `packages/sign/src/external/tsa.ts`). Every refusal
 * carries the message the real server puts in its 400 answer.
 *
 * Deliberately not here: HTTP (`tsa-api.ts`), answering (`timestamp.ts`). Requests are untrusted:
 * nothing here throws; every outcome is a value.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesEqual, fromBase64, fromUtf8 } from '../../../internal/bytes.js';

/** The digests a request may name (SHA-1 is refused as weak, anything else as unsupported). */
export type TimestampHash = 'sha256' | 'sha384' | 'sha512';

/** A request the TSA accepted, whatever its encoding. */
export interface TimestampRequest {
  readonly hashAlgorithm: TimestampHash;
  readonly hashedMessage: Uint8Array;
  /** `certReq` (DER) or `certificates` (JSON): include the signing certificate in the answer. */
  readonly certReq: boolean;
  readonly nonce?: bigint;
  /** The policy asked for (dotted OID), when one was. */
  readonly policy?: string;
}

/** A request read, or the message of the 400 answer refusing it. */
export type ReadRequest = { readonly request: TimestampRequest } | { readonly refusal: string };

/** The server's policy settings (`--default-policy-oid`, `--accepted-policy-oids`). */
export interface PolicyRules {
  readonly acceptedPolicies: readonly string[];
}

/** The refusal messages of timestamp-authority `pkg/api/error.go`, verbatim. */
export const REFUSAL = {
  failed: 'Error generating timestamp response',
  longOid: 'OID should be comprised of at most 128 components',
  tooLarge: 'timestamp request is too large',
  weakHash: 'Weak hash algorithm in timestamp request',
  digestLength: 'Message digest has incorrect length for specified algorithm',
  policy: 'unaccepted policy: requested TSA policy is not supported by the TSA',
  extension: 'unaccepted extension: requested extensions are not supported by the TSA',
} as const;

/** The real server's bound on a JSON request (its nonce is parsed at quadratic cost). */
const MAX_JSON_REQUEST_BYTES = 1024;

const DIGEST_LENGTH: Readonly<Record<TimestampHash, number>> = { sha256: 32, sha384: 48, sha512: 64 };

/** Hash OIDs as digitorus/timestamp knows them (`borrowed.go` `hashOIDs`). */
export const HASH_OID: Readonly<Record<TimestampHash | 'sha1', string>> = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};

/** Go's `strconv.Atoi` per component: optional sign, decimal digits. */
const OID_COMPONENT = /^[+-]?\d+$/;

/** Dotted OID components as numbers, compared as the server compares `asn1.ObjectIdentifier`s. */
function oidComponents(oid: string): bigint[] | undefined {
  const parts = oid.split('.');
  if (parts.length > 129 || !parts.every((p) => OID_COMPONENT.test(p))) return undefined;
  return parts.map((p) => BigInt(p));
}

function sameOid(a: string, b: string): boolean {
  const x = oidComponents(a);
  const y = oidComponents(b);
  return x !== undefined && y !== undefined && x.length === y.length && x.every((v, i) => v === y[i]);
}

/** The checks every request passes whatever its encoding (`verifyTimestampRequest`). */
function verified(request: TimestampRequest, hasExtensions: boolean, rules: PolicyRules): ReadRequest {
  const expected = DIGEST_LENGTH[request.hashAlgorithm];
  if (request.hashedMessage.length !== expected) return { refusal: REFUSAL.digestLength };
  const { policy } = request;
  if (policy !== undefined && !rules.acceptedPolicies.some((accepted) => sameOid(accepted, policy)))
    return { refusal: REFUSAL.policy };
  // The server's default: no custom extensions (`--allow-custom-extensions=false`).
  if (hasExtensions) return { refusal: REFUSAL.extension };
  return { request };
}

/**
 * The top-level members of a JSON object text already known to be valid JSON, as (name, raw value
 * text) pairs in document order; undefined when the text is not an object.
 */
function membersOf(text: string): [string, string][] | undefined {
  const body = text.trim();
  if (!body.startsWith('{')) return undefined;
  const members: [string, string][] = [];
  let depth = 0;
  let inString = false;
  let name: string | undefined;
  let valueStart = -1;
  let keyStart = -1;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') {
        inString = false;
        if (depth === 1 && name === undefined && valueStart === -1)
          name = JSON.parse(body.slice(keyStart, i + 1));
      }
      continue;
    }
    if (c === '"') {
      inString = true;
      if (depth === 1 && name === undefined) keyStart = i;
    } else if (c === ':' && depth === 1 && valueStart === -1) valueStart = i + 1;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']' || c === ',') {
      if (depth === 1 && name !== undefined) {
        members.push([name, body.slice(valueStart, i).trim()]);
        name = undefined;
        valueStart = -1;
      }
      if (c !== ',') depth--;
    }
  }
  return members;
}

const MISTYPED = Symbol('mistyped');

/**
 * A member's value as Go's `encoding/json` decodes it into a struct field: every name that equals
 * the field's, ignoring case, is decoded in turn (the last wins, a mistyped one fails the request);
 * `null` leaves the field as it was. The raw text is handed to `decode`.
 */
function decodeField<T>(
  members: readonly [string, string][],
  field: string,
  decode: (raw: string) => T | typeof MISTYPED,
): T | undefined | typeof MISTYPED {
  let value: T | undefined;
  for (const [name, raw] of members) {
    if (name.toLowerCase() !== field.toLowerCase() || raw === 'null') continue;
    const decoded = decode(raw);
    if (decoded === MISTYPED) return MISTYPED;
    value = decoded;
  }
  return value;
}

const asString = (raw: string): string | typeof MISTYPED =>
  raw.startsWith('"') ? JSON.parse(raw) : MISTYPED;
const asBoolean = (raw: string): boolean | typeof MISTYPED =>
  raw === 'true' ? true : raw === 'false' ? false : MISTYPED;
/** Go decodes the nonce into a `big.Int`: any JSON integer, however long; no fraction, no exponent. */
const asBigInt = (raw: string): bigint | typeof MISTYPED => (/^-?\d+$/.test(raw) ? BigInt(raw) : MISTYPED);

/** A JSON request as @sigstore/sign sends it (`ParseJSONRequest`). */
export function readJsonRequest(body: Uint8Array, rules: PolicyRules): ReadRequest {
  if (body.length > MAX_JSON_REQUEST_BYTES) return { refusal: REFUSAL.tooLarge };
  const text = fromUtf8(body);
  try {
    JSON.parse(text);
  } catch {
    return { refusal: REFUSAL.failed };
  }
  // `null` decodes into the zero request, which then fails on its empty hash algorithm.
  const members = text.trim() === 'null' ? [] : membersOf(text);
  if (members === undefined) return { refusal: REFUSAL.failed };
  const artifactHash = decodeField(members, 'artifactHash', asString);
  const hashAlgorithm = decodeField(members, 'hashAlgorithm', asString);
  const certificates = decodeField(members, 'certificates', asBoolean);
  const nonce = decodeField(members, 'nonce', asBigInt);
  const tsaPolicyOID = decodeField(members, 'tsaPolicyOID', asString);
  if ([artifactHash, hashAlgorithm, certificates, nonce, tsaPolicyOID].includes(MISTYPED))
    return { refusal: REFUSAL.failed };

  const algorithm = ((hashAlgorithm as string | undefined) ?? '').toLowerCase();
  if (algorithm === 'sha1') return { refusal: REFUSAL.weakHash };
  if (!Object.hasOwn(DIGEST_LENGTH, algorithm)) return { refusal: REFUSAL.failed };
  const policy = (tsaPolicyOID as string | undefined) ?? '';
  if (policy !== '' && oidComponents(policy) === undefined) return { refusal: REFUSAL.longOid };
  // Go's StdEncoding skips CR and LF, and otherwise wants padded standard base64.
  const hashed = fromBase64(((artifactHash as string | undefined) ?? '').replace(/[\r\n]/g, ''));
  if (hashed === undefined) return { refusal: REFUSAL.failed };
  const request: TimestampRequest = {
    hashAlgorithm: algorithm as TimestampHash,
    hashedMessage: hashed,
    certReq: (certificates as boolean | undefined) ?? false,
    ...(nonce === undefined ? {} : { nonce: nonce as bigint }),
    ...(policy === '' ? {} : { policy }),
  };
  return verified(request, false, rules);
}

/** The TimeStampReq in `body`, or undefined when it is not one in DER (Go's parser takes only DER). */
function derRequestOf(body: Uint8Array): pkijs.TimeStampReq | undefined {
  try {
    const parsed = asn1js.fromBER(body);
    if (parsed.offset === -1 || parsed.offset !== body.length) return undefined;
    const request = new pkijs.TimeStampReq({ schema: parsed.result });
    // What pkijs writes back is DER; a body that differs from it was not (indefinite or long-form
    // lengths, a BOOLEAN other than 0xFF), and Go's `encoding/asn1` refuses those.
    return bytesEqual(new Uint8Array(request.toSchema().toBER(false)), body) ? request : undefined;
  } catch {
    return undefined;
  }
}

/** A DER TimeStampReq (`application/timestamp-query`), as `parseDERRequest` reads it. */
export function readDerRequest(body: Uint8Array, rules: PolicyRules): ReadRequest {
  const parsed = derRequestOf(body);
  if (parsed === undefined) return { refusal: REFUSAL.failed };
  const hashedMessage = new Uint8Array(parsed.messageImprint.hashedMessage.valueBlock.valueHexView);
  if (hashedMessage.length === 0) return { refusal: REFUSAL.failed };
  const oid = parsed.messageImprint.hashAlgorithm.algorithmId;
  const algorithm = (Object.keys(HASH_OID) as (keyof typeof HASH_OID)[]).find(
    (name) => HASH_OID[name] === oid,
  );
  if (algorithm === undefined) return { refusal: REFUSAL.failed };
  if (algorithm === 'sha1') return { refusal: REFUSAL.weakHash };
  const request: TimestampRequest = {
    hashAlgorithm: algorithm,
    hashedMessage,
    certReq: parsed.certReq ?? false,
    ...(parsed.nonce === undefined ? {} : { nonce: parsed.nonce.toBigInt() }),
    ...(parsed.reqPolicy === undefined ? {} : { policy: parsed.reqPolicy }),
  };
  return verified(request, (parsed.extensions?.length ?? 0) > 0, rules);
}
