import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors/index.js';
import { Endpoints, isLoopbackHost } from '../../../src/registry/endpoint.js';
import { nextLink } from '../../../src/registry/headers.js';
import { redactUrl } from '../../../src/registry/transport/http.js';
import { backoffMs, retryAfterMs } from '../../../src/registry/transport/retry.js';

describe('Retry-After and backoff', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(Date.now() + 5000).toUTCString(), Date.now())).toBeGreaterThan(3000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('caps waits, Retry-After included', () => {
    expect(backoffMs(1, { maxDelayMs: 500 }, 60_000)).toBe(500);
    for (let attempt = 1; attempt < 10; attempt++)
      expect(backoffMs(attempt, { baseDelayMs: 100, maxDelayMs: 1000 })).toBeLessThanOrEqual(1000);
  });
});

describe('endpoints', () => {
  it('uses plain HTTP only for loopback and listed hosts', () => {
    const endpoints = new Endpoints({ insecureRegistries: ['lab.internal:5000'] });
    expect(endpoints.for('127.0.0.1:5000').baseUrl.protocol).toBe('http:');
    expect(endpoints.for('localhost:5000').baseUrl.protocol).toBe('http:');
    expect(endpoints.for('[::1]:5000').baseUrl.protocol).toBe('http:');
    expect(endpoints.for('lab.internal:5000').baseUrl.protocol).toBe('http:');
    expect(endpoints.for('10.0.0.5:5000').baseUrl.protocol).toBe('https:');
    expect(endpoints.for('ghcr.io').baseUrl.protocol).toBe('https:');
    expect(isLoopbackHost('127.8.9.10')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });

  it('routes mirrored hosts to their mirror and refuses plain-HTTP mirrors elsewhere', () => {
    const endpoints = new Endpoints({ mirrors: { 'ghcr.io': 'http://127.0.0.1:5000/prefix' } });
    expect(endpoints.for('ghcr.io')).toMatchObject({ host: '127.0.0.1:5000' });
    expect(endpoints.for('ghcr.io').baseUrl.href).toBe('http://127.0.0.1:5000/prefix');
    expect(() => new Endpoints({ mirrors: { 'ghcr.io': 'http://mirror.example' } })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new Endpoints({ mirrors: { 'ghcr.io': 'not a url' } })).toThrow(InvalidArgumentError);
  });
});

describe('links and redaction', () => {
  it('follows rel="next" on the same origin only', () => {
    const current = new URL('http://r.example/v2/a/tags/list?n=2');
    expect(nextLink('</v2/a/tags/list?n=2&last=b>; rel="next"', current)?.href).toBe(
      'http://r.example/v2/a/tags/list?n=2&last=b',
    );
    expect(nextLink('<http://evil.example/x>; rel="next"', current)).toBeUndefined();
    expect(nextLink('</x>; rel="prev"', current)).toBeUndefined();
  });

  it('removes credentials and query strings from URLs shown to people', () => {
    expect(redactUrl(new URL('https://user:pass@r.example/v2/a/blobs/x?X-Amz-Signature=secret'))).toBe(
      'https://r.example/v2/a/blobs/x',
    );
  });
});
