/**
 * The `ocisign` executable (dist/cli/bin.js, as npm installs it) end to end against the real
 * docker-registry and the KMS emulator: generate keys, sign, verify, attest, verify-attestation,
 * policy test — outputs and exit codes, including wrong key, unsigned image, bad password,
 * malformed policy, usage mistakes and an unreachable registry. Every `sign` and `attest` passes
 * `--tlog-upload=false` (they log to Rekor by default; sign-tlog.test.ts logs to a local one).
 * Needs `npm run build`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../../src/registry/index.js';
import { pushExampleImage, type RunningKmsEmulator, startKmsEmulator } from '../../../src/testing/index.js';
import { type RunningRegistry, startDockerRegistry } from '../../helpers/docker-registry.js';
import { podYaml, verifyImagesPolicy } from '../../helpers/policy-yaml.js';
import { readVectors } from '../../helpers/vectors.js';

const BIN = resolve(import.meta.dirname, '..', '..', '..', 'dist', 'cli', 'bin.js');
let registry: RunningRegistry;
let kms: RunningKmsEmulator;
let client: RegistryClient;
let dir: string;
let signed: string;
let unsigned: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function ocisign(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOME: dir, DOCKER_CONFIG: join(dir, 'docker'), ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 99, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  registry = await startDockerRegistry('none');
  kms = await startKmsEmulator();
  client = new RegistryClient({ dockerConfig: false });
  dir = mkdtempSync(join(tmpdir(), 'ocisign-cli-'));
  signed = `${registry.host}/cli/app:v1`;
  unsigned = `${registry.host}/cli/tool:v1`;
  await pushExampleImage(client, signed);
  await pushExampleImage(client, unsigned);
});
afterAll(async () => {
  await client?.close();
  await kms?.close();
  await registry?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const PASSWORD = { COSIGN_PASSWORD: 'correct horse' };
const KEY_VERIFY = ['verify', '--key', 'cosign.pub', '--insecure-ignore-tlog'];

describe('ocisign CLI', () => {
  it('generate-key-pair writes cosign.key (encrypted) and cosign.pub; refuses to overwrite or to run without a password', async () => {
    const ok = await ocisign(['generate-key-pair'], PASSWORD);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('Public key written to');
    expect(readFileSync(join(dir, 'cosign.key'), 'utf8')).toMatch(
      /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----/,
    );
    expect(readFileSync(join(dir, 'cosign.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const again = await ocisign(['generate-key-pair'], PASSWORD);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already exists; pass --force/);
    const noPassword = await ocisign(['generate-key-pair', '--output-key-prefix', 'other']);
    expect(noPassword.code).toBe(3);
    expect(noPassword.stderr).toContain('COSIGN_PASSWORD');
    expect(existsSync(join(dir, 'other.key'))).toBe(false);
  });

  it('public-key prints the public half of cosign.key', async () => {
    const run = await ocisign(['public-key', '--key', 'cosign.key'], PASSWORD);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(dir, 'cosign.pub'), 'utf8'));
  });

  it('sign then verify: payloads on stdout, annotations checked, exit 0', async () => {
    const sign = await ocisign(
      ['sign', '--key', 'cosign.key', '-a', 'env=prod', '--tlog-upload=false', signed],
      PASSWORD,
    );
    expect(sign.code, sign.stderr).toBe(0);
    expect(sign.stderr).toMatch(/Pushing signature to: .*cli\/app:sha256-[0-9a-f]{64}\.sig/);
    const verify = await ocisign([...KEY_VERIFY, '-a', 'env=prod', signed]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stderr).toContain(`Verification for ${signed} --`);
    const payloads = JSON.parse(verify.stdout) as Array<{
      critical: { image: Record<string, string> };
      optional: unknown;
    }>;
    expect(payloads[0]?.critical.image['docker-manifest-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(payloads[0]?.optional).toEqual({ env: 'prod' });
    const json = await ocisign([...KEY_VERIFY, '-o', 'json', signed]);
    expect(JSON.parse(json.stdout)[0]).toMatchObject({
      image: signed,
      signatures: [{ format: 'simple-signing' }],
    });
  });

  it('verification failures exit 1: wrong annotation, wrong key, unsigned image', async () => {
    const annotation = await ocisign([...KEY_VERIFY, '-a', 'env=dev', signed]);
    expect(annotation.code).toBe(1);
    expect(annotation.stderr).toMatch(/^Error: No valid signature/m);
    expect(annotation.stderr).toMatch(/annotation/i);
    await ocisign(['generate-key-pair', '--output-key-prefix', 'stranger'], PASSWORD);
    const wrongKey = await ocisign(['verify', '--key', 'stranger.pub', '--insecure-ignore-tlog', signed]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/does not verify|wrong|No valid signature/i);
    const none = await ocisign(['verify', '--key', 'cosign.pub', '--insecure-ignore-tlog', unsigned]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no signatures found');
  });

  it('bad input exits 3 (wrong password, missing file); usage mistakes exit 2', async () => {
    const badPassword = await ocisign(['sign', '--key', 'cosign.key', '--tlog-upload=false', signed], {
      COSIGN_PASSWORD: 'wrong',
    });
    expect(badPassword.code).toBe(3);
    expect(badPassword.stderr).toMatch(/password/i);
    const missing = await ocisign(['verify', '--key', 'missing.pub', '--insecure-ignore-tlog', signed]);
    expect(missing.code).toBe(3);
    const noTlogChoice = await ocisign(['verify', '--key', 'cosign.pub', signed]);
    expect(noTlogChoice.code).toBe(2);
    expect(noTlogChoice.stderr).toContain('--insecure-ignore-tlog');
    const colour = ['sign', '--key', 'cosign.key', '--tlog-upload=false', '--colour', 'red', signed];
    expect((await ocisign(colour, PASSWORD)).code).toBe(2);
    expect((await ocisign(['frobnicate'])).code).toBe(2);
    const withHash = (name: string) => ocisign([...KEY_VERIFY, '--signature-digest-algorithm', name, signed]);
    expect((await withHash('md5')).code).toBe(2);
    const sha512 = await withHash('sha512');
    expect(sha512.code).toBe(1); // signed over SHA-256: the wrong hash does not verify
    expect((await ocisign(['sign', '--key', 'cosign.key'], PASSWORD)).code).toBe(2);
  });

  it('an unreachable registry exits 4', async () => {
    const port = await new Promise<number>((r) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => r(p));
      });
    });
    const run = await ocisign([...KEY_VERIFY, '--timeout', '5s', `127.0.0.1:${port}/x/y:v1`]);
    expect(run.code).toBe(4);
  });

  it('attest and verify-attestation', async () => {
    writeFileSync(join(dir, 'review.json'), JSON.stringify({ repo: { branch: 'main' } }));
    const type = 'https://example.com/CodeReview/v1';
    const attest = await ocisign(
      [
        'attest',
        '--key',
        'cosign.key',
        '--predicate',
        'review.json',
        '--type',
        type,
        '--tlog-upload=false',
        signed,
      ],
      PASSWORD,
    );
    expect(attest.code, attest.stderr).toBe(0);
    const verify = await ocisign([
      'verify-attestation',
      '--key',
      'cosign.pub',
      '--insecure-ignore-tlog',
      '--type',
      type,
      signed,
    ]);
    expect(verify.code, verify.stderr).toBe(0);
    const statement = JSON.parse(verify.stdout.trim().split('\n')[0] as string);
    expect(statement).toMatchObject({ predicateType: type, predicate: { repo: { branch: 'main' } } });
    const other = await ocisign([
      'verify-attestation',
      '--key',
      'cosign.pub',
      '--insecure-ignore-tlog',
      '--type',
      'https://example.com/Other',
      signed,
    ]);
    expect(other.code).toBe(1);
  });

  it('policy test: PASS/FAIL per resource against the registry, offline with fixtures, malformed policy exits 3', async () => {
    writeFileSync(
      join(dir, 'policy.yaml'),
      verifyImagesPolicy({
        name: 'check-image',
        ruleName: 'check-image',
        images: `["${registry.host}/cli/*"]`,
        publicKeys: JSON.stringify(readFileSync(join(dir, 'cosign.pub'), 'utf8').trim()),
      }),
    );
    writeFileSync(
      join(dir, 'pods.yaml'),
      `${podYaml('signed', signed)}---\n${podYaml('unsigned', unsigned)}`,
    );
    writeFileSync(join(dir, 'good.yaml'), podYaml('signed', signed));
    const both = await ocisign(['policy', 'test', '--policy', 'policy.yaml', '--resource', 'pods.yaml']);
    expect(both.code).toBe(1);
    expect(both.stdout).toContain('PASS Pod/default/signed');
    expect(both.stdout).toMatch(
      /FAIL Pod\/default\/unsigned\n {2}check-image\/check-image: fail — failed to verify image/,
    );
    expect(both.stderr).toContain('1 admitted, 1 denied');
    const good = await ocisign([
      'policy',
      'test',
      '--policy',
      'policy.yaml',
      '--resource',
      'good.yaml',
      '-o',
      'json',
    ]);
    expect(good.code, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout)[0]).toMatchObject({ resource: 'Pod/default/signed', allowed: true });

    // Offline: the same verdicts from recorded evidence, with no registry (it points nowhere).
    const digest = `sha256:${'c'.repeat(64)}`;
    writeFileSync(
      join(dir, 'fixtures.json'),
      JSON.stringify({
        images: {
          [signed]: { digest, signatures: ['cosign.pub'] },
          [unsigned]: { digest: `sha256:${'d'.repeat(64)}` },
        },
      }),
    );
    const offline = await ocisign([
      'policy',
      'test',
      '--policy',
      'policy.yaml',
      '--resource',
      'pods.yaml',
      '--fixtures',
      'fixtures.json',
    ]);
    expect(offline.code).toBe(1);
    expect(offline.stdout).toContain('PASS Pod/default/signed');
    expect(offline.stdout).toContain('FAIL Pod/default/unsigned');

    writeFileSync(join(dir, 'bad-fixtures.json'), '{"images": ');
    const badFixtures = await ocisign([
      'policy',
      'test',
      '--policy',
      'policy.yaml',
      '--resource',
      'pods.yaml',
      '--fixtures',
      'bad-fixtures.json',
    ]);
    expect(badFixtures.code).toBe(3);
    writeFileSync(join(dir, 'alias.yaml'), 'kind: Pod\nspec: *undefined-anchor\n');
    const badResource = await ocisign([
      'policy',
      'test',
      '--policy',
      'policy.yaml',
      '--resource',
      'alias.yaml',
    ]);
    expect(badResource.code, badResource.stderr).toBe(3);

    writeFileSync(
      join(dir, 'broken.yaml'),
      readFileSync(join(dir, 'policy.yaml'), 'utf8').replace(
        '      attestors:',
        '      mutateDigest: true\n      failureAction: Audit\n      attestors:',
      ),
    );
    const broken = await ocisign(['policy', 'test', '--policy', 'broken.yaml', '--resource', 'pods.yaml']);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toMatch(
      /mutateDigest must be set to false for ‘Audit’ failure action \(document 1, line \d+\)/,
    );
  });

  it('verify checks the tlog evidence of a real cosign 3 bundle offline with SIGSTORE_REKOR_PUBLIC_KEY', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
    const r = readVectors<Record<string, any>>('cosign/real-cosign-artifacts.json').newBundleReferrer;
    const repo = `${registry.host}/cli/cosign3`;
    const enc = (text: string) => new TextEncoder().encode(text);
    await client.pushBlob(repo, enc('{}'));
    await client.pushBlob(repo, enc(r.bundle));
    await client.pushReferrer(repo, enc(r.referrerManifest), 'application/vnd.oci.image.manifest.v1+json');
    writeFileSync(join(dir, 'cosign3.pub'), r.publicKeyPem);
    writeFileSync(join(dir, 'rekor.pub'), r.rekorPublicKeyPem);
    const image = `${repo}@${r.subject.digest}`;
    const ok = await ocisign(['verify', '--key', 'cosign3.pub', image], {
      SIGSTORE_REKOR_PUBLIC_KEY: 'rekor.pub',
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('Existence of the claims in the transparency log was verified offline');
    const wrongRekor = await ocisign(['verify', '--key', 'cosign3.pub', image], {
      SIGSTORE_REKOR_PUBLIC_KEY: 'cosign.pub',
    });
    expect(wrongRekor.code).toBe(1);
  });

  it('a KMS that never answers cannot outlast --timeout (exit 4)', async () => {
    const hanging = createServer(() => {});
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(hanging.address() as { port: number }).port}`;
      const started = Date.now();
      const stuck = [
        'sign',
        '--key',
        'awskms:///alias/stuck',
        '--tlog-upload=false',
        '--timeout',
        '2s',
        signed,
      ];
      const run = await ocisign(stuck, {
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_ENDPOINT_URL_KMS: endpoint,
      });
      expect(run.code, run.stderr).toBe(4);
      expect(run.stderr).toContain('--timeout deadline passed');
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      hanging.close();
    }
  });

  it('AWS KMS: generate-key-pair --kms and sign --key awskms:// with the AWS environment', async () => {
    const aws = {
      AWS_REGION: kms.region,
      AWS_ACCESS_KEY_ID: kms.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: kms.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_KMS: kms.endpoint,
    };
    const ref = 'awskms:///alias/container-image-verification';
    const gen = await ocisign(['generate-key-pair', '--kms', ref, '--output-key-prefix', 'kms'], aws);
    expect(gen.code, gen.stderr).toBe(0);
    const sign = await ocisign(['sign', '--key', ref, '--tlog-upload=false', unsigned], aws);
    expect(sign.code, sign.stderr).toBe(0);
    const verify = await ocisign(['verify', '--key', 'kms.pub', '--insecure-ignore-tlog', unsigned]);
    expect(verify.code, verify.stderr).toBe(0);
    const viaKms = await ocisign(['verify', '--key', ref, '--insecure-ignore-tlog', unsigned], aws);
    expect(viaKms.code, viaKms.stderr).toBe(0);
  });
});
