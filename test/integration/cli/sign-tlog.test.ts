/**
 * `ocisign sign` / `attest` with cosign's flags against the real docker-registry and
 * startSigstore(): the signature logged in Rekor (`--rekor-url` the double, `--trusted-root` its
 * root) verifies with `ocisign verify --trusted-root` — the tlog checked, since another root fails —
 * `--tlog-upload=false` pushes a signature without a bundle annotation, `--upload=false` pushes
 * nothing and writes cosign's files, the reference workflow's command (a KMS key, `--upload=true`)
 * runs as written, and a log that is down, unresolvable or hanging ends with exit 4 in one line and
 * no `.sig` tag. Registry credentials from flags work and are never printed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPublicKeyPem } from '../../../src/keys/index.js';
import { createAwsKmsKey } from '../../../src/kms/aws/index.js';
import { RegistryClient } from '../../../src/registry/index.js';
import { type RunningKmsEmulator, startKmsEmulator, startSigstore } from '../../../src/testing/index.js';
import { runCliBuffered } from '../../helpers/cli-run.js';
import { type RunningRegistry, startDockerRegistry } from '../../helpers/docker-registry.js';
import { image } from '../../helpers/images.js';
import { registryFixture } from '../../helpers/registry-fixture.js';
import { SHARED_DIR } from '../../helpers/vectors.js';

const fixture = registryFixture();
let sigstore: Awaited<ReturnType<typeof startSigstore>>;
let dir: string;
const PASSWORD = { COSIGN_PASSWORD: 'tlog test' };
const OTHER_ROOT = resolve(
  SHARED_DIR,
  'vectors',
  'keyless',
  'trusted-roots',
  'public-good-sigstore-tuf-4.0.2.json',
);

const ocisign = (args: string[], env: Record<string, string> = {}) =>
  runCliBuffered(args, { cwd: dir, env: { ...PASSWORD, ...env } });

beforeAll(async () => {
  sigstore = await startSigstore();
  dir = mkdtempSync(join(tmpdir(), 'ocisign-cli-tlog-'));
  writeFileSync(join(dir, 'root.json'), JSON.stringify(sigstore.trustedRoot.json));
  const keys = await ocisign(['generate-key-pair']);
  expect(keys.code, keys.stderr).toBe(0);
});
afterAll(async () => {
  await sigstore?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
async function pushImage(client: RegistryClient = fixture.client, host = fixture.registry.host) {
  const repo = `${host}/cli-tlog/app${++counter}`;
  const img = image();
  for (const b of [img.config, ...img.layers]) await client.pushBlob(repo, b.bytes);
  await client.putManifest(`${repo}:v1`, img.manifest.bytes, img.manifest.mediaType);
  return { repo, ref: `${repo}:v1`, digest: img.manifest.digest };
}

const sigTag = (digest: string) => `${digest.replace(':', '-')}.sig`;
async function layerAnnotations(repo: string, digest: string): Promise<Record<string, string>> {
  const manifest = (await fixture.client.getManifest(`${repo}:${sigTag(digest)}`)).manifest as unknown as {
    layers: Array<{ annotations: Record<string, string> }>;
  };
  return manifest.layers[0]?.annotations ?? {};
}
const LOCAL = () => ['--rekor-url', sigstore.rekorUrl, '--trusted-root', 'root.json'];

describe('sign with a transparency log', () => {
  it('logs the signature, stores its SET, and verify --trusted-root checks the entry', async () => {
    const { repo, ref, digest } = await pushImage();
    const before = sigstore.rekorEntries().length;
    const sign = await ocisign(['sign', '--key', 'cosign.key', '--upload=true', ...LOCAL(), ref]);
    expect(sign.code, sign.stderr).toBe(0);
    expect(sign.stderr).toMatch(/^tlog entry created with index: \d+$/m);
    expect(sign.stderr).toContain(`Pushing signature to: ${repo}:${sigTag(digest)}`);
    expect(sign.stderr).toContain(`logged at ${sigstore.rekorUrl}`);
    expect(sigstore.rekorEntries().length).toBe(before + 1);
    const bundle = JSON.parse((await layerAnnotations(repo, digest))['dev.sigstore.cosign/bundle'] ?? '{}');
    expect(bundle.Payload.logIndex).toBe(sigstore.rekorEntries().at(-1)?.logIndex);

    const verify = await ocisign(['verify', '--key', 'cosign.pub', '--trusted-root', 'root.json', ref]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stderr).toContain('Existence of the claims in the transparency log was verified offline');
    const otherRoot = await ocisign(['verify', '--key', 'cosign.pub', '--trusted-root', OTHER_ROOT, ref]);
    expect(otherRoot.code).toBe(1);
  });

  it('bundles: a dsse entry and an RFC 3161 timestamp in the bundle; -y hides the note', async () => {
    const { ref } = await pushImage();
    const sign = await ocisign([
      'sign',
      '--key',
      'cosign.key',
      '--new-bundle-format',
      '--timestamp-server-url',
      sigstore.tsaUrl,
      '-y',
      ...LOCAL(),
      '-o',
      'json',
      ref,
    ]);
    expect(sign.code, sign.stderr).toBe(0);
    expect(sign.stderr).not.toContain('Note:');
    const [report] = JSON.parse(sign.stdout);
    expect(report.signatures[0]).toMatchObject({
      format: 'bundle',
      tlogEntry: { logIndex: expect.any(Number) },
    });
    expect(Date.parse(report.signatures[0].timestamp)).toBeGreaterThan(Date.now() - 60_000);
    const verify = await ocisign(['verify', '--key', 'cosign.pub', '--trusted-root', 'root.json', ref]);
    expect(verify.code, verify.stderr).toBe(0);
  });

  it('attest logs the envelope and verify-attestation --trusted-root checks it', async () => {
    const { ref } = await pushImage();
    writeFileSync(join(dir, 'predicate.json'), '{"review":"ok"}');
    const attest = await ocisign([
      'attest',
      '--key',
      'cosign.key',
      '--predicate',
      'predicate.json',
      ...LOCAL(),
      ref,
    ]);
    expect(attest.code, attest.stderr).toBe(0);
    expect(attest.stderr).toMatch(/^tlog entry created with index: \d+$/m);
    const verify = await ocisign([
      'verify-attestation',
      '--key',
      'cosign.pub',
      '--trusted-root',
      'root.json',
      ref,
    ]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout.trim())).toMatchObject({ predicate: { review: 'ok' } });
  });

  it('--tlog-upload=false pushes a signature with no bundle annotation, which a tlog check refuses', async () => {
    const { repo, ref, digest } = await pushImage();
    const before = sigstore.rekorEntries().length;
    const sign = await ocisign(['sign', '--key', 'cosign.key', '--tlog-upload=false', ref]);
    expect(sign.code, sign.stderr).toBe(0);
    expect(sign.stderr).not.toContain('tlog entry');
    expect(sigstore.rekorEntries().length).toBe(before);
    expect(Object.keys(await layerAnnotations(repo, digest))).not.toContain('dev.sigstore.cosign/bundle');
    expect((await ocisign(['verify', '--key', 'cosign.pub', '--trusted-root', 'root.json', ref])).code).toBe(
      1,
    );
    expect((await ocisign(['verify', '--key', 'cosign.pub', '--insecure-ignore-tlog', ref])).code).toBe(0);
  });

  it('--upload=false pushes nothing and writes the signature, payload and bundle files', async () => {
    const { repo, ref, digest } = await pushImage();
    const sign = await ocisign([
      'sign',
      '--key',
      'cosign.key',
      '--upload=false',
      '--format',
      'both',
      '--output-signature',
      'out.sig',
      '--output-payload',
      'out.payload',
      '--bundle',
      'out.bundle.json',
      ...LOCAL(),
      ref,
    ]);
    expect(sign.code, sign.stderr).toBe(0);
    expect(sign.stderr).toContain('not pushed (--upload=false)');
    expect(await fixture.client.listTags(repo)).toEqual(['v1']);
    const payload = JSON.parse(readFileSync(join(dir, 'out.payload'), 'utf8'));
    expect(payload.critical.image['docker-manifest-digest']).toBe(digest);
    expect(readFileSync(join(dir, 'out.sig'), 'utf8')).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const bundle = JSON.parse(readFileSync(join(dir, 'out.bundle.json'), 'utf8'));
    expect(bundle.verificationMaterial.tlogEntries).toHaveLength(1);
    const noFile = await ocisign([
      'sign',
      '--key',
      'cosign.key',
      '--upload=false',
      '--format',
      'bundle',
      ref,
    ]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('specify a local --bundle path');
  });

  it('the reference workflow’s command runs as written with a KMS key (the log: the double’s)', async () => {
    let kms: RunningKmsEmulator | undefined;
    const saved = { ...process.env };
    try {
      kms = await startKmsEmulator();
      const aws = {
        AWS_REGION: kms.region,
        AWS_ACCESS_KEY_ID: kms.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: kms.credentials.secretAccessKey,
        AWS_ENDPOINT_URL_KMS: kms.endpoint,
      };
      // The AWS SDK's default chain reads the process's environment (this file's worker only).
      Object.assign(process.env, aws);
      const key = 'awskms:///alias/container-image-verification';
      const created = await createAwsKmsKey(key, {
        region: kms.region,
        credentials: kms.credentials,
        endpointUrl: kms.endpoint,
      });
      writeFileSync(join(dir, 'kms.pub'), exportPublicKeyPem(created));
      const { ref } = await pushImage();
      const sign = await ocisign(['sign', '--key', key, '--upload=true', ...LOCAL(), ref], aws);
      expect(sign.code, sign.stderr).toBe(0);
      expect(sign.stderr).toMatch(/^tlog entry created with index: \d+$/m);
      const verify = await ocisign(['verify', '--key', 'kms.pub', '--trusted-root', 'root.json', ref]);
      expect(verify.code, verify.stderr).toBe(0);
    } finally {
      process.env = saved;
      await kms?.close();
    }
  });
});

describe('the log unreachable: exit 4, one line, nothing pushed', () => {
  async function expectNothingPushed(args: string[], pattern: RegExp, maxMs: number) {
    const { repo, digest } = await pushImage();
    const started = Date.now();
    const run = await ocisign(['sign', '--key', 'cosign.key', '-y', ...args, `${repo}@${digest}`]);
    expect(run.code, run.stderr).toBe(4);
    expect(Date.now() - started).toBeLessThan(maxMs);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(pattern)]);
    expect(await fixture.client.listTags(repo)).toEqual(['v1']);
  }

  it('refused connections (after retries) and a name that does not resolve', async () => {
    const closed = await new Promise<number>((done) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => done(port));
      });
    });
    await expectNothingPushed(
      ['--rekor-url', `http://127.0.0.1:${closed}`],
      /^Error: could not reach http:\/\/127\.0\.0\.1:\d+\/api\/v1\/log\/\S+: .*ECONNREFUSED.*; the signature was not stored \(--tlog-upload=false signs without a transparency log\)$/,
      10_000,
    );
    // RFC 2606: .invalid never resolves, so this fails as the public log does without DNS.
    await expectNothingPushed(
      ['--rekor-url', 'https://rekor.invalid'],
      /^Error: could not reach https:\/\/rekor\.invalid\/.*ENOTFOUND/,
      10_000,
    );
  });

  it('the double answering 503, and a log that never answers, within --timeout', async () => {
    sigstore.faults.rekor.inject('unavailable');
    try {
      await expectNothingPushed([...LOCAL()], /^Error: .*503.*the signature was not stored/, 10_000);
    } finally {
      sigstore.faults.rekor.clear();
    }
    let hanging: Server | undefined;
    try {
      hanging = createServer(() => {});
      await new Promise<void>((done) => hanging?.listen(0, '127.0.0.1', done));
      const port = (hanging.address() as { port: number }).port;
      await expectNothingPushed(
        ['--rekor-url', `http://127.0.0.1:${port}`, '--timeout', '2s'],
        /^Error: gave up when the --timeout deadline passed/,
        15_000,
      );
    } finally {
      hanging?.close();
    }
  });
});

describe('registry credentials from flags', () => {
  let basic: RunningRegistry;
  let client: RegistryClient;
  beforeAll(async () => {
    basic = await startDockerRegistry('basic');
    client = new RegistryClient({
      dockerConfig: false,
      credentials: { [basic.host]: { username: basic.username, password: basic.password } },
    });
  });
  afterAll(async () => {
    await client?.close();
    await basic?.close();
  });

  it('--registry-username/--registry-password sign; a wrong password exits 4; neither is printed', async () => {
    const { ref } = await pushImage(client, basic.host);
    const wrong = 'not-the-password-7f3a';
    const refused = await ocisign([
      'sign',
      '--key',
      'cosign.key',
      '--tlog-upload=false',
      '--registry-username',
      basic.username,
      '--registry-password',
      wrong,
      ref,
    ]);
    expect(refused.code, refused.stderr).toBe(4);
    expect(refused.stderr + refused.stdout).not.toContain(wrong);
    const args = ['--registry-username', basic.username, '--registry-password', basic.password];
    const sign = await ocisign(['sign', '--key', 'cosign.key', '--tlog-upload=false', ...args, ref]);
    expect(sign.code, sign.stderr).toBe(0);
    expect(sign.stderr + sign.stdout).not.toContain(basic.password);
  });
});
