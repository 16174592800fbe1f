/**
 * The KMS emulator (shipped in ocisign/testing) under hostile requests: an X-Amz-Target naming an
 * Object.prototype member is an unknown operation, a body that is not a JSON object is a
 * SerializationException, and an oversized body is refused with 413 without being buffered — all in
 * AWS's JSON 1.1 error shape (`__type`, `message`).
 */
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningKmsEmulator, startKmsEmulator } from '../../../src/testing/index.js';

let kms: RunningKmsEmulator;
beforeAll(async () => {
  kms = await startKmsEmulator();
});
afterAll(async () => kms?.close());

/** A real, SigV4-signing KMS client whose requests are rewritten (before signing) by `rewrite`. */
function rewritingClient(rewrite: (request: { headers: Record<string, string>; body?: unknown }) => void) {
  const client = new KMSClient({ region: kms.region, endpoint: kms.endpoint, credentials: kms.credentials });
  client.middlewareStack.add(
    (next) => async (args) => {
      rewrite((args as { request: { headers: Record<string, string>; body?: unknown } }).request);
      return next(args);
    },
    { step: 'build', name: 'hostileRewrite' },
  );
  return client;
}

async function failure(
  client: KMSClient,
): Promise<{ name?: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    return await client
      .send(new DescribeKeyCommand({ KeyId: 'alias/none' }))
      .then(() => ({ name: 'resolved' }));
  } catch (error) {
    return error as { name?: string };
  } finally {
    client.destroy();
  }
}

describe('KMS emulator: hostile requests', () => {
  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'X-Amz-Target TrentService.%s is an UnknownOperationException, counted as data',
    async (operation) => {
      const error = await failure(
        rewritingClient((request) => {
          request.headers['x-amz-target'] = `TrentService.${operation}`;
        }),
      );
      expect(error.name).toBe('UnknownOperationException');
      expect(error.$metadata?.httpStatusCode).toBe(400);
      expect(Object.hasOwn(kms.calls, operation)).toBe(true);
      expect(kms.calls[operation]).toBe(1);
    },
  );

  it.each(['null', '[]', '"KeyId"', '7', '{"KeyId":', 'not json'])(
    'a body of %s is a SerializationException (400), not a 500',
    async (body) => {
      const error = await failure(
        rewritingClient((request) => {
          request.body = body;
          request.headers['content-length'] = String(Buffer.byteLength(body));
        }),
      );
      expect(error.name).toBe('SerializationException');
      expect(error.$metadata?.httpStatusCode).toBe(400);
    },
  );

  it('a body over 1 MiB is refused with 413 in the AWS error shape', async () => {
    const response = await fetch(kms.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'TrentService.DescribeKey', 'content-type': 'application/x-amz-json-1.1' },
      body: `{"KeyId":"${'a'.repeat(2 * 1024 * 1024)}"}`,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ __type: 'SerializationException' });
  });

  it('a streamed body over 1 MiB (no content-length) is refused with 413', async () => {
    const chunk = new Uint8Array(256 * 1024).fill(0x61);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 64) controller.close();
        else {
          sent++;
          controller.enqueue(chunk);
        }
      },
    });
    const response = await fetch(kms.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'TrentService.DescribeKey' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ __type: 'SerializationException' });
    expect(sent).toBeLessThan(64);
  });
});
