/**
 * The TSA double's replies judged by OpenSSL, an independent RFC 3161 implementation: the
 * requests are `openssl ts -query`'s own DER, and `openssl ts -verify` checks the reply against
 * the data's digest (or the query: imprint and nonce) and the double's chain — including the
 * ESSCertIDv2 that binds the signing certificate, under each digest a request may name. The chain
 * itself passes `openssl verify -purpose timestampsign`, its signing certificate's EKU critical.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServiceResponse } from '../../../../src/testing/sigstore/service.js';
import { createTsa, type TestTsa } from '../../../../src/testing/sigstore/tsa/index.js';
import { serviceRequest } from '../../../helpers/sigstore-doubles.js';

const dir = mkdtempSync(join(tmpdir(), 'ocisign-tsa-openssl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: 'pipe' });
/** openssl's exit status and everything it printed, for the runs that are meant to fail. */
function opensslRun(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const dataPath = join(dir, 'data.bin');
const data = Buffer.from('the signature bytes a timestamp is over\n');
writeFileSync(dataPath, data);

function bytesOf(answer: ServiceResponse | undefined): Buffer {
  expect(answer?.status).toBe(200);
  return Buffer.from(answer?.body as Uint8Array);
}

/** Writes the chain's PEM files for `tsa`: root, intermediate, and signing certificate + intermediate. */
function chainFiles(tsa: TestTsa, name: string): { root: string; intermediate: string; untrusted: string } {
  const [leaf, intermediate, root] = tsa.certChainPem.split(/(?<=-----END CERTIFICATE-----\n)/);
  const paths = {
    root: join(dir, `${name}-root.pem`),
    intermediate: join(dir, `${name}-int.pem`),
    untrusted: join(dir, `${name}-untrusted.pem`),
  };
  writeFileSync(paths.root, root ?? '');
  writeFileSync(paths.intermediate, intermediate ?? '');
  writeFileSync(paths.untrusted, `${leaf}${intermediate}`);
  return paths;
}

/**
 * `openssl ts -verify` of `reply` against `subject` (`-data` or `-queryfile` and its path),
 * trusting `root`, with `untrusted` for the certificates between.
 */
function verifyArgs(subject: readonly string[], reply: string, root: string, untrusted?: string): string[] {
  const between = untrusted === undefined ? [] : ['-untrusted', untrusted];
  return ['ts', '-verify', ...subject, '-in', reply, '-CAfile', root, ...between];
}

/** `openssl ts -query` for the data, posted as DER; the query and reply file paths. */
async function stamp(
  tsa: TestTsa,
  name: string,
  queryArgs: string[],
): Promise<{ query: string; reply: string }> {
  const query = join(dir, `${name}.tsq`);
  const reply = join(dir, `${name}.tsr`);
  openssl('ts', '-query', '-data', dataPath, ...queryArgs, '-out', query);
  const answer = await tsa.handler(
    serviceRequest('POST', '/api/v1/timestamp', {
      headers: { 'content-type': 'application/timestamp-query' },
      body: new Uint8Array(readFileSync(query)),
    }),
  );
  writeFileSync(reply, bytesOf(answer));
  return { query, reply };
}

describe('the TSA double, verified by openssl ts', async () => {
  const tsa = await createTsa();
  const chain = chainFiles(tsa, 'main');

  it('answers a query with a reply openssl verifies against the data and against the query', async () => {
    const { query, reply } = await stamp(tsa, 'cert', ['-sha256', '-cert']);
    const trust = [chain.root, chain.intermediate] as const;
    expect(openssl(...verifyArgs(['-data', dataPath], reply, ...trust))).toContain('Verification: OK');
    expect(openssl(...verifyArgs(['-queryfile', query], reply, ...trust))).toContain('Verification: OK');
  });

  it('stamps the nonce and imprint of the query, with the policy, accuracy and TSA name of the real one', async () => {
    const { query, reply } = await stamp(tsa, 'text', ['-sha256', '-cert']);
    const nonce = /Nonce: (0x[0-9A-F]+)/.exec(openssl('ts', '-query', '-in', query, '-text'))?.[1];
    expect(nonce).toMatch(/^0x[0-9A-F]+$/);
    const text = openssl('ts', '-reply', '-in', reply, '-text');
    expect(text).toContain('Status: Granted.');
    expect(text).toContain(`Nonce: ${nonce}`);
    expect(text).toContain('Policy OID: 1.3.6.1.4.1.57264.2');
    expect(text).toContain('Accuracy: 0x01 seconds');
    expect(text).toContain('TSA: DirName:/O=local/CN=Test TSA Timestamping');
    const imprint = [...text.matchAll(/^\s+\d{4} - ([0-9a-f -]+?)\s{2,}/gm)]
      .map((m) => m[1]?.replace(/[ -]/g, ''))
      .join('');
    expect(imprint).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('refuses, by openssl, a reply checked against other data or another TSA', async () => {
    const { reply } = await stamp(tsa, 'refused', ['-sha256', '-cert']);
    const otherData = join(dir, 'other.bin');
    writeFileSync(otherData, 'other bytes');
    const wrongData = opensslRun(...verifyArgs(['-data', otherData], reply, chain.root, chain.intermediate));
    expect(wrongData.status).not.toBe(0);
    expect(wrongData.output).toContain('message imprint mismatch');
    const stranger = chainFiles(await createTsa(), 'stranger');
    const wrongTsa = opensslRun(
      ...verifyArgs(['-data', dataPath], reply, stranger.root, stranger.intermediate),
    );
    expect(wrongTsa.status).not.toBe(0);
    expect(wrongTsa.output).toContain('certificate verify error');
  });

  it.each(['-sha384', '-sha512'])(
    'binds the signing certificate under the request digest %s (ESSCertIDv2)',
    async (digest) => {
      const { query, reply } = await stamp(tsa, `digest${digest}`, [digest, '-cert']);
      expect(openssl('ts', '-reply', '-in', reply, '-text')).toContain(`Hash Algorithm: ${digest.slice(1)}`);
      expect(openssl(...verifyArgs(['-queryfile', query], reply, chain.root, chain.intermediate))).toContain(
        'Verification: OK',
      );
    },
  );

  it('leaves the certificates out unless asked for, and the chain out unless configured', async () => {
    const certificatesIn = (reply: string) => {
      const token = `${reply}.token`;
      openssl('ts', '-reply', '-in', reply, '-token_out', '-out', token);
      return [
        ...openssl('pkcs7', '-inform', 'DER', '-in', token, '-print_certs').matchAll(
          /^subject=.*CN = (.+)$/gm,
        ),
      ].map((m) => m[1]);
    };
    const bare = await stamp(tsa, 'nocert', ['-sha256']);
    expect(certificatesIn(bare.reply)).toEqual([]);
    // Without certificates in the reply, the signing certificate comes from the chain given.
    expect(
      openssl(...verifyArgs(['-queryfile', bare.query], bare.reply, chain.root, chain.untrusted)),
    ).toContain('Verification: OK');
    expect(certificatesIn((await stamp(tsa, 'leafonly', ['-sha256', '-cert'])).reply)).toEqual([
      'Test TSA Timestamping',
    ]);
    const withChain = await createTsa({ includeChainInResponse: true });
    const full = await stamp(withChain, 'fullchain', ['-sha256', '-cert']);
    expect(certificatesIn(full.reply)).toEqual([
      'Test TSA Timestamping',
      'Test TSA Intermediate',
      'Test TSA Root',
    ]);
    const root = chainFiles(withChain, 'fullchain').root;
    expect(openssl(...verifyArgs(['-queryfile', full.query], full.reply, root))).toContain(
      'Verification: OK',
    );
  });

  it('has a chain openssl accepts for time stamping, the signing certificate with a critical timeStamping EKU', () => {
    expect(
      openssl(
        'verify',
        '-purpose',
        'timestampsign',
        '-CAfile',
        chain.root,
        '-untrusted',
        chain.intermediate,
        chain.untrusted,
      ),
    ).toMatch(/: OK/);
    const leaf = openssl('x509', '-in', chain.untrusted, '-noout', '-text');
    expect(leaf).toMatch(/X509v3 Extended Key Usage: critical\s+Time Stamping\n/);
    expect(leaf).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(leaf).not.toContain('CA:TRUE');
    const intermediate = openssl('x509', '-in', chain.intermediate, '-noout', '-text');
    expect(intermediate).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
    expect(intermediate).toMatch(/X509v3 Extended Key Usage: \s+Time Stamping/);
  });
});
