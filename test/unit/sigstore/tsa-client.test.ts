/**
 * The TSA client's pieces without a network: the TimeStampReq it sends (cosign's: SHA-256 imprint,
 * random nonce, certReq), how it reads answers (a refused status, a foreign nonce, trailing bytes,
 * garbage) and the options it refuses before sending anything.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors/base.js';
import { TsaRejectedError, TsaResponseError } from '../../../src/errors/sigstore.js';
import { concatBytes, utf8 } from '../../../src/internal/bytes.js';
import {
  parseTrustedRoot,
  TRUSTED_ROOT_MEDIA_TYPE,
  type TrustedRoot,
} from '../../../src/sigstore/trusted-root.js';
import { requestTimestamp } from '../../../src/sigstore/tsa-client.js';
import { readTimestampAnswer, timestampQuery } from '../../../src/sigstore/tsa-messages.js';
import { createTsa, type TestTsa } from '../../../src/testing/sigstore/tsa/index.js';

const URL_ = 'http://127.0.0.1:1/api/v1/timestamp';
const data = utf8('signature bytes');
let tsa: TestTsa;

/** The double's answer to `der`, through its handler (no HTTP). */
async function answer(der: Uint8Array): Promise<Uint8Array> {
  const response = await tsa.handler({
    method: 'POST',
    path: '/api/v1/timestamp',
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/timestamp-query' },
    body: der,
  });
  expect(response?.status).toBe(200);
  return response?.body as Uint8Array;
}

beforeAll(async () => {
  tsa = await createTsa();
});

describe('timestampQuery', () => {
  it("is cosign's TimeStampReq: v1, SHA-256 imprint of the bytes, a nonce, certReq", () => {
    const query = timestampQuery(data);
    const request = pkijs.TimeStampReq.fromBER(query.der);
    expect(request.version).toBe(1);
    expect(request.messageImprint.hashAlgorithm.algorithmId).toBe('2.16.840.1.101.3.4.2.1');
    const digest = new Uint8Array(createHash('sha256').update(data).digest());
    expect(new Uint8Array(request.messageImprint.hashedMessage.getValue())).toEqual(digest);
    expect(query.imprint).toEqual(digest);
    expect(request.nonce?.toBigInt()).toBe(query.nonce);
    expect(request.certReq).toBe(true);
    expect(request.reqPolicy).toBeUndefined();
  });

  it('draws a new positive nonce each time', () => {
    const nonces = new Set(Array.from({ length: 20 }, () => timestampQuery(data).nonce));
    expect(nonces.size).toBe(20);
    for (const n of nonces) expect(n > 0n).toBe(true);
  });
});

describe('readTimestampAnswer', () => {
  it('reads a granted answer to its own query', async () => {
    const query = timestampQuery(data);
    const read = readTimestampAnswer(await answer(query.der), query, URL_, 200);
    expect(Math.abs(read.genTime.getTime() - Date.now())).toBeLessThan(5000);
  });

  it("refuses another request's answer (nonce)", async () => {
    const bytes = await answer(timestampQuery(data).der);
    expect(() => readTimestampAnswer(bytes, timestampQuery(data), URL_, 200)).toThrow(/nonce/);
  });

  it('refuses an answer over other bytes (imprint)', async () => {
    const query = timestampQuery(data);
    const bytes = await answer(query.der);
    const other = { ...timestampQuery(utf8('other bytes')), nonce: query.nonce };
    expect(() => readTimestampAnswer(bytes, other, URL_, 200)).toThrow(TsaResponseError);
    expect(() => readTimestampAnswer(bytes, other, URL_, 200)).toThrow(/imprint/);
  });

  it('refuses bytes after the answer', async () => {
    const query = timestampQuery(data);
    const bytes = concatBytes(await answer(query.der), new Uint8Array([0]));
    expect(() => readTimestampAnswer(bytes, query, URL_, 200)).toThrow(/after its end/);
  });

  it.each([
    ['empty', new Uint8Array()],
    ['not ASN.1', utf8('<html>busy</html>')],
    ['another ASN.1 value', new Uint8Array(new asn1js.Integer({ value: 7 }).toBER())],
  ])('refuses %s as a TsaResponseError', (_, bytes) => {
    expect(() => readTimestampAnswer(bytes, timestampQuery(data), URL_, 200)).toThrow(TsaResponseError);
  });

  it("a rejection status is TsaRejectedError with the TSA's words", () => {
    const refused = new pkijs.TimeStampResp({
      status: new pkijs.PKIStatusInfo({
        status: pkijs.PKIStatus.rejection,
        statusStrings: [new asn1js.Utf8String({ value: 'unsupported algorithm' })],
      }),
    });
    const bytes = new Uint8Array(refused.toSchema().toBER(false));
    const read = () => readTimestampAnswer(bytes, timestampQuery(data), URL_, 200);
    expect(read).toThrow(TsaRejectedError);
    expect(read).toThrow(/rejection \(unsupported algorithm\)/);
  });
});

describe('requestTimestamp options', () => {
  let trustedRoot: TrustedRoot;
  beforeAll(() => {
    trustedRoot = parseTrustedRoot({
      mediaType: TRUSTED_ROOT_MEDIA_TYPE,
      certificateAuthorities: [],
      tlogs: [],
      ctlogs: [],
      timestampAuthorities: [tsa.timestampAuthority('http://127.0.0.1:1')],
    });
  });

  it.each([
    ['credentials in the URL', { tsaUrl: 'https://user:secret@tsa.example/api/v1/timestamp' }, /credentials/],
    ['a non-http URL', { tsaUrl: 'file:///etc/passwd' }, /http or https/],
    ['no URL', { tsaUrl: 5 }, /URL string/],
    ['a bad timeout', { timeoutMs: 0 }, /timeoutMs/],
    ['a bad bound', { maxResponseBytes: -1 }, /maxResponseBytes/],
    ['a bad signal', { signal: 'stop' }, /AbortSignal/],
  ])('refuses %s before sending anything', async (_, override, message) => {
    const options = { tsaUrl: URL_, trustedRoot, ...override } as Parameters<typeof requestTimestamp>[1];
    const error = await requestTimestamp(data, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('secret');
  });

  it('refuses a trusted root without timestamp authorities', async () => {
    const bare = parseTrustedRoot({
      mediaType: TRUSTED_ROOT_MEDIA_TYPE,
      certificateAuthorities: [],
      tlogs: [],
      ctlogs: [],
      timestampAuthorities: [],
    });
    await expect(requestTimestamp(data, { tsaUrl: URL_, trustedRoot: bare })).rejects.toThrow(
      /no timestampAuthorities/,
    );
  });

  it('an aborted signal rejects before sending', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      requestTimestamp(data, { tsaUrl: URL_, trustedRoot, signal: controller.signal }),
    ).rejects.toThrow(expect.objectContaining({ code: 'ABORTED' }));
  });
});
