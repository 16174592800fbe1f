/**
 * What the TSA double answers, request by request, against what sigstore/timestamp-authority
 * answers (its `pkg/api/timestamp.go` and `error.go` messages; go-openapi's validation before the
 * handler): JSON requests as @sigstore/sign sends them and DER queries, the refusals with their
 * status, body and content type, the options named after the server's flags, and the chain path.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import type { ServiceResponse } from '../../../../src/testing/sigstore/service.js';
import { type CreateTsaOptions, createTsa } from '../../../../src/testing/sigstore/tsa/index.js';
import { serviceRequest } from '../../../helpers/sigstore-doubles.js';

const SHA256 = '2.16.840.1.101.3.4.2.1';
const SIGSTORE_POLICY = '1.3.6.1.4.1.57264.2';
const digest = createHash('sha256').update('signature').digest();
const b64 = digest.toString('base64');
const MSG = {
  failed: 'Error generating timestamp response',
  longOid: 'OID should be comprised of at most 128 components',
  tooLarge: 'timestamp request is too large',
  weak: 'Weak hash algorithm in timestamp request',
  length: 'Message digest has incorrect length for specified algorithm',
  policy: 'unaccepted policy: requested TSA policy is not supported by the TSA',
  extension: 'unaccepted extension: requested extensions are not supported by the TSA',
};

const post = (body: Uint8Array | string, headers: Record<string, string> = {}, path = '/api/v1/timestamp') =>
  serviceRequest('POST', path, { body, headers });
const json = (value: unknown) =>
  post(typeof value === 'string' ? value : JSON.stringify(value), { 'content-type': 'application/json' });
const der = (bytes: Uint8Array) => post(bytes, { 'content-type': 'application/timestamp-query' });

function query(
  options: {
    oid?: string;
    hashed?: Uint8Array;
    policy?: string;
    certReq?: boolean;
    extension?: boolean;
  } = {},
) {
  return new Uint8Array(
    new pkijs.TimeStampReq({
      version: 1,
      messageImprint: new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({
          algorithmId: options.oid ?? SHA256,
          algorithmParams: new asn1js.Null(),
        }),
        hashedMessage: new asn1js.OctetString({ valueHex: options.hashed ?? digest }),
      }),
      ...(options.policy === undefined ? {} : { reqPolicy: options.policy }),
      ...(options.certReq === undefined ? {} : { certReq: options.certReq }),
      ...(options.extension === true
        ? { extensions: [new pkijs.Extension({ extnID: '1.2.3.4', extnValue: new asn1js.Null().toBER() })] }
        : {}),
    })
      .toSchema()
      .toBER(),
  );
}

/** The TSTInfo and certificates of a granted reply (read with pkijs). */
function granted(answer: ServiceResponse | undefined, status = 200) {
  expect(answer?.status).toBe(status);
  expect(answer?.headers?.['content-type']).toBe('application/timestamp-reply');
  const response = pkijs.TimeStampResp.fromBER(Buffer.from(answer?.body as Uint8Array));
  expect(response.status.status).toBe(pkijs.PKIStatus.granted);
  const signed = new pkijs.SignedData({ schema: response.timeStampToken?.content });
  const content = signed.encapContentInfo.eContent as asn1js.OctetString;
  return {
    tstInfo: pkijs.TSTInfo.fromBER(content.valueBlock.valueHexView),
    certificates: signed.certificates ?? [],
  };
}

/** A refusal: status, the `{code, message}` body, and its content type. */
function refused(answer: ServiceResponse | undefined) {
  const body = JSON.parse(Buffer.from(answer?.body as Uint8Array).toString('utf8')) as {
    code: number;
    message: string;
  };
  return { status: answer?.status, type: answer?.headers?.['content-type'], ...body };
}

async function tsaWith(options: CreateTsaOptions = {}) {
  return (await createTsa(options)).handler;
}

describe('the TSA double, request by request', async () => {
  const handler = await tsaWith();

  it("grants @sigstore/sign's JSON request, with the real server's headers and its default policy", async () => {
    const answer = await handler(json({ artifactHash: b64, hashAlgorithm: 'sha256' }));
    const { tstInfo, certificates } = granted(answer);
    expect(Buffer.from(tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView)).toEqual(digest);
    expect(tstInfo.policy).toBe(SIGSTORE_POLICY);
    expect(tstInfo.nonce).toBeUndefined();
    expect(certificates).toHaveLength(0);
    expect(answer?.headers?.['cache-control']).toBe(
      'no-cache, no-store, no-transform, must-revalidate, private, max-age=0',
    );
  });

  it('reads JSON as Go does: any-length integer nonces, case-insensitive names, certificates on request', async () => {
    const nonce = 2n ** 100n + 7n;
    const body = `{"ARTIFACTHASH":"${b64}","HashAlgorithm":"SHA256","nonce":${nonce},"certificates":true,"x":{"nonce":1}}`;
    const { tstInfo, certificates } = granted(await handler(json(body)));
    expect(tstInfo.nonce?.toBigInt()).toBe(nonce);
    expect(certificates).toHaveLength(1);
    expect(
      granted(
        await handler(json({ artifactHash: b64, hashAlgorithm: 'sha256', nonce: -5 })),
      ).tstInfo.nonce?.toBigInt(),
    ).toBe(-5n);
  });

  it.each([
    [
      'SHA-1, weak',
      { artifactHash: createHash('sha1').update('x').digest('base64'), hashAlgorithm: 'sha1' },
      MSG.weak,
    ],
    ['an unknown hash', { artifactHash: b64, hashAlgorithm: 'md5' }, MSG.failed],
    ['no hash algorithm', { artifactHash: b64 }, MSG.failed],
    [
      'a short digest',
      { artifactHash: digest.subarray(1).toString('base64'), hashAlgorithm: 'sha256' },
      MSG.length,
    ],
    ['no digest', { hashAlgorithm: 'sha256' }, MSG.length],
    ['a digest not in base64', { artifactHash: '!!!!', hashAlgorithm: 'sha256' }, MSG.failed],
    ['unpadded base64', { artifactHash: b64.replace(/=+$/, ''), hashAlgorithm: 'sha256' }, MSG.failed],
    [
      'a mistyped certificates',
      { artifactHash: b64, hashAlgorithm: 'sha256', certificates: 'yes' },
      MSG.failed,
    ],
    ['a fractional nonce', `{"artifactHash":"${b64}","hashAlgorithm":"sha256","nonce":1.5}`, MSG.failed],
    ['a nonce in quotes', { artifactHash: b64, hashAlgorithm: 'sha256', nonce: '5' }, MSG.failed],
    [
      'an unaccepted policy',
      { artifactHash: b64, hashAlgorithm: 'sha256', tsaPolicyOID: '1.2.3.4' },
      MSG.policy,
    ],
    [
      'a policy that is no OID',
      { artifactHash: b64, hashAlgorithm: 'sha256', tsaPolicyOID: '1.x' },
      MSG.longOid,
    ],
    [
      'a 130-component policy',
      { artifactHash: b64, hashAlgorithm: 'sha256', tsaPolicyOID: Array(130).fill('1').join('.') },
      MSG.longOid,
    ],
    [
      'more than 1024 bytes',
      `{"artifactHash":"${b64}","hashAlgorithm":"sha256","nonce":${'9'.repeat(1000)}}`,
      MSG.tooLarge,
    ],
    ['no JSON', '{"artifactHash":', MSG.failed],
    ['a JSON array', '[]', MSG.failed],
    ['JSON null', 'null', MSG.failed],
  ])('refuses a JSON request with %s: 400 and the real message', async (_, body, message) => {
    expect(refused(await handler(json(body)))).toEqual({
      status: 400,
      type: 'application/timestamp-reply',
      code: 400,
      message,
    });
  });

  it('grants a DER query, with the policy asked for and the certificate when certReq', async () => {
    const { tstInfo, certificates } = granted(
      await handler(der(query({ policy: SIGSTORE_POLICY, certReq: true }))),
    );
    expect(tstInfo.policy).toBe(SIGSTORE_POLICY);
    expect(certificates).toHaveLength(1);
  });

  const longForm = (() => {
    const bytes = query();
    // The outer SEQUENCE's short length rewritten in long form: BER, not DER.
    return new Uint8Array([0x30, 0x81, ...bytes.subarray(1)]);
  })();
  it.each([
    ['bytes that are no ASN.1', new Uint8Array([1, 2, 3]), MSG.failed],
    ['trailing bytes', new Uint8Array([...query(), 0]), MSG.failed],
    ['a long-form length (BER, not DER)', longForm, MSG.failed],
    ['SHA-1, weak', query({ oid: '1.3.14.3.2.26', hashed: new Uint8Array(20) }), MSG.weak],
    ['an unknown hash (MD5)', query({ oid: '1.2.840.113549.2.5', hashed: new Uint8Array(16) }), MSG.failed],
    ['an empty digest', query({ hashed: new Uint8Array(0) }), MSG.failed],
    ['a SHA-256 digest of 20 bytes', query({ hashed: new Uint8Array(20) }), MSG.length],
    ['an unaccepted policy', query({ policy: '1.2.3.4' }), MSG.policy],
    ['an extension', query({ extension: true }), MSG.extension],
  ])('refuses a DER query with %s: 400 and the real message', async (_, body, message) => {
    expect(refused(await handler(der(body)))).toEqual({
      status: 400,
      type: 'application/timestamp-reply',
      code: 400,
      message,
    });
  });

  it('answers what go-openapi answers before the handler: 415, 400, 406, 422, 405, as JSON', async () => {
    const body = JSON.stringify({ artifactHash: b64, hashAlgorithm: 'sha256' });
    expect(refused(await handler(post(body, { 'content-type': 'text/plain' })))).toEqual({
      status: 415,
      type: 'application/json',
      code: 415,
      message:
        'unsupported media type "text/plain", only [application/timestamp-query application/json] are allowed',
    });
    expect(refused(await handler(post(body)))).toMatchObject({
      status: 415,
      message: expect.stringContaining('"application/octet-stream"'),
    });
    expect(refused(await handler(post(body, { 'content-type': '/json' })))).toMatchObject({
      status: 400,
      code: 400,
      type: 'application/json',
    });
    expect(
      refused(await handler(post(body, { 'content-type': 'application/json', accept: 'application/json' }))),
    ).toEqual({
      status: 406,
      type: 'application/json',
      code: 406,
      message: 'unsupported media type requested, only [application/timestamp-reply] are available',
    });
    expect(refused(await handler(post('', { 'content-type': 'application/json' })))).toEqual({
      status: 422,
      type: 'application/json',
      code: 601,
      message: 'request in body is required',
    });
    const wrongMethod = await handler({ ...post(body), method: 'GET' });
    expect(refused(wrongMethod)).toMatchObject({
      status: 405,
      message: 'method GET is not allowed, but [POST] are',
    });
    expect(wrongMethod?.headers?.allow).toBe('POST');
    expect((await handler({ ...post(''), path: '/api/v1/timestamp/certchain' }))?.status).toBe(405);
    expect(await handler({ ...post(''), path: '/api/v1/log/entries' })).toBeUndefined();
  });

  it('takes parameterised content types and accepting wildcards; refuses a body over 1 MiB as a read error', async () => {
    const body = JSON.stringify({ artifactHash: b64, hashAlgorithm: 'sha256' });
    granted(
      await handler(
        post(body, { 'content-type': 'application/json; charset=utf-8', accept: 'application/*' }),
      ),
    );
    granted(
      await handler(post(body, { 'content-type': 'Application/JSON', accept: 'text/html, */*;q=0.8' })),
    );
    const huge = new Uint8Array(1024 * 1024 + 1);
    expect(refused(await handler(der(huge)))).toMatchObject({ status: 400, message: MSG.failed });
  });

  it('serves its chain as PEM, leaf first, cached for a day', async () => {
    const tsa = await createTsa();
    const answer = await tsa.handler({ ...post(''), method: 'GET', path: '/api/v1/timestamp/certchain' });
    expect(answer?.status).toBe(200);
    expect(answer?.headers).toMatchObject({
      'content-type': 'application/pem-certificate-chain',
      'cache-control': 'max-age=86400, immutable',
    });
    expect(answer?.body).toBe(tsa.certChainPem);
    const names = tsa.certChainPem
      .split(/(?<=-----END CERTIFICATE-----\n)/)
      .map((pem) =>
        pkijs.Certificate.fromBER(Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64')),
      )
      .map((cert) => cert.subject.typesAndValues.map((tv) => tv.value.valueBlock.value).join('/'));
    expect(names).toEqual([
      'local/Test TSA Timestamping',
      'local/Test TSA Intermediate',
      'local/Test TSA Root',
    ]);
    expect(tsa.calls).toEqual({ timestamp: 0, certchain: 1 });
  });

  it("follows the server's flags: 201, other policies, the chain in replies", async () => {
    const other = '1.2.3.4.5';
    const flagged = await tsaWith({
      useHttp201: true,
      defaultPolicyOid: other,
      acceptedPolicyOids: [other, SIGSTORE_POLICY],
      includeChainInResponse: true,
    });
    const answer = await flagged(json({ artifactHash: b64, hashAlgorithm: 'sha256', certificates: true }));
    const { tstInfo, certificates } = granted(answer, 201);
    expect(tstInfo.policy).toBe(other);
    expect(certificates).toHaveLength(3);
    expect(granted(await flagged(der(query({ policy: SIGSTORE_POLICY }))), 201).tstInfo.policy).toBe(
      SIGSTORE_POLICY,
    );
    await expect(createTsa({ acceptedPolicyOids: ['not an oid'] })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
