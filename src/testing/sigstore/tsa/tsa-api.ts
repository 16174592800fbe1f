/**
 * The HTTP side of the TSA double: the two operations of sigstore/timestamp-authority's API
 * (`openapi.yaml`), answered as its go-swagger server answers them.
 *
 * - `POST /api/v1/timestamp`, body a DER `TimeStampReq` (`application/timestamp-query`) or the
 *   JSON request (`application/json`) → 200 (201 with `--use-http-201`),
 *   `application/timestamp-reply`, the DER `TimeStampResp`. A request the server refuses → 400
 *   with `{"code":400,"message":…}`, still typed `application/timestamp-reply` (the error model
 *   goes out through the negotiated byte-stream producer; `pkg/api/error.go`,
 *   `configure_timestamp_server.go`). Every answer carries chi's `NoCache` headers.
 * - `GET /api/v1/timestamp/certchain` → 200, `application/pem-certificate-chain`, the chain
 *   leaf first, `Cache-Control: max-age=86400, immutable`.
 *
 * Before the handler, go-openapi's validation (go-openapi/runtime `middleware/validation.go`,
 * `headers.go`; go-openapi/errors `api.go` `ServeError`, all `application/json`): a body whose
 * Content-Type (default `application/octet-stream`) is not one of the two → 415; an unparsable
 * Content-Type → 400; an `Accept` that excludes the reply type → 406; no body → 422
 * (`{"code":601,…}`); another method → 405 with `Allow`. A body over the server's 1 MiB limit
 * fails its read: 400, as the handler answers a read error.
 *
 * Deliberately not here: `/ping`, CORS headers, metrics, NTP monitoring.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { utf8 } from '../../../internal/bytes.js';
import type { ServiceHandler, ServiceRequest, ServiceResponse } from '../service.js';
import { meetFault, type TsaFaultController } from './faults.js';
import { createTimestampResponse, type TimestampOptions } from './timestamp.js';
import { type PolicyRules, REFUSAL, readDerRequest, readJsonRequest } from './tsa-request.js';

/** What the handler serves with. */
export interface TsaApiConfig {
  readonly timestampOptions: Omit<TimestampOptions, 'genTime' | 'hashedMessage'>;
  readonly policyRules: PolicyRules;
  readonly certChainPem: string;
  readonly clock: () => Date;
  /** `--use-http-201`: answer a timestamp with 201 Created instead of 200. */
  readonly useHttp201: boolean;
  readonly faults: TsaFaultController;
  /** Counted per operation, faulted requests included. */
  readonly calls: { timestamp: number; certchain: number };
}

/** Where timestamps are asked for (`getTimestampResponse`); signing configs and trusted roots name it. */
export const TIMESTAMP_PATH = '/api/v1/timestamp';
/** Where the chain is served (`getTimestampCertChain`). */
export const CERTCHAIN_PATH = '/api/v1/timestamp/certchain';

const REPLY_TYPE = 'application/timestamp-reply';
const CHAIN_TYPE = 'application/pem-certificate-chain';
const CONSUMES = ['application/timestamp-query', 'application/json'];
/** `--max-request-body-size` default. */
const MAX_BODY_BYTES = 1024 * 1024;

/** go-chi's `middleware.NoCache` headers, on every answer of the timestamp route. */
const NO_CACHE = {
  expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
  'cache-control': 'no-cache, no-store, no-transform, must-revalidate, private, max-age=0',
  pragma: 'no-cache',
  'x-accel-expires': '0',
};

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/** Go's `mime.ParseMediaType`, as far as telling a media type from an error goes. */
function mediaTypeOf(header: string): { type: string } | { error: string } {
  const [base = '', ...params] = header.split(';');
  const type = base.trim().toLowerCase();
  const [major = '', minor, ...more] = type.split('/');
  if (!TOKEN.test(major)) return { error: 'mime: no media type' };
  if (minor !== undefined && !TOKEN.test(minor)) return { error: 'mime: expected token after slash' };
  if (more.length > 0) return { error: 'mime: unexpected content after media subtype' };
  for (const [i, param] of params.entries()) {
    // Go ignores one trailing semicolon.
    if (param.trim() === '' && i === params.length - 1) continue;
    const [key = '', value] = param.trim().split(/=(.*)/s);
    if (!TOKEN.test(key.toLowerCase()) || value === undefined || !/^("([^"\\]|\\.)*"|[^\s";]+)$/.test(value))
      return { error: 'mime: invalid media parameter' };
  }
  return { type };
}

/** go-openapi's negotiation of `offer` against `Accept`: no (readable) Accept takes any offer. */
function accepts(header: string | string[] | undefined, offer: string): boolean {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const specs = text
    .split(',')
    .map((part) => {
      const [value = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { value, q: q === undefined ? 1 : Number(q.slice(2)) };
    })
    .filter((spec) => spec.value !== '');
  if (specs.length === 0) return true;
  return specs.some(
    (spec) =>
      spec.q > 0 &&
      (spec.value === '*/*' ||
        spec.value === offer ||
        (spec.value.endsWith('/*') && offer.startsWith(spec.value.slice(0, -1)))),
  );
}

function header(request: ServiceRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function errorModel(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string>,
): ServiceResponse {
  return { status, headers, body: utf8(JSON.stringify({ code, message })) };
}

/** An error as go-openapi serves one (`errors.ServeError`): `{code, message}` as JSON. */
function jsonError(status: number, message: string, extra: Record<string, string> = {}): ServiceResponse {
  return errorModel(status, status, message, {
    'content-type': 'application/json',
    ...extra,
  });
}

function methodNotAllowed(method: string, allowed: string): ServiceResponse {
  return jsonError(405, `method ${method} is not allowed, but [${allowed}] are`, { allow: allowed });
}

/** What a fault makes of an answer, or undefined to answer normally (after any delay). */
async function faulted(
  config: TsaApiConfig,
  forTimestamp: boolean,
): Promise<{ answer?: ServiceResponse; wrongImprint?: boolean }> {
  const fault = meetFault(config.faults, forTimestamp);
  switch (fault?.kind) {
    case undefined:
      return {};
    case 'unavailable':
      return { answer: jsonError(503, 'service unavailable (injected fault)') };
    case 'slow':
      await delay(fault.delayMs);
      return {};
    case 'hang':
      await config.faults.released();
      return {};
    case 'garbage':
      return forTimestamp
        ? {
            answer: {
              status: 200,
              headers: { 'content-type': REPLY_TYPE },
              body: utf8('<html>not a timestamp</html>'),
            },
          }
        : {
            answer: {
              status: 200,
              headers: { 'content-type': CHAIN_TYPE },
              body: 'this is not a PEM chain\n',
            },
          };
    case 'wrong-imprint':
      return { wrongImprint: true };
  }
}

/** Another digest of the same length: the request's with every bit of its first byte flipped. */
function otherDigest(digest: Uint8Array): Uint8Array {
  const out = digest.slice();
  out[0] = (out[0] ?? 0) ^ 0xff;
  return out;
}

async function timestamp(request: ServiceRequest, config: TsaApiConfig): Promise<ServiceResponse> {
  config.calls.timestamp++;
  const fault = await faulted(config, true);
  if (fault.answer !== undefined) return fault.answer;
  const fail = (status: number, message: string, extra?: Record<string, string>) =>
    jsonError(status, message, { ...NO_CACHE, ...extra });
  let contentType: string | undefined;
  if (request.body.length > 0) {
    const raw = header(request, 'content-type') ?? 'application/octet-stream';
    const parsed = mediaTypeOf(raw);
    if ('error' in parsed)
      return fail(
        400,
        `parsing Content-Type header from ${JSON.stringify(raw)} failed, because ${parsed.error}`,
      );
    if (!CONSUMES.includes(parsed.type))
      return fail(
        415,
        `unsupported media type ${JSON.stringify(parsed.type)}, only [${CONSUMES.join(' ')}] are allowed`,
      );
    contentType = parsed.type;
  }
  if (!accepts(request.headers.accept, REPLY_TYPE))
    return fail(406, `unsupported media type requested, only [${REPLY_TYPE}] are available`);
  if (contentType === undefined)
    return errorModel(422, 601, 'request in body is required', {
      ...NO_CACHE,
      'content-type': 'application/json',
    });

  const refuse = (message: string) =>
    errorModel(400, 400, message, { ...NO_CACHE, 'content-type': REPLY_TYPE });
  if (request.body.length > MAX_BODY_BYTES) return refuse(REFUSAL.failed);
  const read =
    contentType === 'application/json'
      ? readJsonRequest(request.body, config.policyRules)
      : readDerRequest(request.body, config.policyRules);
  if ('refusal' in read) return refuse(read.refusal);
  const reply = await createTimestampResponse(read.request, {
    ...config.timestampOptions,
    genTime: config.clock(),
    ...(fault.wrongImprint === true ? { hashedMessage: otherDigest(read.request.hashedMessage) } : {}),
  });
  return {
    status: config.useHttp201 ? 201 : 200,
    headers: { ...NO_CACHE, 'content-type': REPLY_TYPE },
    body: reply,
  };
}

async function certChain(request: ServiceRequest, config: TsaApiConfig): Promise<ServiceResponse> {
  config.calls.certchain++;
  const fault = await faulted(config, false);
  if (fault.answer !== undefined) return fault.answer;
  if (!accepts(request.headers.accept, CHAIN_TYPE))
    return jsonError(406, `unsupported media type requested, only [${CHAIN_TYPE}] are available`);
  return {
    status: 200,
    headers: { 'content-type': CHAIN_TYPE, 'cache-control': 'max-age=86400, immutable' },
    body: config.certChainPem,
  };
}

/** The handler of the TSA's two paths (undefined for any other path). */
export function tsaHandler(config: TsaApiConfig): ServiceHandler {
  return (request) => {
    if (request.path === TIMESTAMP_PATH)
      return request.method === 'POST'
        ? timestamp(request, config)
        : methodNotAllowed(request.method, 'POST');
    if (request.path === CERTCHAIN_PATH)
      return request.method === 'GET' ? certChain(request, config) : methodNotAllowed(request.method, 'GET');
    return undefined;
  };
}
