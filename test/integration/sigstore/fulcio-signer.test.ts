/**
 * fulcioSigner against startSigstore()'s Fulcio over HTTP: the certificate certifies the signer's
 * key and carries the GitHub Actions claims as Fulcio's extensions; a short-lived certificate is
 * renewed (same key, one renewal for concurrent callers); Fulcio down, answering garbage, hanging
 * or lying (another key, a forged SCT), a trusted root of another instance, and a refused token
 * all end in typed errors — never holding the token.
 */

import { verify, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, OperationTimeoutError } from '../../../src/errors/base.js';
import {
  FulcioRejectedError,
  FulcioResponseError,
  FulcioUnavailableError,
  IdentityTokenError,
} from '../../../src/errors/sigstore.js';
import { bytesEqual, utf8 } from '../../../src/internal/bytes.js';
import { fulcioSigner } from '../../../src/sigstore/fulcio-signer.js';
import { type RunningSigstore, startSigstore } from '../../../src/testing/sigstore/start-sigstore.js';
import { readFulcioCertificate } from '../../../src/verify/keyless/certificate.js';
import { freePort } from '../../helpers/ports.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const SUBJECT = 'repo:acme/widget:ref:refs/tags/v3.1.4';
const RUN = {
  repository: 'acme/widget',
  ref: 'refs/tags/v3.1.4',
  sha: 'e'.repeat(40),
  workflow: 'Publish',
  event_name: 'push',
  job_workflow_ref: 'acme/widget/.github/workflows/publish.yml@refs/tags/v3.1.4',
};

/** The token and each of its parts must appear nowhere in `error`'s message (or its cause's). */
function expectNoToken(error: unknown, token: string): void {
  const text = `${(error as Error).message} ${String((error as { cause?: Error }).cause?.message ?? '')}`;
  expect(text).not.toContain(token);
  for (const part of token.split('.')) expect(text).not.toContain(part);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

let sigstore: RunningSigstore;
let other: RunningSigstore;
const token = () => sigstore.issueToken({ subject: SUBJECT, issuer: GITHUB, claims: RUN });

beforeAll(async () => {
  sigstore = await startSigstore();
  other = await startSigstore();
});
afterAll(async () => {
  await sigstore.close();
  await other.close();
});
afterEach(() => {
  sigstore.faults.fulcio.clear();
});

describe('fulcioSigner', () => {
  it('holds a verified certificate for its own key, carrying the workflow run’s claims', async () => {
    const signer = await fulcioSigner({
      fulcioUrl: sigstore.fulcioUrl,
      identityToken: token(),
      trustedRoot: sigstore.trustedRoot,
    });
    const chain = await signer.certificateChain?.();
    if (chain === undefined) throw new Error('a keyless signer hands out a chain');
    expect(chain).toHaveLength(3);
    const [leaf, intermediate, root] = chain as [Uint8Array, Uint8Array, Uint8Array];
    const cert = readFulcioCertificate(leaf);
    const key = await signer.publicKey();
    expect(key.algorithm).toBe('ecdsa-p256');

    // The leaf certifies exactly the signer's key, and a blob it signs verifies with the leaf.
    const x509 = new X509Certificate(Buffer.from(leaf));
    expect(
      bytesEqual(new Uint8Array(x509.publicKey.export({ type: 'spki', format: 'der' })), key.toDer()),
    ).toBe(true);
    const blob = utf8('an image manifest digest');
    const signature = await signer.sign(blob);
    expect(verify('sha256', blob, x509.publicKey, signature)).toBe(true);
    expect(verify('sha256', utf8('another blob'), x509.publicKey, signature)).toBe(false);

    // Issued by the chain's intermediate, which the root issued.
    expect(x509.checkIssued(new X509Certificate(Buffer.from(intermediate)))).toBe(true);
    expect(
      new X509Certificate(Buffer.from(intermediate)).checkIssued(new X509Certificate(Buffer.from(root))),
    ).toBe(true);

    // The identity Fulcio writes for a GitHub Actions token.
    expect(cert.subjectAltNames).toEqual([
      { type: 'uri', value: `https://github.com/${RUN.job_workflow_ref}` },
    ]);
    expect(cert.extensions).toMatchObject({
      issuerV1: GITHUB,
      issuerV2: GITHUB,
      githubWorkflowTrigger: RUN.event_name,
      githubWorkflowSha: RUN.sha,
      githubWorkflowName: RUN.workflow,
      githubWorkflowRepository: RUN.repository,
      githubWorkflowRef: RUN.ref,
      sourceRepositoryUri: `https://github.com/${RUN.repository}`,
      sourceRepositoryRef: RUN.ref,
      buildTrigger: RUN.event_name,
    });
    expect(cert.extendedKeyUsages).toEqual(['1.3.6.1.5.5.7.3.3']);
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(10 * 60 * 1000);
  });

  it('shows no token when printed or serialised', async () => {
    const t = token();
    const signer = await fulcioSigner({ fulcioUrl: sigstore.fulcioUrl, identityToken: t });
    for (const text of [inspect(signer, { depth: 10, showHidden: true }), JSON.stringify(signer)]) {
      expect(text).not.toContain(t);
      for (const part of t.split('.')) expect(text).not.toContain(part);
    }
  });

  it('hands out copies: changing one changes nothing the signer holds', async () => {
    const signer = await fulcioSigner({ fulcioUrl: sigstore.fulcioUrl, identityToken: token() });
    const first = (await signer.certificateChain?.()) as Uint8Array[];
    const pristine = (first[0] as Uint8Array).slice();
    (first[0] as Uint8Array).fill(0);
    const second = (await signer.certificateChain?.()) as Uint8Array[];
    expect(bytesEqual(second[0] as Uint8Array, pristine)).toBe(true);
  });

  it('takes the CA from the signing config when no fulcioUrl is given', async () => {
    let asked = 0;
    const signer = await fulcioSigner({
      signingConfig: sigstore.signingConfig,
      trustedRoot: sigstore.trustedRoot,
      identityToken: async () => {
        asked += 1;
        return token();
      },
    });
    expect(asked).toBe(1);
    expect(await signer.certificateChain?.()).toHaveLength(3);
  });
});

describe('renewal', () => {
  let shortLived: RunningSigstore;
  beforeAll(async () => {
    shortLived = await startSigstore({ certificateLifetimeMs: 4000 });
  });
  afterAll(async () => {
    await shortLived.close();
  });

  it('renews a certificate about to expire, for the same key, once for concurrent callers', async () => {
    const tokens: string[] = [];
    const signer = await fulcioSigner({
      fulcioUrl: shortLived.fulcioUrl,
      trustedRoot: shortLived.trustedRoot,
      renewBeforeMs: 2500,
      identityToken: async () => {
        const t = shortLived.issueToken({ subject: SUBJECT, issuer: GITHUB, claims: RUN });
        tokens.push(t);
        return t;
      },
    });
    const key = await signer.publicKey();
    const first = (await signer.certificateChain?.()) as Uint8Array[];
    // Still more than 2.5 s to live: the same certificate, no new token.
    expect(bytesEqual((await signer.certificateChain?.())?.[0] as Uint8Array, first[0] as Uint8Array)).toBe(
      true,
    );
    expect(tokens).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 1700));
    const renewed = await Promise.all([
      signer.certificateChain?.(),
      signer.certificateChain?.(),
      signer.certificateChain?.(),
    ]);
    expect(tokens).toHaveLength(2);
    const leaf = renewed[0]?.[0] as Uint8Array;
    expect(bytesEqual(leaf, first[0] as Uint8Array)).toBe(false);
    for (const chain of renewed) expect(bytesEqual(chain?.[0] as Uint8Array, leaf)).toBe(true);
    const before = readFulcioCertificate(first[0] as Uint8Array);
    const after = readFulcioCertificate(leaf);
    expect(after.notAfter.getTime()).toBeGreaterThan(before.notAfter.getTime());
    // The key never changes: every chain handed out certifies the key that signs.
    expect((await signer.publicKey()).equals(key)).toBe(true);
    const blob = utf8('signed after the renewal');
    expect(
      verify('sha256', blob, new X509Certificate(Buffer.from(leaf)).publicKey, await signer.sign(blob)),
    ).toBe(true);
  });

  it('fails the call when the renewal fails, and renews on the next call', async () => {
    const signer = await fulcioSigner({
      fulcioUrl: shortLived.fulcioUrl,
      renewBeforeMs: 10_000,
      identityToken: async () => shortLived.issueToken({ subject: SUBJECT, issuer: GITHUB, claims: RUN }),
    });
    shortLived.faults.fulcio.inject('unavailable', { times: 1 });
    expect(await rejection(signer.certificateChain?.() as Promise<unknown>)).toBeInstanceOf(
      FulcioUnavailableError,
    );
    expect(await signer.certificateChain?.()).toHaveLength(3);
  });
});

describe('faults', () => {
  const create = (options: { timeoutMs?: number; signal?: AbortSignal } = {}) =>
    fulcioSigner({
      fulcioUrl: sigstore.fulcioUrl,
      identityToken: token(),
      trustedRoot: sigstore.trustedRoot,
      ...options,
    });

  it('Fulcio answering 503 is FulcioUnavailableError', async () => {
    sigstore.faults.fulcio.inject('unavailable');
    const error = await rejection(create());
    expect(error).toBeInstanceOf(FulcioUnavailableError);
    expect((error as FulcioUnavailableError).status).toBe(503);
  });

  it('Fulcio not listening is FulcioUnavailableError with status 0', async () => {
    const port = await freePort();
    const error = await rejection(
      fulcioSigner({ fulcioUrl: `http://127.0.0.1:${port}`, identityToken: token() }),
    );
    expect(error).toBeInstanceOf(FulcioUnavailableError);
    expect((error as FulcioUnavailableError).status).toBe(0);
  });

  it('an answer that is not Fulcio JSON is FulcioResponseError', async () => {
    sigstore.faults.fulcio.inject('garbage');
    expect(await rejection(create())).toBeInstanceOf(FulcioResponseError);
  });

  it('an answer that never comes ends at the deadline, or at the caller’s abort', async () => {
    sigstore.faults.fulcio.inject('hang');
    expect(await rejection(create({ timeoutMs: 300 }))).toBeInstanceOf(OperationTimeoutError);
    const controller = new AbortController();
    const pending = create({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('the caller gave up')), 100);
    expect(await rejection(pending)).toBeInstanceOf(AbortedError);
  });

  it('a certificate for another key, or with a forged SCT, is FulcioResponseError', async () => {
    sigstore.faults.fulcio.inject('wrong-key', { times: 1 });
    expect(String((await rejection(create())) as Error)).toMatch(/FulcioResponseError.*another key/);
    sigstore.faults.fulcio.inject('invalid-sct', { times: 1 });
    expect(String((await rejection(create())) as Error)).toMatch(/FulcioResponseError.*SCT/);
  });

  it('a certificate from a CA the trusted root does not list is FulcioResponseError', async () => {
    const error = await rejection(
      fulcioSigner({ fulcioUrl: sigstore.fulcioUrl, identityToken: token(), trustedRoot: other.trustedRoot }),
    );
    expect(error).toBeInstanceOf(FulcioResponseError);
    expect((error as Error).message).toMatch(/does not chain to a Fulcio CA of the trusted root/);
  });
});

describe('refused tokens', () => {
  it('an expired token is FulcioRejectedError (400), without the token in the message', async () => {
    const expired = sigstore.issueToken({
      subject: SUBJECT,
      issuer: GITHUB,
      claims: RUN,
      expiresInSeconds: -60,
    });
    const error = await rejection(fulcioSigner({ fulcioUrl: sigstore.fulcioUrl, identityToken: expired }));
    expect(error).toBeInstanceOf(FulcioRejectedError);
    expect((error as FulcioRejectedError).status).toBe(400);
    expect((error as Error).message).toMatch(/error processing the identity token/);
    expectNoToken(error, expired);
  });

  it('a token for another audience is refused the same way', async () => {
    const wrong = sigstore.issueToken({
      subject: SUBJECT,
      issuer: GITHUB,
      claims: RUN,
      audience: 'not-sigstore',
    });
    const error = await rejection(fulcioSigner({ fulcioUrl: sigstore.fulcioUrl, identityToken: wrong }));
    expect(error).toBeInstanceOf(FulcioRejectedError);
    expectNoToken(error, wrong);
  });

  describe('a CA that quotes the token back', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (c: Buffer) => chunks.push(c));
        request.on('end', () => {
          const sent = JSON.parse(Buffer.concat(chunks).toString('utf8')).credentials.oidcIdentityToken;
          response.writeHead(400, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({ code: 3, message: `refusing ${sent} (payload ${sent.split('.')[1]})` }),
          );
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('never puts the quoted token in the message', async () => {
      const t = token();
      const error = await rejection(fulcioSigner({ fulcioUrl: url, identityToken: t }));
      expect(error).toBeInstanceOf(FulcioRejectedError);
      expect((error as Error).message).toMatch(/refusing \[identity token\]/);
      expectNoToken(error, t);
    });
  });

  it('a token function that fails is IdentityTokenError, with its error as the cause', async () => {
    const failure = new Error('the vault is sealed');
    const error = await rejection(
      fulcioSigner({
        fulcioUrl: sigstore.fulcioUrl,
        identityToken: async () => {
          throw failure;
        },
      }),
    );
    expect(error).toBeInstanceOf(IdentityTokenError);
    expect((error as Error).cause).toBe(failure);
  });

  it('a token that is not a JWT never reaches Fulcio, nor a message', async () => {
    const secret = 'not-a-jwt-but-a-secret-value';
    const error = await rejection(fulcioSigner({ fulcioUrl: sigstore.fulcioUrl, identityToken: secret }));
    expect(error).toBeInstanceOf(IdentityTokenError);
    expect((error as Error).message).not.toContain(secret);
  });
});
