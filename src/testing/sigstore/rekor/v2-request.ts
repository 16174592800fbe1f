/**
 * Reading a Rekor v2 `CreateEntryRequest` as grpc-gateway reads it: protojson with unknown fields
 * refused (rekor-tiles `internal/server/http.go`: `DiscardUnknown: false`), each field by its JSON
 * name or its proto name, `null` as unset, bytes as base64 (standard or URL-safe, padded or not),
 * enums by name or number (messages per rekor-tiles `api/proto/rekor/v2/*.proto`). A request that
 * does not parse is a gRPC `InvalidArgument`: HTTP 400. Deliberately not here: the checks of a
 * parsed request (`v2-kinds.ts`).
 */
import { PublicKeyDetails } from '@sigstore/protobuf-specs';
import { fromBase64 } from '../../../internal/bytes.js';
import { isJsonObject } from '../../../internal/shape.js';
import { RekorRefusal } from './refusal.js';

/** gRPC `InvalidArgument`, as grpc-gateway serves it. */
export const INVALID_ARGUMENT = 3;

/** A `Verifier`: one of a DER key or a DER certificate, and the key details it claims. */
export interface V2Verifier {
  readonly publicKeyDer?: Uint8Array;
  readonly certificateDer?: Uint8Array;
  /** The `PublicKeyDetails` name; undefined when unset (0). */
  readonly keyDetails?: string;
}

/** A parsed `HashedRekordRequestV002`. */
export interface HashedRekordRequest {
  readonly digest: Uint8Array;
  readonly signature?: { readonly content: Uint8Array; readonly verifier?: V2Verifier };
}

/** A parsed `DSSERequestV002`. */
export interface DsseRequest {
  readonly envelope?: {
    readonly payload: Uint8Array;
    readonly payloadType: string;
    readonly signatures: readonly { readonly sig: Uint8Array; readonly keyid: string }[];
  };
  readonly verifiers: readonly V2Verifier[];
}

/** The parsed request: one of the two specs (or neither, for an empty request). */
export interface CreateEntryRequest {
  readonly hashedRekord?: HashedRekordRequest;
  readonly dsse?: DsseRequest;
}

function parseError(message: string): RekorRefusal {
  return new RekorRefusal(400, `proto: ${message}`, INVALID_ARGUMENT);
}

type Fields = Readonly<Record<string, string>>;

/** A message's members by field: each field's JSON name and proto name map to the field. */
function readMessage(value: unknown, names: Fields, what: string): Map<string, unknown> | undefined {
  if (value === null || value === undefined) return undefined;
  if (!isJsonObject(value)) throw parseError(`syntax error: ${what} must be an object`);
  const fields = new Map<string, unknown>();
  for (const [key, member] of Object.entries(value)) {
    const field = Object.hasOwn(names, key) ? names[key] : undefined;
    if (field === undefined) throw parseError(`unknown field "${key}"`);
    if (fields.has(field)) throw parseError(`duplicate field "${key}"`);
    if (member !== null) fields.set(field, member);
  }
  return fields;
}

function readBytes(value: unknown, what: string): Uint8Array {
  if (value === undefined) return new Uint8Array();
  if (typeof value !== 'string') throw parseError(`invalid value for bytes field ${what}`);
  const std = value.replaceAll('-', '+').replaceAll('_', '/');
  const bytes = fromBase64(std.padEnd(std.length + ((4 - (std.length % 4)) % 4), '='));
  if (bytes === undefined)
    throw parseError(`invalid value for bytes field ${what}: ${JSON.stringify(value)}`);
  return bytes;
}

function readString(value: unknown, what: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw parseError(`invalid value for string field ${what}`);
  return value;
}

function readKeyDetails(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const enumeration = PublicKeyDetails as unknown as Record<string, string | number>;
  const name = typeof value === 'number' ? enumeration[value] : typeof value === 'string' ? value : undefined;
  if (typeof name !== 'string' || typeof enumeration[name] !== 'number')
    throw parseError(`invalid value for enum field keyDetails: ${JSON.stringify(value)}`);
  return enumeration[name] === 0 ? undefined : name;
}

function readRawBytes(value: unknown, what: string): Uint8Array | undefined {
  const m = readMessage(value, { rawBytes: 'raw', raw_bytes: 'raw' }, what);
  return m === undefined ? undefined : readBytes(m.get('raw'), `${what}.rawBytes`);
}

function readVerifier(value: unknown): V2Verifier | undefined {
  const m = readMessage(
    value,
    {
      publicKey: 'key',
      public_key: 'key',
      x509Certificate: 'cert',
      x509_certificate: 'cert',
      keyDetails: 'details',
      key_details: 'details',
    },
    'verifier',
  );
  if (m === undefined) return undefined;
  if (m.has('key') && m.has('cert'))
    throw parseError('error parsing "x509Certificate", oneof verifier is already set');
  const publicKeyDer = m.has('key') ? readRawBytes(m.get('key'), 'publicKey') : undefined;
  const certificateDer = m.has('cert') ? readRawBytes(m.get('cert'), 'x509Certificate') : undefined;
  const keyDetails = readKeyDetails(m.get('details'));
  return {
    ...(publicKeyDer === undefined ? {} : { publicKeyDer }),
    ...(certificateDer === undefined ? {} : { certificateDer }),
    ...(keyDetails === undefined ? {} : { keyDetails }),
  };
}

function readList(value: unknown, what: string): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw parseError(`invalid value for repeated field ${what}`);
  return value;
}

function readHashedRekord(value: unknown): HashedRekordRequest {
  const m =
    readMessage(value, { digest: 'digest', signature: 'signature' }, 'hashedRekordRequestV002') ?? new Map();
  const s = readMessage(m.get('signature'), { content: 'content', verifier: 'verifier' }, 'signature');
  const verifier = s === undefined ? undefined : readVerifier(s.get('verifier'));
  return {
    digest: readBytes(m.get('digest'), 'digest'),
    ...(s === undefined
      ? {}
      : {
          signature: {
            content: readBytes(s.get('content'), 'content'),
            ...(verifier === undefined ? {} : { verifier }),
          },
        }),
  };
}

function readDsse(value: unknown): DsseRequest {
  const m =
    readMessage(value, { envelope: 'envelope', verifiers: 'verifiers' }, 'dsseRequestV002') ?? new Map();
  const e = readMessage(
    m.get('envelope'),
    { payload: 'payload', payloadType: 'type', payload_type: 'type', signatures: 'signatures' },
    'envelope',
  );
  const verifiers = readList(m.get('verifiers'), 'verifiers').map((v) => readVerifier(v) ?? {});
  if (e === undefined) return { verifiers };
  const signatures = readList(e.get('signatures'), 'signatures').map((item) => {
    const s = readMessage(item, { sig: 'sig', keyid: 'keyid' }, 'signature') ?? new Map();
    return { sig: readBytes(s.get('sig'), 'sig'), keyid: readString(s.get('keyid'), 'keyid') };
  });
  return {
    envelope: {
      payload: readBytes(e.get('payload'), 'payload'),
      payloadType: readString(e.get('type'), 'payloadType'),
      signatures,
    },
    verifiers,
  };
}

/** Parses the JSON body of `POST /api/v2/log/entries`; a refusal (400, code 3) when it does not parse. */
export function parseCreateEntryRequest(body: Uint8Array): CreateEntryRequest {
  if (body.length === 0) return {};
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (error) {
    throw parseError(`syntax error: ${(error as Error).message}`);
  }
  const m = readMessage(
    doc,
    {
      hashedRekordRequestV002: 'hashedRekord',
      hashed_rekord_request_v002: 'hashedRekord',
      dsseRequestV002: 'dsse',
      dsse_request_v002: 'dsse',
    },
    'CreateEntryRequest',
  );
  if (m === undefined) return {};
  if (m.has('hashedRekord') && m.has('dsse'))
    throw parseError('error parsing "dsseRequestV002", oneof spec is already set');
  if (m.has('hashedRekord')) return { hashedRekord: readHashedRekord(m.get('hashedRekord')) };
  if (m.has('dsse')) return { dsse: readDsse(m.get('dsse')) };
  return {};
}
