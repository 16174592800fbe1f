/**
 * The TSA double over HTTP on loopback, with the clients we must interoperate with: @sigstore/sign's
 * `TSAWitness` (and its `TimestampAuthority` given a signing config's full URL) gets timestamps the
 * double's trusted-root entry verifies — also inside a whole bundle @sigstore/sign builds, which
 * @sigstore/verify's `Verifier` accepts with a TSA threshold — openssl's DER query answers over HTTP, the
 * chain is served as PEM, and each fault reaches the client as a refusal, an error or a timeout.
 */
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { RFC3161Timestamp } from '@sigstore/core';
import { MessageSignatureBundleBuilder, type SignatureBundle, TSAWitness } from '@sigstore/sign';
import { TimestampAuthority } from '@sigstore/sign/dist/external/tsa.js';
import { toSignedEntity, Verifier } from '@sigstore/verify';
import { getTSATimestamp } from '@sigstore/verify/dist/timestamp/index.js';
import { afterAll, describe, expect, it } from 'vitest';
import { serveOnLoopback } from '../../../src/testing/sigstore/service.js';
import { createTsa, type TestTsa } from '../../../src/testing/sigstore/tsa/index.js';
import { trustedRootOf, trustMaterialWithKey } from '../../helpers/sigstore-doubles.js';

const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const artifact = Buffer.from('release.tar.gz contents\n');

function materialFor(tsa: TestTsa, url: string) {
  return trustMaterialWithKey(
    trustedRootOf({ timestampAuthorities: [tsa.timestampAuthority(url)] }),
    'test-key',
    keys.publicKey,
  );
}

const keySigner = {
  async sign(data: Buffer) {
    return {
      signature: sign('sha256', data, keys.privateKey),
      key: {
        $case: 'publicKey' as const,
        publicKey: keys.publicKey.export({ type: 'spki', format: 'pem' }) as string,
        hint: 'test-key',
      },
    };
  },
};

describe('the TSA double over HTTP', async () => {
  const tsa = await createTsa();
  const service = await serveOnLoopback([tsa.handler]);
  afterAll(() => service.close());
  const material = materialFor(tsa, service.url);
  const signature = sign('sha256', artifact, keys.privateKey);
  const messageSignature: SignatureBundle = {
    $case: 'messageSignature',
    messageSignature: {
      signature,
      messageDigest: { algorithm: 1, digest: createHash('sha256').update(artifact).digest() },
    },
  };

  it("gives @sigstore/sign's TSAWitness a timestamp that @sigstore/verify accepts for the signature", async () => {
    const witnessed = await new TSAWitness({ tsaBaseURL: service.url }).testify(messageSignature);
    const [stamped] = witnessed.rfc3161Timestamps;
    const timestamp = RFC3161Timestamp.parse(Buffer.from(stamped?.signedTimestamp as Buffer));
    expect(getTSATimestamp(timestamp, signature, material.timestampAuthorities).type).toBe(
      'timestamp-authority',
    );
    expect(() =>
      getTSATimestamp(timestamp, Buffer.from('another signature'), material.timestampAuthorities),
    ).toThrow();
  });

  it("answers @sigstore/sign's TimestampAuthority at the signing config's full URL, with a nonce and certificates", async () => {
    const url = tsa.signingConfigService(service.url).url;
    const reply = await new TimestampAuthority({ baseURL: url, retry: false }).createTimestamp({
      artifactHash: createHash('sha256').update(signature).digest('base64'),
      hashAlgorithm: 'sha256',
      certificates: true,
      nonce: 123456789,
    });
    const timestamp = RFC3161Timestamp.parse(Buffer.from(reply));
    expect(getTSATimestamp(timestamp, signature, material.timestampAuthorities).type).toBe(
      'timestamp-authority',
    );
  });

  it("timestamps a bundle @sigstore/sign builds, which @sigstore/verify's Verifier accepts on the TSA's time alone", async () => {
    const bundle = await new MessageSignatureBundleBuilder({
      signer: keySigner,
      witnesses: [new TSAWitness({ tsaBaseURL: service.url })],
    }).create({ data: artifact });
    expect(bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps).toHaveLength(1);
    const options = { tlogThreshold: 0, ctlogThreshold: 0, tsaThreshold: 1 };
    new Verifier(material, options).verify(toSignedEntity(bundle, artifact));
    const stranger = await createTsa();
    expect(() =>
      new Verifier(materialFor(stranger, service.url), options).verify(toSignedEntity(bundle, artifact)),
    ).toThrow(/timestamp/i);
  });

  it("answers openssl's DER query and serves its chain as PEM over HTTP", async () => {
    const digest = createHash('sha256').update(signature).digest('hex');
    const query = execFileSync('openssl', ['ts', '-query', '-digest', digest, '-sha256', '-cert'], {
      stdio: 'pipe',
    });
    const reply = await fetch(`${service.url}/api/v1/timestamp`, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: query,
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/timestamp-reply');
    const timestamp = RFC3161Timestamp.parse(Buffer.from(await reply.arrayBuffer()));
    expect(getTSATimestamp(timestamp, signature, material.timestampAuthorities).type).toBe(
      'timestamp-authority',
    );
    const chain = await fetch(`${service.url}/api/v1/timestamp/certchain`);
    expect(chain.headers.get('content-type')).toBe('application/pem-certificate-chain');
    expect(await chain.text()).toBe(tsa.certChainPem);
  });

  it('reaches the client as the real server refuses: a 400 sigstore-js reports by its status', async () => {
    const refused = new TimestampAuthority({ baseURL: service.url, retry: false }).createTimestamp({
      artifactHash: 'AAAA',
      hashAlgorithm: 'sha256',
    });
    // The error body goes out typed application/timestamp-reply, so sigstore-js keeps the status text.
    await expect(refused).rejects.toMatchObject({ statusCode: 400, message: '(400) Bad Request' });
  });

  it('reaches the client as a 503 when down, a timeout when hanging, and unparsable bytes when answering garbage', async () => {
    const witness = new TSAWitness({ tsaBaseURL: service.url, timeout: 300, retry: false });
    tsa.faults.inject('unavailable', { times: 1 });
    await expect(witness.testify(messageSignature)).rejects.toMatchObject({
      code: 'TSA_CREATE_TIMESTAMP_ERROR',
      cause: { statusCode: 503 },
    });
    tsa.faults.inject('hang');
    const started = performance.now();
    await expect(witness.testify(messageSignature)).rejects.toMatchObject({
      code: 'TSA_CREATE_TIMESTAMP_ERROR',
    });
    expect(performance.now() - started).toBeLessThan(5000);
    tsa.faults.clear();
    tsa.faults.inject('garbage', { times: 1 });
    const garbage = await witness.testify(messageSignature);
    const bytes = Buffer.from(garbage.rfc3161Timestamps[0]?.signedTimestamp as Buffer);
    expect(() =>
      getTSATimestamp(RFC3161Timestamp.parse(bytes), signature, material.timestampAuthorities),
    ).toThrow();
    const healthy = await witness.testify(messageSignature);
    const timestamp = RFC3161Timestamp.parse(
      Buffer.from(healthy.rfc3161Timestamps[0]?.signedTimestamp as Buffer),
    );
    expect(getTSATimestamp(timestamp, signature, material.timestampAuthorities).type).toBe(
      'timestamp-authority',
    );
  });
});
