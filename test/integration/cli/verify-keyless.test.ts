/**
 * `ocisign verify` (and `verify-attestation`) keyless, in process through `runCli`, on a real
 * keyless classic `.sig` signature (../shared/vectors/keyless/classic-github-actions: a GitHub
 * Actions release signed with the public Sigstore instance) pushed into the real docker-registry.
 * Offline: the shipped public-good root, a --trusted-root file, CA flags or SIGSTORE_* material.
 * Exit codes and output as cosign's: 0 with the payloads (cosign's certificate members added),
 * 1 for another identity, issuer, GitHub field or CA, 2 for the flag combinations cosign refuses.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePem } from '../../../src/keys/pem.js';
import { buildSignatureImage } from '../../../src/payload/signature-image.js';
import { signatureTag } from '../../../src/payload/tags.js';
import { RegistryClient } from '../../../src/registry/index.js';
import { parseTrustedRoot, shippedTrustedRoot } from '../../../src/sigstore/index.js';
import { pushExampleImage } from '../../../src/testing/index.js';
import { runCliBuffered } from '../../helpers/cli-run.js';
import { type RunningRegistry, startDockerRegistry } from '../../helpers/docker-registry.js';
import { readVectors, SHARED_DIR } from '../../helpers/vectors.js';

const KEYLESS = join(SHARED_DIR, 'vectors', 'keyless');
const CASE = join(KEYLESS, 'classic-github-actions');
const SAN =
  'https://github.com/salrashid123/go-bazel-github-workflow/.github/workflows/release.yaml@refs/tags/v0.0.30';
const ISSUER = 'https://token.actions.githubusercontent.com';
const IDENTITY = ['--certificate-identity', SAN, '--certificate-oidc-issuer', ISSUER];
let registry: RegistryClient;
let running: RunningRegistry;
let dir: string;
let image: string;
let second: string;

const ocisign = (args: string[], env: Record<string, string> = {}) =>
  runCliBuffered(args, { cwd: dir, env: { DOCKER_CONFIG: join(dir, 'docker'), ...env } });

/** Pushes the vector's `.sig` image for its image digest into `repo`; returns `repo@digest`. */
async function pushSignature(repo: string): Promise<string> {
  const c = JSON.parse(readFileSync(join(CASE, 'case.json'), 'utf8'));
  const layer = JSON.parse(readFileSync(join(CASE, 'layer.json'), 'utf8'));
  await registry.pushBlob(repo, new Uint8Array(readFileSync(join(CASE, 'payload'))));
  const sig = buildSignatureImage([layer]);
  await registry.pushBlob(repo, sig.config);
  await registry.putManifest(`${repo}:${signatureTag(c.imageDigest, 'sig')}`, sig.manifest, sig.mediaType);
  return `${repo}@${c.imageDigest}`;
}

beforeAll(async () => {
  running = await startDockerRegistry('none');
  registry = new RegistryClient({ dockerConfig: false });
  dir = mkdtempSync(join(tmpdir(), 'ocisign-cli-keyless-'));
  image = await pushSignature(`${running.host}/keyless/app`);
  second = await pushSignature(`${running.host}/keyless/copy`);
  const shipped = shippedTrustedRoot();
  const layer = JSON.parse(readFileSync(join(CASE, 'layer.json'), 'utf8'));
  writeFileSync(join(dir, 'chain.pem'), layer.annotations['dev.sigstore.cosign/chain']);
  const [intermediate, root] = shipped.certificateAuthorities[1]?.certChain.certificates ?? [];
  writeFileSync(join(dir, 'root.pem'), encodePem('CERTIFICATE', root?.rawBytes as Uint8Array));
  writeFileSync(
    join(dir, 'intermediate.pem'),
    encodePem('CERTIFICATE', intermediate?.rawBytes as Uint8Array),
  );
  const root2021 = shipped.certificateAuthorities[0]?.certChain.certificates[0]?.rawBytes as Uint8Array;
  writeFileSync(join(dir, 'root-2021.pem'), encodePem('CERTIFICATE', root2021));
  writeFileSync(
    join(dir, 'rekor.pub'),
    encodePem('PUBLIC KEY', shipped.tlogs[0]?.publicKey.rawBytes as Uint8Array),
  );
  const other = parseTrustedRoot(
    readFileSync(join(KEYLESS, 'trusted-roots', 'sigstore-go-scaffolding.json')),
  );
  writeFileSync(
    join(dir, 'other-rekor.pub'),
    encodePem('PUBLIC KEY', other.tlogs[0]?.publicKey.rawBytes as Uint8Array),
  );
});
afterAll(async () => {
  await registry?.close();
  await running?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('ocisign verify keyless on a real classic signature', () => {
  it('passes with the identity, issuer and GitHub flags, against the shipped public-good root', async () => {
    const run = await ocisign([
      'verify',
      ...IDENTITY,
      '--certificate-github-workflow-trigger',
      'push',
      '--certificate-github-workflow-sha',
      '7624bd5f279fb5d4700ea72c1b2373ee33960700',
      '--certificate-github-workflow-name',
      'Release',
      '--certificate-github-workflow-repository',
      'salrashid123/go-bazel-github-workflow',
      '--certificate-github-workflow-ref',
      'refs/tags/v0.0.30',
      image,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Verification for ${image} --`);
    expect(run.stderr).toContain(
      '  - The code-signing certificate was verified using trusted certificate authority certificates\n',
    );
    expect(run.stderr).toContain(
      '  - Existence of the claims in the transparency log was verified offline\n',
    );
    expect(run.stderr).not.toContain('public key');
    const [payload] = JSON.parse(run.stdout) as Array<{
      critical: unknown;
      optional: Record<string, unknown>;
    }>;
    expect(payload?.optional).toEqual(
      expect.objectContaining({ Subject: SAN, Issuer: ISSUER, githubWorkflowRef: 'refs/tags/v0.0.30' }),
    );
  });

  it('an anchored identity regexp passes; an unanchored one passes with one warning for two images', async () => {
    const anchored = await ocisign([
      'verify',
      '--certificate-identity-regexp',
      '^https://github\\.com/salrashid123/go-bazel-github-workflow/\\.github/workflows/release\\.yaml@refs/tags/v0\\.0\\.30$',
      '--certificate-oidc-issuer-regexp',
      '^https://token\\.actions\\.githubusercontent\\.com$',
      image,
    ]);
    expect(anchored.code, anchored.stderr).toBe(0);
    expect(anchored.stderr).not.toContain('WARNING');
    const loose = await ocisign([
      'verify',
      '--certificate-identity-regexp',
      'salrashid123',
      '--certificate-oidc-issuer',
      ISSUER,
      image,
      second,
    ]);
    expect(loose.code, loose.stderr).toBe(0);
    expect(loose.stderr.match(/WARNING: .*salrashid123/g)).toHaveLength(1);
    expect(loose.stdout.trim().split('\n')).toHaveLength(2);
  });

  it.each([
    [
      'another identity',
      ['--certificate-identity', `${SAN}0`, '--certificate-oidc-issuer', ISSUER],
      'subject: expected',
    ],
    [
      'another issuer',
      ['--certificate-identity', SAN, '--certificate-oidc-issuer', 'https://accounts.google.com'],
      'issuer: expected "https://accounts.google.com"',
    ],
    [
      'another GitHub ref',
      [...IDENTITY, '--certificate-github-workflow-ref', 'refs/tags/v0.0.3'],
      'github workflow ref: expected "refs/tags/v0.0.3"',
    ],
    [
      'another GitHub repository',
      [...IDENTITY, '--certificate-github-workflow-repository', 'acme/app'],
      'github workflow repository: expected "acme/app"',
    ],
  ])('%s: exit 1, naming the check', async (_name, flags, message) => {
    const run = await ocisign(['verify', ...flags, image]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  it('--output json reports the certificate that verified', async () => {
    const run = await ocisign(['verify', ...IDENTITY, '--output', 'json', image]);
    expect(run.code, run.stderr).toBe(0);
    const [report] = JSON.parse(run.stdout);
    expect(report.signatures[0]).toEqual(
      expect.objectContaining({
        format: 'simple-signing',
        identityIndex: 0,
        certificate: expect.objectContaining({ subjectAltNames: [{ type: 'uri', value: SAN }] }),
      }),
    );
    expect(report.payloads[0].optional.Subject).toBe(SAN);
  });

  it('--trusted-root: the public-good file passes, a private instance root fails', async () => {
    const good = join(KEYLESS, 'trusted-roots', 'public-good-sigstore-tuf-4.0.2.json');
    expect((await ocisign(['verify', ...IDENTITY, '--trusted-root', good, image])).code).toBe(0);
    const other = join(KEYLESS, 'trusted-roots', 'sigstore-go-scaffolding.json');
    const run = await ocisign(['verify', ...IDENTITY, '--trusted-root', other, image]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('no valid certificate path found');
  });

  it('CA flags: the real chain passes; a root that did not issue the certificate fails', async () => {
    expect((await ocisign(['verify', ...IDENTITY, '--certificate-chain', 'chain.pem', image])).code).toBe(0);
    const roots = await ocisign([
      'verify',
      ...IDENTITY,
      '--ca-roots',
      'root.pem',
      '--ca-intermediates',
      'intermediate.pem',
      image,
    ]);
    expect(roots.code, roots.stderr).toBe(0);
    // --ca-roots alone: cosign takes the intermediate from the signature's chain annotation.
    const rootOnly = await ocisign(['verify', ...IDENTITY, '--ca-roots', 'root.pem', image]);
    expect(rootOnly.code, rootOnly.stderr).toBe(0);
    const wrong = await ocisign(['verify', ...IDENTITY, '--ca-roots', 'root-2021.pem', image]);
    expect(wrong.code, wrong.stderr).toBe(1);
    expect(wrong.stderr).toContain('no path from the certificate to a trusted anchor');
  });

  it('SIGSTORE_REKOR_PUBLIC_KEY replaces the Rekor key: the real one passes, another fails', async () => {
    expect(
      (await ocisign(['verify', ...IDENTITY, image], { SIGSTORE_REKOR_PUBLIC_KEY: 'rekor.pub' })).code,
    ).toBe(0);
    const run = await ocisign(['verify', ...IDENTITY, image], {
      SIGSTORE_REKOR_PUBLIC_KEY: 'other-rekor.pub',
    });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/the log c0d23d6a\S* is not in the trusted root/);
  });

  it('--insecure-ignore-sct still passes; --insecure-ignore-tlog fails: a 10-minute certificate has no time', async () => {
    expect((await ocisign(['verify', ...IDENTITY, '--insecure-ignore-sct', image])).code).toBe(0);
    const run = await ocisign(['verify', ...IDENTITY, '--insecure-ignore-tlog', image]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('not valid or expired');
    expect(run.stderr).toContain('WARNING: Skipping tlog verification is an insecure practice');
  });

  it.each([
    [
      '--key with --certificate-identity',
      ['--key', 'cosign.pub', ...IDENTITY],
      /^Error: exactly one of: key reference/,
    ],
    [
      'identity and identity regexp',
      [...IDENTITY, '--certificate-identity-regexp', 'x'],
      /^Error: exactly one of/,
    ],
    ['no identity', ['--certificate-oidc-issuer', ISSUER], /--certificate-identity-regexp is required/],
    ['no issuer', ['--certificate-identity', SAN], /--certificate-oidc-issuer-regexp is required/],
    [
      '--ca-roots with --certificate-chain',
      [...IDENTITY, '--ca-roots', 'root.pem', '--certificate-chain', 'chain.pem'],
      /group \[ca-roots certificate-chain\]/,
    ],
    [
      'CA flags for bundles',
      [...IDENTITY, '--ca-roots', 'root.pem', '--format', 'bundle'],
      /unsupported: CA roots\/intermediates must be provided using --trusted-root/,
    ],
  ])('%s: usage error (exit 2) before any request', async (_name, flags, message) => {
    const run = await ocisign(['verify', ...flags, `127.0.0.1:1/never/contacted@sha256:${'0'.repeat(64)}`]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('--key keeps working and warns about the certificate flags cosign ignores next to it', async () => {
    const { classicTagSignature } = readVectors<{ classicTagSignature: { publicKeyPem: string } }>(
      'cosign/real-cosign-artifacts.json',
    );
    writeFileSync(join(dir, 'stranger.pub'), classicTagSignature.publicKeyPem);
    const run = await ocisign([
      'verify',
      '--key',
      'stranger.pub',
      '--insecure-ignore-tlog',
      '--certificate-oidc-issuer',
      ISSUER,
      image,
    ]);
    // A keyless signature does not count for a caller who trusts only a key.
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('WARNING: --certificate-oidc-issuer is ignored with --key');
  });
});

describe('ocisign verify-attestation keyless', () => {
  it('takes the identity flags: an image without attestations fails verification (exit 1)', async () => {
    const unsigned = `${running.host}/keyless/unsigned:v1`;
    await pushExampleImage(registry, unsigned);
    const run = await ocisign(['verify-attestation', ...IDENTITY, unsigned]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('no attestations found');
  });

  it('refuses legacy CA material (classic .att only in cosign) and --key with an identity', async () => {
    const ca = await ocisign(['verify-attestation', ...IDENTITY, '--certificate-chain', 'chain.pem', image]);
    expect(ca.code).toBe(2);
    expect(ca.stderr).toContain('ocisign verifies keyless attestations in Sigstore bundles only');
    const both = await ocisign(['verify-attestation', '--key', 'k.pub', ...IDENTITY, image]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('exactly one of: key reference (--key) or certificate identity');
  });
});
