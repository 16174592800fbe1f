/**
 * Reading a request body on the server side of ocisign's loopback test doubles (the registry, the
 * Sigstore services), whole and bounded: a double must not buffer whatever a client streams at
 * it. What a double answers to a body over its limit (a 413 in its own error format) is its own.
 *
 * Deliberately not here: the client side (`src/registry/transport/body.ts` reads responses), or
 * streaming a body through without holding it.
 */
import type { IncomingMessage } from 'node:http';

/**
 * The whole body of `req`, or undefined once it (or its declared Content-Length) passes `limit`
 * bytes: from then on the rest is read and dropped, so that the answer the caller sends can still
 * reach the client. Rejects if the request fails (the client went away).
 */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const overLimit = () => {
      req.off('data', collect);
      req.resume();
      resolve(undefined);
    };
    const collect = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) overLimit();
      else chunks.push(chunk);
    };
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
    if (Number(req.headers['content-length'] ?? 0) > limit) return overLimit();
    req.on('data', collect);
  });
}
