/**
 * The test doubles' bounded request-body reader, over a real loopback server: a body within the
 * limit arrives whole; one past it (declared or streamed without a length) is not held, and the
 * answer the server then sends still reaches the client.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRequestBody } from '../../../src/testing/http-body.js';

const LIMIT = 1024;
const server = createServer((req, res) => {
  void readRequestBody(req, LIMIT).then((body) => {
    if (body === undefined) res.writeHead(413).end('too large');
    else res.writeHead(200).end(Buffer.from(body).toString('hex'));
  });
});
let port = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Sends `chunks` (with a Content-Length when `declared`, chunked otherwise); the status and body. */
function send(chunks: readonly Buffer[], declared: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        headers: declared ? { 'content-length': String(total) } : { 'transfer-encoding': 'chunked' },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
      },
    );
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('readRequestBody', () => {
  it('returns a body within the limit whole, in order, from several chunks', async () => {
    const chunks = [Buffer.from([1, 2, 3]), Buffer.alloc(LIMIT - 3, 0xab)];
    const answer = await send(chunks, false);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(Buffer.concat(chunks).toString('hex'));
  });

  it('returns an empty body as empty bytes', async () => {
    expect(await send([], true)).toEqual({ status: 200, body: '' });
  });

  it('refuses a body one byte past the limit, streamed without a length, and the answer arrives', async () => {
    const answer = await send([Buffer.alloc(LIMIT), Buffer.alloc(1)], false);
    expect(answer).toEqual({ status: 413, body: 'too large' });
  });

  it('refuses a declared Content-Length past the limit before reading it', async () => {
    const answer = await send([Buffer.alloc(LIMIT * 64)], true);
    expect(answer).toEqual({ status: 413, body: 'too large' });
  });
});
