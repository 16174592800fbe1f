/**
 * `ocisign verify-blob`, in process through `runCli`, on every real Sigstore bundle of
 * ../shared/vectors/keyless with the case's cosign flags (its identity policy and trusted root):
 * exit 0 and "Verified OK" where cosign 3 passes, exit 1 where it fails, exit 2 for the one
 * combination the cosign CLI refuses (identity and identity regexp together). Then the artifact
 * forms (file, `-`, digest only), the shipped default root, `--output json`, and the flag mistakes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPublicKeyPem, generateKeyPair } from '../../../src/keys/index.js';
import { runCliBuffered } from '../../helpers/cli-run.js';
import { SHARED_DIR } from '../../helpers/vectors.js';

const KEYLESS = join(SHARED_DIR, 'vectors', 'keyless');
const HAPPY = join(KEYLESS, 'conf-happy-path-v0.3');
const SAN =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';
const IDENTITY = ['--certificate-identity', SAN, '--certificate-oidc-issuer', ISSUER];
let dir: string;

const ocisign = (args: string[], options: { env?: Record<string, string>; stdin?: Uint8Array } = {}) =>
  runCliBuffered(args, { ...options, cwd: dir });

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
type Case = any;
const index = JSON.parse(readFileSync(join(KEYLESS, 'index.json'), 'utf8')) as {
  cases: Array<{ id: string; format: string }>;
};
const readCase = (id: string): Case => JSON.parse(readFileSync(join(KEYLESS, id, 'case.json'), 'utf8'));

/** A case's `verify` policy as cosign's command-line flags. */
function flagsOf(c: Case): string[] {
  const v = c.verify;
  const out: string[] = [];
  const flag = (name: string, value: unknown) => {
    if (typeof value === 'string') out.push(`--${name}`, value);
  };
  flag('certificate-identity', v.certificateIdentity);
  flag('certificate-identity-regexp', v.certificateIdentityRegexp);
  flag('certificate-oidc-issuer', v.certificateOidcIssuer);
  flag('certificate-oidc-issuer-regexp', v.certificateOidcIssuerRegexp);
  for (const [name, value] of Object.entries(v.githubWorkflow ?? {}))
    flag(`certificate-github-workflow-${name}`, value);
  if (v.insecureIgnoreTlog === true) out.push('--insecure-ignore-tlog');
  if (v.insecureIgnoreSct === true) out.push('--insecure-ignore-sct');
  if (v.useSignedTimestamps === true) out.push('--use-signed-timestamps');
  return out;
}

/** The artifact argument: the file, or `algorithm:hex` when only the digest is known. */
function artifactOf(id: string, c: Case): string {
  if (typeof c.files.artifact === 'string') return join(KEYLESS, id, c.files.artifact);
  return `${c.artifactDigest?.algorithm ?? 'sha256'}:${c.artifactDigest?.hex ?? c.artifactSha256}`;
}

/** What the cosign CLI exits with for a case: verification outcome, or its refusal of the flags. */
function expectedExit(id: string, c: Case): number {
  if (id === 'policy-identity-and-regexp-both') return 2;
  // @sigstore/verify's fixture root: its Rekor key has no validFor, which sigstore-go refuses.
  if (id === 'sjs-2022-email-issuer-v1-only') return 3;
  return c.expected.outcome === 'pass' ? 0 : 1;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocisign-cli-verify-blob-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bundleCases = index.cases.filter((c) => c.format === 'sigstore-bundle').map((c) => c.id);

describe('ocisign verify-blob on the real keyless bundles, with each case’s cosign flags', () => {
  it('covers the bundle cases, passing and failing', () => {
    expect(bundleCases.length).toBeGreaterThanOrEqual(27);
    const exits = new Set(bundleCases.map((id) => expectedExit(id, readCase(id))));
    expect([...exits].sort()).toEqual([0, 1, 2, 3]);
  });

  it.each(bundleCases.map((id) => [id]))('%s', async (id) => {
    const c = readCase(id);
    const run = await ocisign([
      'verify-blob',
      artifactOf(id, c),
      '--bundle',
      join(KEYLESS, id, c.files.bundle),
      '--trusted-root',
      join(KEYLESS, id, c.files.trustedRoot),
      ...flagsOf(c),
    ]);
    const expected = expectedExit(id, c);
    expect(run.code, run.stderr).toBe(expected);
    if (expected === 0) expect(run.stderr).toMatch(/(^|\n)Verified OK\n$/);
    else expect(run.stderr).not.toMatch(/^Verified OK$/m);
    expect(run.stdout).toBe('');
  });
});

describe('ocisign verify-blob', () => {
  const bundle = join(HAPPY, 'bundle.sigstore.json');
  const artifact = join(HAPPY, 'artifact');

  it('uses the shipped public-good root when no --trusted-root is given (offline)', async () => {
    const run = await ocisign(['verify-blob', artifact, '--bundle', bundle, ...IDENTITY]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('Verified OK\n');
  });

  it('exit 1 with another identity or issuer, naming what the certificate holds', async () => {
    const identity = await ocisign([
      'verify-blob',
      artifact,
      '--bundle',
      bundle,
      '--certificate-identity',
      SAN.replace('main', 'feature'),
      '--certificate-oidc-issuer',
      ISSUER,
    ]);
    expect(identity.code).toBe(1);
    expect(identity.stderr).toContain(SAN);
    const issuer = await ocisign([
      'verify-blob',
      artifact,
      '--bundle',
      bundle,
      '--certificate-identity',
      SAN,
      '--certificate-oidc-issuer',
      'https://accounts.google.com',
    ]);
    expect(issuer.code).toBe(1);
    expect(issuer.stderr).toContain('https://accounts.google.com');
  });

  it('other bytes than the signed ones: exit 1', async () => {
    writeFileSync(join(dir, 'tampered'), 'not the artifact');
    expect((await ocisign(['verify-blob', 'tampered', '--bundle', bundle, ...IDENTITY])).code).toBe(1);
  });

  it('reads the artifact from standard input for -, or takes only its digest', async () => {
    const bytes = new Uint8Array(readFileSync(artifact));
    expect(
      (await ocisign(['verify-blob', '-', '--bundle', bundle, ...IDENTITY], { stdin: bytes })).code,
    ).toBe(0);
    const digest = `sha256:${readCase('conf-happy-path-v0.3').artifactSha256}`;
    expect((await ocisign(['verify-blob', digest, '--bundle', bundle, ...IDENTITY])).code).toBe(0);
    const wrong = `sha256:${'0'.repeat(64)}`;
    expect((await ocisign(['verify-blob', wrong, '--bundle', bundle, ...IDENTITY])).code).toBe(1);
    expect((await ocisign(['verify-blob', 'missing-file', '--bundle', bundle, ...IDENTITY])).code).toBe(3);
  });

  it('--output json prints what verified: digest, identity, certificate, times', async () => {
    const run = await ocisign(['verify-blob', artifact, '--bundle', bundle, ...IDENTITY, '--output', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toEqual({
      digest: `sha256:${readCase('conf-happy-path-v0.3').artifactSha256}`,
      keyIndex: -1,
      identityIndex: 0,
      certificate: expect.objectContaining({ subjectAltNames: [{ type: 'uri', value: SAN }] }),
      signedAt: [expect.stringMatching(/^20\d\d-/)],
    });
  });

  it('warns about an unanchored regexp, and passes as cosign does', async () => {
    const run = await ocisign([
      'verify-blob',
      artifact,
      '--bundle',
      bundle,
      '--certificate-identity-regexp',
      'sigstore-conformance',
      '--certificate-oidc-issuer',
      ISSUER,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^WARNING: .*sigstore-conformance/);
  });

  it.each([
    ['no artifact', ['--bundle', bundle, ...IDENTITY], 'accepts 1 arg(s), received 0'],
    ['two artifacts', [artifact, artifact, '--bundle', bundle, ...IDENTITY], 'accepts 1 arg(s), received 2'],
    ['no --bundle', [artifact, ...IDENTITY], '--bundle is required'],
    [
      '--key with an identity',
      [artifact, '--bundle', bundle, '--key', 'k', ...IDENTITY],
      'exactly one of: key reference (--key)',
    ],
    [
      'no identity',
      [artifact, '--bundle', bundle, '--certificate-oidc-issuer', ISSUER],
      'is required for verification in keyless mode',
    ],
    [
      '--ca-roots',
      [artifact, '--bundle', bundle, ...IDENTITY, '--ca-roots', 'r.pem'],
      'unsupported: CA roots/intermediates must be provided using --trusted-root',
    ],
    [
      '--certificate-chain',
      [artifact, '--bundle', bundle, ...IDENTITY, '--certificate-chain', 'c.pem'],
      'unsupported: certificate chain must be in bundle',
    ],
  ])('%s: usage error (exit 2)', async (_name, args, message) => {
    const run = await ocisign(['verify-blob', ...args]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it("--key: cosign 3's real key-signed bundle verifies with its key and the public-good Rekor entry; another key exits 1", async () => {
    const real = JSON.parse(
      readFileSync(join(SHARED_DIR, 'vectors', 'cosign', 'real-cosign-artifacts.json'), 'utf8'),
    ).newBundleReferrer;
    writeFileSync(join(dir, 'cosign.pub'), real.publicKeyPem);
    writeFileSync(join(dir, 'key.sigstore.json'), real.bundle);
    const root = join(KEYLESS, 'trusted-roots', 'public-good-sigstore-tuf-4.0.2.json');
    const args = [real.subject.digest, '--bundle', 'key.sigstore.json', '--trusted-root', root];
    const ok = await ocisign(['verify-blob', ...args, '--key', 'cosign.pub', '-o', 'json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('Verified OK');
    expect(JSON.parse(ok.stdout)).toEqual({ digest: real.subject.digest, keyIndex: 0 });
    writeFileSync(join(dir, 'other.pub'), exportPublicKeyPem((await generateKeyPair()).publicKey));
    const wrong = await ocisign(['verify-blob', ...args, '--key', 'other.pub']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('does not verify with any trusted key');
  });

  it('SIGSTORE_REKOR_PUBLIC_KEY without --trusted-root is refused as cosign refuses it for bundles', async () => {
    writeFileSync(join(dir, 'rekor.pub'), '');
    const env = { SIGSTORE_REKOR_PUBLIC_KEY: 'rekor.pub' };
    const refused = await ocisign(['verify-blob', artifact, '--bundle', bundle, ...IDENTITY], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('trusted root is required when using new bundle format');
    const root = join(KEYLESS, 'trusted-roots', 'public-good-sigstore-tuf-4.0.2.json');
    const withRoot = await ocisign(
      ['verify-blob', artifact, '--bundle', bundle, ...IDENTITY, '--trusted-root', root],
      {
        env,
      },
    );
    expect(withRoot.code, withRoot.stderr).toBe(0);
  });
});
