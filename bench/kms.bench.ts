/**
 * AWS KMS signing through the real @aws-sdk/client-kms and our emulator on loopback: signatures/s
 * with the public key and metadata cached (cosign's 300 s TTL) vs fetched for every signature, with
 * GetPublicKey calls counted. Absolute numbers are the emulator's; the ratio is what caching buys.
 */
import { AwsKmsSigner, createAwsKmsKey } from '../src/kms/aws/index.js';
import { startKmsEmulator } from '../src/testing/index.js';
import { type BenchSection, formatRate, measure, table } from './harness.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);

export async function run(): Promise<BenchSection> {
  const kms = await startKmsEmulator();
  const options = { region: kms.region, credentials: kms.credentials, endpointUrl: kms.endpoint };
  await createAwsKmsKey('awskms:///alias/bench', options);
  const data = new TextEncoder().encode('x'.repeat(300));
  const rows: string[][] = [];
  for (const [name, ttl] of [
    ['cached (cacheTtlMs 300 000, cosign default)', 300_000],
    ['uncached (cacheTtlMs 0)', 0],
  ] as const) {
    const signer = new AwsKmsSigner('awskms:///alias/bench', { ...options, cacheTtlMs: ttl });
    await signer.sign(data);
    const before = { get: kms.calls.GetPublicKey ?? 0, sign: kms.calls.Sign ?? 0 };
    const m = await measure(name, () => signer.sign(data), SECONDS);
    const gets = (kms.calls.GetPublicKey ?? 0) - before.get;
    const signs = (kms.calls.Sign ?? 0) - before.sign;
    rows.push([name, formatRate(m.opsPerSecond), String(signs), String(gets)]);
  }
  await kms.close();
  return {
    title: 'KMS: AWS KMS signer',
    markdown: [
      table(['public key / metadata', 'signatures/s', 'Sign calls', 'GetPublicKey calls'], rows),
      '',
      'Each uncached signature also pays GetPublicKey and DescribeKey (in parallel). Against real AWS, with ~20–60 ms per call, caching is the difference between one and two round trips per signature.',
    ].join('\n'),
  };
}
