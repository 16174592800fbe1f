/**
 * Keys layer: sign and verify ops/s per key type through our API, next to raw node:crypto with a
 * prepared KeyObject in the same run (target: verify ratio ≥ 0.9 with a parsed key), the pure-JS
 * backend, PEM import, and the worst time we take to reject malformed keys.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { nobleBackend } from '../src/keys/backend/noble.js';
import {
  createSigner,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateKeyPair,
  importPublicKey,
  KEY_ALGORITHMS,
  verifySignature,
  verifySignatureSync,
} from '../src/keys/index.js';
import { publicRecord } from '../src/keys/key-objects.js';
import { signatureScheme } from '../src/keys/signature-scheme.js';
import { type BenchSection, formatRate, measure, table } from './harness.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 0.5);
const data = new TextEncoder().encode(
  '{"critical":{"identity":{"docker-reference":"index.docker.io/library/app"}}}'.repeat(4),
);

export async function run(): Promise<BenchSection> {
  const rows: string[][] = [];
  for (const algorithm of KEY_ALGORITHMS) {
    const { privateKey, publicKey } = await generateKeyPair({ algorithm });
    const signer = createSigner(privateKey);
    const signature = await signer.sign(data);
    const scheme = signatureScheme(publicRecord(publicKey).material);
    const digest = scheme.kind === 'ed25519' || scheme.kind === 'ed25519ph' ? null : scheme.digest;
    const nodePriv = createPrivateKey(exportPrivateKeyPem(privateKey));
    const nodePub = createPublicKey(exportPublicKeyPem(publicKey));

    const oursSign = await measure('sign', () => signer.sign(data), SECONDS);
    const rawSign = await measure(
      'raw sign',
      () => nodeSign(digest, data, { key: nodePriv, dsaEncoding: 'der' }),
      SECONDS,
    );
    const oursVerify = await measure('verify', () => verifySignature(publicKey, data, signature), SECONDS);
    const oursVerifySync = await measure(
      'verify sync',
      () => verifySignatureSync(publicKey, data, signature),
      SECONDS,
    );
    const rawVerify = await measure(
      'raw verify',
      () => nodeVerify(digest, data, { key: nodePub, dsaEncoding: 'der' }, signature),
      SECONDS,
    );
    const record = { ...publicRecord(publicKey) };
    const pureVerify = await measure(
      'pure-JS verify',
      () => nobleBackend.verify(record, scheme, data, signature),
      SECONDS,
    );
    rows.push([
      algorithm,
      formatRate(oursSign.opsPerSecond),
      formatRate(rawSign.opsPerSecond),
      (oursSign.opsPerSecond / rawSign.opsPerSecond).toFixed(2),
      formatRate(oursVerify.opsPerSecond),
      formatRate(oursVerifySync.opsPerSecond),
      formatRate(rawVerify.opsPerSecond),
      (oursVerify.opsPerSecond / rawVerify.opsPerSecond).toFixed(2),
      formatRate(pureVerify.opsPerSecond),
    ]);
  }

  // Parsing: a fresh PEM string each time defeats the memo, so this is the real parse cost.
  const { publicKey } = await generateKeyPair();
  const pem = exportPublicKeyPem(publicKey);
  let n = 0;
  const parse = await measure(
    'importPublicKey',
    () => importPublicKey(`${pem}${' '.repeat(n++ % 1000)}`),
    SECONDS,
  );
  const memo = await measure('importPublicKey (same PEM)', () => importPublicKey(pem), SECONDS);

  // Worst rejection time over a set of malformed inputs (fuzz-style), in ms.
  const der = publicKey.toDer();
  let worst = 0;
  for (let i = 0; i < 2000; i++) {
    const bytes = der.slice(0, (i * 7) % der.length);
    if (bytes.length > 0) bytes[i % bytes.length] = i & 255;
    const start = performance.now();
    try {
      importPublicKey(bytes);
    } catch {}
    worst = Math.max(worst, performance.now() - start);
  }

  const markdown = [
    table(
      [
        'key',
        'sign/s (ours)',
        'sign/s (node:crypto)',
        'ratio',
        'verify/s (ours, async)',
        'verify/s (ours, sync)',
        'verify/s (node:crypto)',
        'verify ratio',
        'verify/s (pure JS)',
      ],
      rows,
    ),
    '',
    `"node:crypto" is \`crypto.sign\`/\`crypto.verify\` with a prepared KeyObject: the floor our API adds to. Our verify takes a parsed \`PublicKey\` (PEM parsed once, KeyObject cached). The pure-JS column is the @noble/curves backend used where node:crypto is missing.`,
    '',
    table(
      ['operation', 'ops/s'],
      [
        ['importPublicKey, P-256 PEM, parsed each time', formatRate(parse.opsPerSecond)],
        ['importPublicKey, same PEM string (memoized)', formatRate(memo.opsPerSecond)],
        [`worst rejection of 2000 malformed DER inputs`, `${worst.toFixed(2)} ms`],
      ],
    ),
  ].join('\n');
  return { title: 'Keys: sign and verify', markdown };
}
