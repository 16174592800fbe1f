/**
 * AWS Signature Version 4 verification for the KMS emulator: recomputes the signature of an
 * incoming request from its method, path, query, signed headers and body, as AWS does, and tells
 * why it does not match. Header-based auth only (no presigned URLs, no chunked payload signing).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface SigV4Request {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
}

export type SigV4Result =
  | { readonly ok: true; readonly accessKeyId: string; readonly region: string; readonly service: string }
  | {
      readonly ok: false;
      readonly error:
        | 'MissingAuthenticationToken'
        | 'IncompleteSignature'
        | 'UnrecognizedClientException'
        | 'InvalidSignatureException';
      readonly message: string;
    };

const hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Uint8Array | string, data: string) => createHmac('sha256', key).update(data).digest();

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .map((pair) => {
      const [k = '', v = ''] = pair.split('=');
      return [encodeRfc3986(decodeURIComponent(k)), encodeRfc3986(decodeURIComponent(v))] as const;
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function headerValue(value: string | string[] | undefined): string {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.trim().replace(/\s+/g, ' ');
}

/** Verifies SigV4; `secretFor` returns the secret of a known access key id, else undefined. */
export function verifySigV4(
  request: SigV4Request,
  secretFor: (accessKeyId: string) => string | undefined,
): SigV4Result {
  const authorization = headerValue(request.headers.authorization);
  if (authorization === '')
    return { ok: false, error: 'MissingAuthenticationToken', message: 'Missing Authentication Token' };
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (m === null)
    return {
      ok: false,
      error: 'IncompleteSignature',
      message: 'Authorization header requires Credential, SignedHeaders and Signature',
    };
  const [, accessKeyId, date, region, service, signedHeaders, signature] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const secret = secretFor(accessKeyId);
  if (secret === undefined)
    return {
      ok: false,
      error: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    };
  const amzDate = headerValue(request.headers['x-amz-date']);
  if (!amzDate.startsWith(date))
    return {
      ok: false,
      error: 'IncompleteSignature',
      message: 'Date in Credential scope does not match X-Amz-Date',
    };
  const names = signedHeaders.split(';');
  const canonicalHeaders = names.map((name) => `${name}:${headerValue(request.headers[name])}\n`).join('');
  const payloadHash = headerValue(request.headers['x-amz-content-sha256']) || hex(request.body);
  const canonicalRequest = [
    request.method,
    request.path || '/',
    canonicalQuery(request.query),
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      error: 'InvalidSignatureException',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  }
  return { ok: true, accessKeyId, region, service };
}
