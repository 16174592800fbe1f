/**
 * Keyless `ocisign sign` / `attest` (no `--key`) against startSigstore() and the real
 * docker-registry: a GitHub-Actions-shaped identity token from `--identity-token` (a token or a
 * file) or SIGSTORE_ID_TOKEN, Fulcio from `--fulcio-url` or the double's signing config (which also
 * selects its Rekor v2 log and TSA for bundles); `ocisign verify` passes for the workflow identity
 * and fails for another subject or issuer. No token, or Fulcio down, ends before anything is pushed,
 * and the token is never printed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSigstore } from '../../../src/testing/index.js';
import { runCliBuffered } from '../../helpers/cli-run.js';
import { image } from '../../helpers/images.js';
import { registryFixture } from '../../helpers/registry-fixture.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const WORKFLOW = 'acme/widget/.github/workflows/release.yml@refs/tags/v2.0.0';
const IDENTITY = ['--certificate-identity', `https://github.com/${WORKFLOW}`];
const ISSUER = ['--certificate-oidc-issuer', GITHUB];
const CLAIMS = {
  repository: 'acme/widget',
  ref: 'refs/tags/v2.0.0',
  sha: 'b'.repeat(40),
  workflow: 'Release',
  event_name: 'push',
  job_workflow_ref: WORKFLOW,
};

const fixture = registryFixture();
let sigstore: Awaited<ReturnType<typeof startSigstore>>;
let dir: string;

const ocisign = (args: string[], env: Record<string, string> = {}) => runCliBuffered(args, { cwd: dir, env });
const token = () =>
  sigstore.issueToken({ subject: 'repo:acme/widget:ref:refs/tags/v2.0.0', issuer: GITHUB, claims: CLAIMS });
const LOCAL = () => [
  '--fulcio-url',
  sigstore.fulcioUrl,
  '--rekor-url',
  sigstore.rekorUrl,
  '--trusted-root',
  'root.json',
];

beforeAll(async () => {
  sigstore = await startSigstore();
  dir = mkdtempSync(join(tmpdir(), 'ocisign-cli-keyless-'));
  writeFileSync(join(dir, 'root.json'), JSON.stringify(sigstore.trustedRoot.json));
  writeFileSync(join(dir, 'signing-config.json'), JSON.stringify(sigstore.signingConfig));
});
afterAll(async () => {
  await sigstore?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
async function pushImage() {
  const repo = `${fixture.registry.host}/cli-keyless/app${++counter}`;
  const img = image();
  for (const b of [img.config, ...img.layers]) await fixture.client.pushBlob(repo, b.bytes);
  await fixture.client.putManifest(`${repo}:v1`, img.manifest.bytes, img.manifest.mediaType);
  return { repo, ref: `${repo}@${img.manifest.digest}` };
}

async function expectIdentityChecked(
  command: 'verify' | 'verify-attestation',
  ref: string,
  extra: string[] = [],
) {
  const root = ['--trusted-root', 'root.json', ...extra];
  const right = await ocisign([command, ...IDENTITY, ...ISSUER, ...root, ref]);
  expect(right.code, right.stderr).toBe(0);
  const otherSubject = [
    '--certificate-identity',
    `https://github.com/acme/widget/.github/workflows/other.yml@refs/tags/v2.0.0`,
  ];
  expect((await ocisign([command, ...otherSubject, ...ISSUER, ...root, ref])).code).toBe(1);
  const otherIssuer = ['--certificate-oidc-issuer', 'https://accounts.google.com'];
  expect((await ocisign([command, ...IDENTITY, ...otherIssuer, ...root, ref])).code).toBe(1);
}

describe('keyless sign', () => {
  it('--identity-token and --fulcio-url: a classic signature with certificate and Rekor v1 entry', async () => {
    const { ref } = await pushImage();
    const jwt = token();
    const sign = await ocisign(['sign', '--identity-token', jwt, ...LOCAL(), ref]);
    expect(sign.code, sign.stderr).toBe(0);
    expect(sign.stderr).toMatch(/^tlog entry created with index: \d+$/m);
    expect(sign.stderr + sign.stdout).not.toContain(jwt);
    await expectIdentityChecked('verify', ref);
  });

  it('SIGSTORE_ID_TOKEN and the double’s signing config: a bundle with its Rekor v2 entry and timestamp', async () => {
    const { ref } = await pushImage();
    const jwt = token();
    const sign = await ocisign(
      [
        'sign',
        '--format',
        'bundle',
        '--signing-config',
        'signing-config.json',
        '--trusted-root',
        'root.json',
        '-o',
        'json',
        ref,
      ],
      { SIGSTORE_ID_TOKEN: jwt },
    );
    expect(sign.code, sign.stderr).toBe(0);
    expect(sign.stderr + sign.stdout).not.toContain(jwt);
    const entries = sigstore.rekorEntries();
    expect(entries.at(-1)?.api).toBe('v2');
    const [report] = JSON.parse(sign.stdout);
    expect(report.signatures[0]).toMatchObject({
      format: 'bundle',
      tlogEntry: { logIndex: entries.at(-1)?.logIndex },
    });
    expect(report.signatures[0].timestamp).toEqual(expect.any(String));
    await expectIdentityChecked('verify', ref, ['--use-signed-timestamps']);
  });

  it('a token file, and keyless attest as a bundle that verify-attestation checks by identity', async () => {
    const { ref } = await pushImage();
    writeFileSync(join(dir, 'token.jwt'), `${token()}\n`);
    writeFileSync(join(dir, 'provenance.json'), '{"builder":{"id":"https://github.com/actions/runner"}}');
    const attest = await ocisign([
      'attest',
      '--identity-token',
      'token.jwt',
      '--predicate',
      'provenance.json',
      '--type',
      'slsaprovenance1',
      '--new-bundle-format',
      ...LOCAL(),
      ref,
    ]);
    expect(attest.code, attest.stderr).toBe(0);
    await expectIdentityChecked('verify-attestation', ref, ['--type', 'slsaprovenance1']);
  });
});

describe('keyless sign fails before anything is pushed', () => {
  it('no identity token: exit 3 with what to set', async () => {
    const { repo, ref } = await pushImage();
    const run = await ocisign(['sign', ...LOCAL(), ref]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^Error: no identity token: set SIGSTORE_ID_TOKEN/m);
    expect(await fixture.client.listTags(repo)).toEqual(['v1']);
  });

  it('Fulcio down: exit 4', async () => {
    const { repo, ref } = await pushImage();
    sigstore.faults.fulcio.inject('unavailable');
    try {
      const jwt = token();
      const run = await ocisign(['sign', '--identity-token', jwt, ...LOCAL(), ref]);
      expect(run.code, run.stderr).toBe(4);
      expect(run.stderr).not.toContain(jwt);
    } finally {
      sigstore.faults.fulcio.clear();
    }
    expect(await fixture.client.listTags(repo)).toEqual(['v1']);
  });
});
