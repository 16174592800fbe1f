/**
 * The TSA double's faults, one by one, at the handler: down (503), slow, hanging until cleared,
 * garbage with a 200, the wrong imprint (timestamps only) — each for the number of requests asked
 * or until cleared, then correct answers again.
 */
import { createHash } from 'node:crypto';
import { RFC3161Timestamp } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../../src/errors/index.js';
import type { ServiceResponse } from '../../../../src/testing/sigstore/service.js';
import { createTsa, type TsaFaultKind } from '../../../../src/testing/sigstore/tsa/index.js';
import { serviceRequest, timestampJsonRequest } from '../../../helpers/sigstore-doubles.js';

const signature = Buffer.from('signature');
const timestampRequest = timestampJsonRequest(signature);
const chainRequest = serviceRequest('GET', '/api/v1/timestamp/certchain');

/** The imprint of a reply the double signed, or an error when it is none. */
function imprintOf(answer: ServiceResponse | undefined): Buffer {
  expect(answer?.status).toBe(200);
  return RFC3161Timestamp.parse(Buffer.from(answer?.body as Uint8Array)).tstInfo.messageImprintHashedMessage;
}
const expectedImprint = createHash('sha256').update(signature).digest();

describe('the TSA double, faulted', async () => {
  const tsa = await createTsa();
  const { handler, faults } = tsa;

  it('answers 503 while unavailable, on both paths, for the number of requests asked', async () => {
    faults.inject('unavailable', { times: 2 });
    expect(faults.active).toBe('unavailable');
    expect((await handler(timestampRequest))?.status).toBe(503);
    expect((await handler(chainRequest))?.status).toBe(503);
    expect(faults.active).toBeUndefined();
    expect(imprintOf(await handler(timestampRequest))).toEqual(expectedImprint);
    expect((await handler(chainRequest))?.status).toBe(200);
  });

  it('answers correctly but late when slow', async () => {
    faults.inject('slow', { delayMs: 150, times: 1 });
    const started = performance.now();
    expect(imprintOf(await handler(timestampRequest))).toEqual(expectedImprint);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('holds requests while hanging, and answers them when the fault is cleared', async () => {
    faults.inject('hang');
    let settled = false;
    const held = Promise.resolve(handler(timestampRequest)).then((answer) => {
      settled = true;
      return answer;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);
    faults.clear();
    expect(imprintOf(await held)).toEqual(expectedImprint);
  });

  it('answers 200 with bytes that are no timestamp, and text that is no PEM, when answering garbage', async () => {
    faults.inject('garbage');
    const reply = await handler(timestampRequest);
    expect(reply?.status).toBe(200);
    expect(reply?.headers?.['content-type']).toBe('application/timestamp-reply');
    expect(() => imprintOf(reply)).toThrow();
    const chain = await handler(chainRequest);
    expect(chain?.status).toBe(200);
    expect(String(chain?.body)).not.toContain('BEGIN CERTIFICATE');
    faults.clear();
    expect(imprintOf(await handler(timestampRequest))).toEqual(expectedImprint);
  });

  it('signs another imprint of the same length under wrong-imprint, leaving the chain path alone', async () => {
    faults.inject('wrong-imprint', { times: 1 });
    expect((await handler(chainRequest))?.body).toBe(tsa.certChainPem);
    expect(faults.active).toBe('wrong-imprint');
    const wrong = imprintOf(await handler(timestampRequest));
    expect(wrong).toHaveLength(expectedImprint.length);
    expect(wrong).not.toEqual(expectedImprint);
    expect(imprintOf(await handler(timestampRequest))).toEqual(expectedImprint);
  });

  it('counts every request, faulted or not, and refuses faults it does not know', async () => {
    const fresh = await createTsa();
    fresh.faults.inject('unavailable', { times: 1 });
    await fresh.handler(timestampRequest);
    await fresh.handler(timestampRequest);
    await fresh.handler(chainRequest);
    expect(fresh.calls).toEqual({ timestamp: 2, certchain: 1 });
    expect(() => fresh.faults.inject('down' as TsaFaultKind)).toThrow(InvalidArgumentError);
    expect(() => fresh.faults.inject('slow', { times: -1 })).toThrow(InvalidArgumentError);
  });
});
