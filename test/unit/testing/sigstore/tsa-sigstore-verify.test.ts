/**
 * The TSA double's timestamps judged by @sigstore/verify's RFC 3161 check (`getTSATimestamp`, as
 * src/verify/keyless/sigstore-checks.ts calls it), given a trusted root JSON whose
 * `timestampAuthorities` entry is the double's own: a timestamp over the signature verifies and
 * gives the double's clock; one over other bytes, one the wrong-imprint fault signed, one from a
 * TSA the root does not name, and one stamped outside the authority's window are refused.
 */
import { createHash } from 'node:crypto';
import { RFC3161Timestamp } from '@sigstore/core';
import { getTSATimestamp } from '@sigstore/verify/dist/timestamp/index.js';
import { describe, expect, it } from 'vitest';
import { trustMaterialOf } from '../../../../src/sigstore/index.js';
import { createTsa, type TestTsa } from '../../../../src/testing/sigstore/tsa/index.js';
import { timestampJsonRequest, trustedRootOf } from '../../../helpers/sigstore-doubles.js';

const TSA_URL = 'http://127.0.0.1:3000';
const signature = Buffer.from('MEUCIQD the signature bytes that get timestamped');

function trustFor(...tsas: TestTsa[]) {
  const root = trustedRootOf({ timestampAuthorities: tsas.map((tsa) => tsa.timestampAuthority(TSA_URL)) });
  return trustMaterialOf(root).timestampAuthorities;
}

/** What @sigstore/sign's TSA client posts for `signed`: the base64 SHA-256 as JSON. */
async function timestampOf(tsa: TestTsa, signed: Uint8Array): Promise<RFC3161Timestamp> {
  const answer = await tsa.handler(timestampJsonRequest(signed));
  expect(answer?.status).toBe(200);
  return RFC3161Timestamp.parse(Buffer.from(answer?.body as Uint8Array));
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  return 'accepted';
}

describe("the TSA double's timestamps, checked by @sigstore/verify", async () => {
  const genTime = new Date('2026-03-04T05:06:07.890Z');
  let now = genTime;
  const tsa = await createTsa({ clock: () => now });
  const authorities = trustFor(tsa);

  it('accepts a timestamp over the signature and reads the time the double stamped (in whole seconds)', async () => {
    const stamped = getTSATimestamp(await timestampOf(tsa, signature), signature, authorities);
    expect(stamped.type).toBe('timestamp-authority');
    expect(stamped.timestamp.toISOString()).toBe('2026-03-04T05:06:07.000Z');
  });

  it('refuses the timestamp for other bytes than those stamped (a wrong imprint)', async () => {
    const timestamp = await timestampOf(tsa, signature);
    expect(refusal(() => getTSATimestamp(timestamp, Buffer.from('other signature'), authorities))).toBe(
      'TIMESTAMP_ERROR',
    );
  });

  it('refuses a well-signed timestamp over the wrong imprint (the wrong-imprint fault)', async () => {
    tsa.faults.inject('wrong-imprint', { times: 1 });
    const timestamp = await timestampOf(tsa, signature);
    // Signed by the double's key as any other; only the imprint is another digest.
    const digest = createHash('sha256').update(signature).digest();
    expect(timestamp.tstInfo.messageImprintHashedMessage).toHaveLength(digest.length);
    expect(timestamp.tstInfo.messageImprintHashedMessage.equals(digest)).toBe(false);
    expect(refusal(() => getTSATimestamp(timestamp, signature, authorities))).toBe('TIMESTAMP_ERROR');
    // The fault was for one request: the next timestamp is right again.
    expect(tsa.faults.active).toBeUndefined();
    expect(getTSATimestamp(await timestampOf(tsa, signature), signature, authorities).type).toBe(
      'timestamp-authority',
    );
  });

  it('refuses a timestamp from a TSA the trusted root does not name, and accepts it once named', async () => {
    const stranger = await createTsa({ clock: () => now });
    const timestamp = await timestampOf(stranger, signature);
    expect(refusal(() => getTSATimestamp(timestamp, signature, authorities))).toBe('TIMESTAMP_ERROR');
    expect(getTSATimestamp(timestamp, signature, trustFor(tsa, stranger)).type).toBe('timestamp-authority');
  });

  it("refuses a timestamp stamped before the authority's validFor window", async () => {
    now = new Date(genTime.getTime() - 24 * 3600 * 1000);
    try {
      const timestamp = await timestampOf(tsa, signature);
      expect(timestamp.signingTime.getTime()).toBeLessThan(genTime.getTime());
      expect(refusal(() => getTSATimestamp(timestamp, signature, authorities))).toBe('TIMESTAMP_ERROR');
    } finally {
      now = genTime;
    }
  });

  it('names itself in the trusted root as the public-good entry is shaped: full URL, chain leaf first', () => {
    const entry = tsa.timestampAuthority(TSA_URL);
    expect(entry.uri).toBe(`${TSA_URL}/api/v1/timestamp`);
    expect(entry.certChain.certificates.map((c) => Buffer.from(c.rawBytes, 'base64'))).toEqual(
      tsa.certificates.map((der) => Buffer.from(der)),
    );
    expect(entry.validFor.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(tsa.signingConfigService(TSA_URL)).toMatchObject({
      url: `${TSA_URL}/api/v1/timestamp`,
      majorApiVersion: 1,
    });
  });
});
