import { describe, expect, it } from 'vitest';
import { type CachedOutcome, VerificationCache } from '../../../../src/policy/index.js';

const pass: CachedOutcome = { status: 'pass', message: 'ok', digest: 'sha256:1' };
const fail: CachedOutcome = { status: 'fail', message: 'bad' };
const error: CachedOutcome = { status: 'error', message: 'unreachable' };

describe('VerificationCache', () => {
  it('runs a verification once for concurrent callers (single-flight)', async () => {
    const cache = new VerificationCache();
    let runs = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const verify = async () => {
      runs++;
      await gate;
      return pass;
    };
    const all = Promise.all([cache.run('k', verify), cache.run('k', verify), cache.run('k', verify)]);
    release();
    const results = await all;
    expect(runs).toBe(1);
    expect(results.every((r) => r.outcome === pass && !r.fromCache)).toBe(true);
    expect((await cache.run('k', verify)).fromCache).toBe(true);
  });

  it('keeps passes for the success TTL and fails for the shorter failure TTL', async () => {
    let now = 0;
    const cache = new VerificationCache({ successTtlMs: 1000, failureTtlMs: 100, now: () => now });
    await cache.run('p', async () => pass);
    await cache.run('f', async () => fail);
    now = 50;
    expect(cache.get('p')).toEqual(pass);
    expect(cache.get('f')).toEqual(fail);
    now = 150;
    expect(cache.get('f')).toBeUndefined();
    expect(cache.get('p')).toEqual(pass);
    now = 1001;
    expect(cache.get('p')).toBeUndefined();
  });

  it('never caches errors', async () => {
    const cache = new VerificationCache();
    let runs = 0;
    const verify = async () => {
      runs++;
      return error;
    };
    await cache.run('e', verify);
    await cache.run('e', verify);
    expect(runs).toBe(2);
    expect(cache.get('e')).toBeUndefined();
  });

  it('bounds each store on its own: failures cannot evict successes', async () => {
    const cache = new VerificationCache({ maxEntries: 2 });
    await cache.run('p1', async () => pass);
    for (let i = 0; i < 10; i++) await cache.run(`f${i}`, async () => fail);
    expect(cache.get('p1')).toEqual(pass);
    expect(cache.stats()).toMatchObject({ successes: 1, failures: 2 });
    await cache.run('p2', async () => pass);
    await cache.run('p3', async () => pass);
    expect(cache.get('p1')).toBeUndefined(); // least recently used success went first
    expect(cache.get('p3')).toEqual(pass);
  });

  it('failureTtlMs 0 turns failure caching off', async () => {
    const cache = new VerificationCache({ failureTtlMs: 0 });
    await cache.run('f', async () => fail);
    expect(cache.get('f')).toBeUndefined();
  });
});
