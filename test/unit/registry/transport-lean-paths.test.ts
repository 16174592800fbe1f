/**
 * The per-request shortcuts of the transport keep their behaviour: the in-flight table (an array
 * with swap-removal, not a Set), `what` built only when a message needs it, small documents read
 * whole into a plain Uint8Array under the same limit, and Content-Type read without a split.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError } from '../../../src/errors/index.js';
import { contentType } from '../../../src/registry/headers.js';
import { readBody, Transport } from '../../../src/registry/transport/http.js';
import { InFlight, RequestLifetime } from '../../../src/registry/transport/lifetime.js';

describe('the in-flight table', () => {
  it('keeps every lifetime until it ends, in any order, and close() aborts the rest', () => {
    const inFlight = new InFlight();
    const lifetimes = Array.from({ length: 5 }, (_, i) => new RequestLifetime(`req ${i}`, { inFlight }));
    lifetimes[1]?.end();
    lifetimes[4]?.end();
    lifetimes[1]?.end(); // idempotent
    expect(inFlight.all()).toHaveLength(3);
    expect(new Set(inFlight.all())).toEqual(new Set([lifetimes[0], lifetimes[2], lifetimes[3]]));
    for (const lifetime of inFlight.all()) lifetime.close();
    expect(lifetimes[2]?.reason).toBeInstanceOf(AbortedError);
    expect(lifetimes[2]?.reason?.message).toBe('req 2 was aborted: the registry client was closed');
    expect(lifetimes[1]?.reason).toBeUndefined();
    for (const lifetime of lifetimes) lifetime.end();
    expect(inFlight.all()).toEqual([]);
  });

  it('builds `what` only when a message needs it, and once', () => {
    let built = 0;
    const what = () => {
      built++;
      return 'GET manifest app:v1';
    };
    const quiet = new RequestLifetime(what, { inFlight: new InFlight() });
    quiet.end();
    expect(built).toBe(0);
    const closed = new RequestLifetime(what, { inFlight: new InFlight() });
    closed.close();
    closed.close();
    expect(closed.reason?.message).toBe('GET manifest app:v1 was aborted: the registry client was closed');
    expect(closed.what).toBe('GET manifest app:v1');
    expect(built).toBe(1);
  });
});

describe('small documents read whole', () => {
  let server: Server;
  let base: URL;
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, pad: 'x'.repeat(100_000) }));
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/vnd.oci.image.manifest.v1+json; charset=utf-8');
      if (req.url === '/chunked') {
        // No Content-Length and several writes: the body comes in several chunks.
        res.write(body.subarray(0, 1000));
        setTimeout(() => res.end(body.subarray(1000)), 5);
      } else res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('gives a plain Uint8Array of the whole body, in one chunk or several, and refuses more than the limit', async () => {
    const transport = new Transport();
    try {
      for (const path of ['/one', '/chunked']) {
        const url = new URL(path, base);
        const send = () => transport.send({ method: 'GET', url, idempotent: true, wholeBody: 200_000 });
        const response = await send();
        expect(contentType(response)).toBe('application/vnd.oci.image.manifest.v1+json');
        const bytes = await readBody(response, 200_000, 'doc');
        expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
        expect(Buffer.from(bytes).equals(body)).toBe(true);
        const small = await transport.send({ method: 'GET', url, idempotent: true, wholeBody: 50_000 });
        await expect(readBody(small, 50_000, 'doc')).rejects.toThrow(
          /doc is (over the|\d+ bytes, over the) 50000-byte limit/,
        );
      }
    } finally {
      await transport.close();
    }
  });
});

describe('Content-Type', () => {
  it('is the media type without parameters, lower-cased; absent or empty is undefined', () => {
    const of = (value: string | undefined) => contentType({ headers: { 'content-type': value } });
    expect(of('Application/JSON ; charset=utf-8')).toBe('application/json');
    expect(of('application/json')).toBe('application/json');
    expect(of(' ; x=y')).toBeUndefined();
    expect(of('')).toBeUndefined();
    expect(of(undefined)).toBeUndefined();
  });
});
