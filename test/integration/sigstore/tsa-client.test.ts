/**
 * requestTimestamp against the TSA double over HTTP: a granted timestamp verifies and comes back
 * in cosign's forms; every fault the double can show (503, hang, garbage, a wrong imprint) and a
 * TSA the trusted root does not list end in a typed error, never a hang.
 */
import { X509Certificate } from 'node:crypto';
import { RFC3161Timestamp } from '@sigstore/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, OperationTimeoutError } from '../../../src/errors/base.js';
import { TsaRejectedError, TsaResponseError, TsaUnavailableError } from '../../../src/errors/sigstore.js';
import { fromBase64, utf8 } from '../../../src/internal/bytes.js';
import {
  parseTrustedRoot,
  TRUSTED_ROOT_MEDIA_TYPE,
  type TrustedRoot,
} from '../../../src/sigstore/trusted-root.js';
import { requestTimestamp } from '../../../src/sigstore/tsa-client.js';
import { type RunningService, serveOnLoopback } from '../../../src/testing/sigstore/service.js';
import { createTsa, type TestTsa } from '../../../src/testing/sigstore/tsa/index.js';

function rootNaming(tsa: TestTsa, url: string): TrustedRoot {
  return parseTrustedRoot({
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    certificateAuthorities: [],
    tlogs: [],
    ctlogs: [],
    timestampAuthorities: [tsa.timestampAuthority(url)],
  });
}

const signature = utf8('a signature over an image manifest');
let tsa: TestTsa;
let server: RunningService;
let tsaUrl: string;
let trustedRoot: TrustedRoot;

beforeAll(async () => {
  tsa = await createTsa();
  server = await serveOnLoopback([tsa.handler]);
  tsaUrl = `${server.url}/api/v1/timestamp`;
  trustedRoot = rootNaming(tsa, server.url);
});
afterEach(() => tsa.faults.clear());
afterAll(() => server.close());

describe('requestTimestamp', () => {
  it('returns a verified timestamp over the bytes, in the forms cosign stores', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const stamped = await requestTimestamp(signature, { tsaUrl, trustedRoot });
    expect(stamped.time.getTime()).toBeGreaterThanOrEqual(before);
    expect(stamped.time.getTime()).toBeLessThanOrEqual(Date.now());
    expect(fromBase64(stamped.signedTimestamp)).toEqual(stamped.der);
    expect(JSON.parse(stamped.annotation)).toEqual({ SignedRFC3161Timestamp: stamped.signedTimestamp });
    // What a verifier reads back: a granted TimeStampResp over these bytes, stamped at that time.
    const parsed = RFC3161Timestamp.parse(Buffer.from(stamped.der));
    expect(parsed.status).toBe(0n);
    expect(parsed.signingTime).toEqual(stamped.time);
    expect(() =>
      parsed.verify(Buffer.from(signature), new X509Certificate(tsa.certificates[0] as Uint8Array).publicKey),
    ).not.toThrow();
  });

  it('sends a fresh nonce each time: two answers differ', async () => {
    const [a, b] = await Promise.all([
      requestTimestamp(signature, { tsaUrl, trustedRoot }),
      requestTimestamp(signature, { tsaUrl, trustedRoot }),
    ]);
    expect(a?.signedTimestamp).not.toBe(b?.signedTimestamp);
  });

  it('refuses a timestamp over another imprint', async () => {
    tsa.faults.inject('wrong-imprint');
    await expect(requestTimestamp(signature, { tsaUrl, trustedRoot })).rejects.toThrow(
      expect.objectContaining({ name: 'TsaResponseError', message: expect.stringMatching(/imprint/) }),
    );
  });

  it('refuses garbage', async () => {
    tsa.faults.inject('garbage');
    await expect(requestTimestamp(signature, { tsaUrl, trustedRoot })).rejects.toBeInstanceOf(
      TsaResponseError,
    );
  });

  it('a 503 is TsaUnavailableError with the status', async () => {
    tsa.faults.inject('unavailable');
    const error = await requestTimestamp(signature, { tsaUrl, trustedRoot }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TsaUnavailableError);
    expect((error as TsaUnavailableError).status).toBe(503);
  });

  it('a hang ends at the deadline', async () => {
    tsa.faults.inject('hang');
    await expect(requestTimestamp(signature, { tsaUrl, trustedRoot, timeoutMs: 200 })).rejects.toBeInstanceOf(
      OperationTimeoutError,
    );
  });

  it("a hang ends at the caller's abort", async () => {
    tsa.faults.inject('hang');
    const controller = new AbortController();
    const pending = requestTimestamp(signature, { tsaUrl, trustedRoot, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });

  it('refuses an answer larger than the bound', async () => {
    await expect(requestTimestamp(signature, { tsaUrl, trustedRoot, maxResponseBytes: 64 })).rejects.toThrow(
      expect.objectContaining({ name: 'TsaResponseError', message: expect.stringMatching(/64 bytes/) }),
    );
  });

  it('a 4xx answer is TsaRejectedError', async () => {
    const error = await requestTimestamp(signature, {
      tsaUrl: `${server.url}/api/v1/nothing`,
      trustedRoot,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TsaRejectedError);
    expect((error as TsaRejectedError).status).toBe(404);
  });

  it('an unreachable TSA is TsaUnavailableError with status 0', async () => {
    const closed = await serveOnLoopback([]);
    await closed.close();
    const error = await requestTimestamp(signature, {
      tsaUrl: `${closed.url}/api/v1/timestamp`,
      trustedRoot,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TsaUnavailableError);
    expect((error as TsaUnavailableError).status).toBe(0);
  });

  it('refuses a timestamp from a TSA the trusted root does not list', async () => {
    const other = await createTsa();
    await expect(
      requestTimestamp(signature, { tsaUrl, trustedRoot: rootNaming(other, server.url) }),
    ).rejects.toThrow(
      expect.objectContaining({
        name: 'TsaResponseError',
        message: expect.stringMatching(/does not verify/),
      }),
    );
  });
});
