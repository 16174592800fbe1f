/** Each fault of the Rekor double (the evidence faults' effect on verifiers: rekor-verifiers.test.ts). */
import { generateKeyPairSync } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../../src/errors/index.js';
import { fromHex } from '../../../../src/internal/bytes.js';
import { verifyCheckpoint } from '../../../../src/sigstore/tlog/merkle.js';
import { rekorKeysFromPublicKeys } from '../../../../src/sigstore/tlog/rekor-keys.js';
import { createRekor, type Rekor } from '../../../../src/testing/sigstore/rekor/index.js';
import {
  callService,
  signedHashedRekordV1,
  signedHashedRekordV2,
} from '../../../helpers/sigstore-doubles.js';

const signer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
let rekor: Rekor;

beforeEach(() => {
  rekor = createRekor();
});

const call = (method: string, path: string, body?: unknown) =>
  callService(rekor.handler, method, path, { body });
const postV1 = () => call('POST', '/api/v1/log/entries', signedHashedRekordV1(signer));
const postV2 = () => call('POST', '/api/v2/log/entries', signedHashedRekordV2(signer));

describe('Rekor double faults', () => {
  it('unavailable: 503 and nothing logged, for `times` requests, then the log answers again', async () => {
    rekor.faults.inject('unavailable', { times: 2 });
    expect(rekor.faults.active).toBe('unavailable');
    expect((await postV1())?.status).toBe(503);
    expect((await call('GET', '/api/v1/log'))?.status).toBe(503);
    expect(rekor.faults.active).toBeUndefined();
    expect((await postV1())?.status).toBe(201);
    expect(rekor.entries()).toHaveLength(1);
  });

  it('scoped to one API: v2 down while v1 answers', async () => {
    rekor.faults.inject('unavailable', { api: 'v2' });
    expect((await postV1())?.status).toBe(201);
    expect((await postV2())?.status).toBe(503);
    expect((await postV2())?.status).toBe(503);
    rekor.faults.clear();
    expect((await postV2())?.status).toBe(201);
  });

  it('hang: no answer until the fault is cleared, then 503; nothing logged', async () => {
    rekor.faults.inject('hang');
    let settled = false;
    const pending = postV1().then((answer) => {
      settled = true;
      return answer;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    rekor.faults.clear();
    expect((await pending)?.status).toBe(503);
    expect(rekor.entries()).toHaveLength(0);
  });

  it('slow: the real answer, late', async () => {
    rekor.faults.inject('slow', { delayMs: 120, times: 1 });
    const started = performance.now();
    const answer = await postV2();
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    expect(answer?.status).toBe(201);
    expect(rekor.entries()).toHaveLength(1);
  });

  it('garbage: the success status with a body no client can read; nothing logged', async () => {
    rekor.faults.inject('garbage');
    for (const answer of [await postV1(), await postV2(), await call('GET', '/api/v1/log')]) {
      expect(answer?.status).toBeLessThan(300);
      expect(answer?.headers?.['content-type']).toBe('application/json');
      expect(() => JSON.parse(String(answer?.body))).toThrow(SyntaxError);
    }
    expect(rekor.entries()).toHaveLength(0);
  });

  it('evidence faults log the entry, and lie about the tree head too', async () => {
    const keys = rekorKeysFromPublicKeys([rekor.v1.publicKeyPem]);
    rekor.faults.inject('wrongCheckpoint', { api: 'v1' });
    expect((await postV1())?.status).toBe(201);
    const info = JSON.parse(String((await call('GET', '/api/v1/log'))?.body));
    expect(verifyCheckpoint(info.signedTreeHead, 1n, fromHex(info.rootHash) as Uint8Array, keys).ok).toBe(
      false,
    );
    rekor.faults.clear();
    const honest = JSON.parse(String((await call('GET', '/api/v1/log'))?.body));
    expect(verifyCheckpoint(honest.signedTreeHead, 1n, fromHex(honest.rootHash) as Uint8Array, keys).ok).toBe(
      true,
    );
    expect(rekor.entries()).toHaveLength(1);
  });

  it('a new fault replaces the old; times must be a positive integer, delayMs not negative, the kind known', () => {
    rekor.faults.inject('unavailable');
    rekor.faults.inject('garbage', { times: 1 });
    expect(rekor.faults.active).toBe('garbage');
    expect(() => rekor.faults.inject('slow', { times: 0 })).toThrow(InvalidArgumentError);
    expect(() => rekor.faults.inject('slow', { times: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => rekor.faults.inject('slow', { delayMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => rekor.faults.inject('down' as never)).toThrow(/unknown Rekor fault: down/);
    expect(rekor.faults.active).toBe('garbage');
  });
});
