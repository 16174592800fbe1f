/**
 * The RFC 3161 messages of a timestamp request, built and read with pkijs: the `TimeStampReq` cosign
 * sends (cosign `sign` through sigstore-go, digitorus/timestamp `CreateRequest`: version 1, the
 * SHA-256 imprint of the bytes with NULL parameters, a random nonce, `certReq` true, no policy),
 * and the `TimeStampResp` read back — exactly one DER value, its PKIStatus, and the `TSTInfo`
 * inside its CMS `SignedData` — with the nonce and imprint compared against the request's.
 *
 * Deliberately not here: HTTP (`tsa-http.ts`), the TSA's signature and chain (`tsa-client.ts`
 * verifies them with @sigstore/verify against the trusted root). Answers are untrusted: every
 * failure is a {@link TsaResponseError} or {@link TsaRejectedError}, never a TypeError.
 */
import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { TsaRejectedError, TsaResponseError } from '../errors/sigstore.js';
import { bytesEqual, bytesToBigInt } from '../internal/bytes.js';
import { backend } from '../keys/backend/select.js';

const SHA256_OID = '2.16.840.1.101.3.4.2.1';
const SIGNED_DATA_OID = '1.2.840.113549.1.7.2';
const TST_INFO_OID = '1.2.840.113549.1.9.16.1.4';
/** Bytes of the nonce: 64 bits, as digitorus/timestamp draws it. */
const NONCE_BYTES = 8;

/** A request ready to send, and what its answer must echo. */
export interface TimestampQuery {
  /** The DER `TimeStampReq`. */
  readonly der: Uint8Array;
  /** SHA-256 of the timestamped bytes. */
  readonly imprint: Uint8Array;
  readonly nonce: bigint;
}

/** What a granted answer says, before its signature is checked. */
export interface TimestampAnswer {
  /** The time the TSA stamped (`TSTInfo.genTime`). */
  readonly genTime: Date;
}

/** The `TimeStampReq` for `data`: its SHA-256 imprint, a fresh random nonce, certificates asked for. */
export function timestampQuery(data: Uint8Array): TimestampQuery {
  const imprint = backend().digest('sha256', data);
  // A positive nonce, never zero (an absent nonce would then look the same).
  const nonce = bytesToBigInt(new Uint8Array(randomBytes(NONCE_BYTES))) | 1n;
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: SHA256_OID,
        algorithmParams: new asn1js.Null(),
      }),
      hashedMessage: new asn1js.OctetString({ valueHex: imprint }),
    }),
    nonce: asn1js.Integer.fromBigInt(nonce),
    certReq: true,
  });
  return { der: new Uint8Array(request.toSchema().toBER(false)), imprint, nonce };
}

/** One whole BER/DER value, nothing after it. */
function parseOne(bytes: Uint8Array, what: string): asn1js.AsnType {
  const parsed = asn1js.fromBER(bytes);
  if (parsed.offset === -1 || parsed.result.error !== '')
    throw new TsaResponseError(`${what} is not ASN.1: ${parsed.result.error}`);
  if (parsed.offset !== bytes.byteLength)
    throw new TsaResponseError(`${what} has ${bytes.byteLength - parsed.offset} bytes after its end`);
  return parsed.result;
}

/** A pkijs object read from `schema`, its schema mismatch as our error. */
function readAs<T>(make: (schema: asn1js.AsnType) => T, schema: asn1js.AsnType, what: string): T {
  try {
    return make(schema);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new TsaResponseError(`${what} is not one: ${detail}`, { cause: error });
  }
}

const STATUS_NAMES = [
  'granted',
  'grantedWithMods',
  'rejection',
  'waiting',
  'revocationWarning',
  'revocationNotification',
];

/** The refusal a non-granted PKIStatusInfo says, with the TSA's own words. */
function refusal(info: pkijs.PKIStatusInfo, url: string, httpStatus: number): TsaRejectedError {
  const name = STATUS_NAMES[info.status] ?? `status ${info.status}`;
  const words = (info.statusStrings ?? []).map((s) => s.valueBlock.value).join('; ');
  return new TsaRejectedError(
    `${url} did not grant the timestamp: ${name}${words === '' ? '' : ` (${words})`}`,
    {
      status: httpStatus,
    },
  );
}

/**
 * The TSTInfo inside a timestamp token (a CMS SignedData whose content is id-ct-TSTInfo), reached
 * through the SignedData's structure (RFC 5652 §5.1: version, digestAlgorithms, encapContentInfo)
 * without building its certificates: the signature and chain are @sigstore/verify's to check.
 */
function tstInfoOf(token: pkijs.ContentInfo, url: string): pkijs.TSTInfo {
  if (token.contentType !== SIGNED_DATA_OID)
    throw new TsaResponseError(`the timestamp token from ${url} is not CMS SignedData`);
  const fields = token.content instanceof asn1js.Sequence ? token.content.valueBlock.value : [];
  const encap = fields[2];
  const members = encap instanceof asn1js.Sequence ? encap.valueBlock.value : [];
  const [eContentType, wrapper] = members;
  if (!(eContentType instanceof asn1js.ObjectIdentifier) || eContentType.getValue() !== TST_INFO_OID)
    throw new TsaResponseError(`the timestamp token from ${url} does not hold a TSTInfo`);
  const explicit = wrapper instanceof asn1js.Constructed ? wrapper.valueBlock.value[0] : undefined;
  if (!(explicit instanceof asn1js.OctetString))
    throw new TsaResponseError(`the timestamp token from ${url} does not hold a TSTInfo`);
  const inner = new Uint8Array(explicit.getValue());
  return readAs(
    (schema) => new pkijs.TSTInfo({ schema }),
    parseOne(inner, `the TSTInfo from ${url}`),
    `the TSTInfo from ${url}`,
  );
}

/**
 * Reads the `TimeStampResp` `bytes` that `url` answered `query` with: a granted status, a token
 * whose TSTInfo carries the request's nonce and SHA-256 imprint.
 *
 * @throws TsaRejectedError for a status other than granted / grantedWithMods; TsaResponseError for
 * anything that is not such an answer, or echoes another nonce or imprint.
 */
export function readTimestampAnswer(
  bytes: Uint8Array,
  query: TimestampQuery,
  url: string,
  httpStatus: number,
): TimestampAnswer {
  const what = `the answer of ${url}`;
  const response = readAs(
    (schema) => new pkijs.TimeStampResp({ schema }),
    parseOne(bytes, what),
    `${what} (a TimeStampResp)`,
  );
  if (
    response.status.status !== pkijs.PKIStatus.granted &&
    response.status.status !== pkijs.PKIStatus.grantedWithMods
  )
    throw refusal(response.status, url, httpStatus);
  if (response.timeStampToken === undefined)
    throw new TsaResponseError(`${url} granted the timestamp but sent no token`);
  const tstInfo = tstInfoOf(response.timeStampToken, url);
  const { hashAlgorithm, hashedMessage } = tstInfo.messageImprint;
  if (hashAlgorithm.algorithmId !== SHA256_OID)
    throw new TsaResponseError(
      `${url} stamped a ${hashAlgorithm.algorithmId} imprint, not the SHA-256 one asked for`,
    );
  if (!bytesEqual(new Uint8Array(hashedMessage.getValue()), query.imprint))
    throw new TsaResponseError(`${url} stamped another message imprint than the one asked for`);
  if (tstInfo.nonce === undefined || tstInfo.nonce.toBigInt() !== query.nonce)
    throw new TsaResponseError(
      `${url} answered with another nonce than the request's (a replayed or foreign answer)`,
    );
  const genTime = tstInfo.genTime;
  if (!(genTime instanceof Date) || Number.isNaN(genTime.getTime()))
    throw new TsaResponseError(`${url} stamped no valid time`);
  return { genTime };
}
