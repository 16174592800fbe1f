/**
 * `ocisign policy test` in process (runCli with buffers, offline with --fixtures): the load
 * warnings reach stderr, a kind ocisign does not evaluate is refused with exit 3 naming it, a
 * malformed fixtures file or resource is a typed error (exit 3), never a TypeError (exit 4).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/io.js';
import { runCli } from '../../../src/cli/run.js';
import { podYaml, verifyImagesPolicy } from '../../helpers/policy-yaml.js';

let dir: string;
const run = async (args: string[]) => {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
    env: {},
    cwd: dir,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
};

const policy = (pem: string) =>
  verifyImagesPolicy({
    name: 'check-image',
    ruleName: 'check-image',
    entry: 'mutateDigest: false\nverifyDigest: false',
    publicKeys: JSON.stringify(pem),
  });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocisign-policy-cli-'));
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  writeFileSync(join(dir, 'key.pub'), pem);
  writeFileSync(
    join(dir, 'policy.yaml'),
    `${policy(pem)}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n---\napiVersion: policies.kyverno.io/v1\nkind: ValidatingPolicy\nmetadata: {name: labels}\n`,
  );
  writeFileSync(
    join(dir, 'pods.yaml'),
    `${podYaml('signed', 'ghcr.io/acme/app:1.0')}---\n${podYaml('unsigned', 'ghcr.io/acme/tool:1.0')}`,
  );
  writeFileSync(
    join(dir, 'fixtures.json'),
    JSON.stringify({
      images: {
        'ghcr.io/acme/app:1.0': { digest: `sha256:${'a'.repeat(64)}`, signatures: ['key.pub'] },
        'ghcr.io/acme/tool:1.0': { digest: `sha256:${'b'.repeat(64)}` },
      },
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `ocisign policy test` offline, with the files the test names (default: those written above). */
const policyTest = (files: { policy?: string; resource?: string; fixtures?: string } = {}) =>
  run([
    'policy',
    'test',
    '--policy',
    files.policy ?? 'policy.yaml',
    '--resource',
    files.resource ?? 'pods.yaml',
    '--fixtures',
    files.fixtures ?? 'fixtures.json',
  ]);

describe('ocisign policy test', () => {
  it('prints a warning for every document it skips, naming it', async () => {
    const r = await policyTest();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('PASS Pod/default/signed');
    expect(r.stdout).toContain('FAIL Pod/default/unsigned');
    expect(r.stderr).toContain('warning: policy.yaml: document 2 (ConfigMap settings): skipped: ');
    expect(r.stderr).toContain('warning: policy.yaml: document 3 (ValidatingPolicy labels): skipped: ');
  });

  it('refuses an ImageValidatingPolicy with exit 3, naming the kind', async () => {
    writeFileSync(
      join(dir, 'ivpol.yaml'),
      'apiVersion: policies.kyverno.io/v1\nkind: ImageValidatingPolicy\nmetadata: {name: check}\nspec: {}\n',
    );
    const r = await policyTest({ policy: 'ivpol.yaml' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      'document 1 (ImageValidatingPolicy check): ImageValidatingPolicy is not supported by ocisign yet',
    );
  });

  it('a fixtures file of the wrong shape is a typed error naming the field (exit 3)', async () => {
    for (const [body, field] of [
      [
        '{"images": {"ghcr.io/acme/app:1.0": {"digest": "sha256:x", "signatures": 5}}}',
        '/images/ghcr.io~1acme~1app:1.0/signatures',
      ],
      ['{"images": {"x": {"digest": "d", "attestations": [null]}}}', '/images/x/attestations/0'],
      ['{"images": []}', '/images'],
      ['null', 'the document'],
      ['{"images": ', 'not JSON'],
    ]) {
      writeFileSync(join(dir, 'bad.json'), body as string);
      const r = await policyTest({ fixtures: 'bad.json' });
      expect(r.code, `${body}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toContain(field as string);
    }
  });

  it('a resource whose kind or name is not a string is reported, not a crash', async () => {
    writeFileSync(
      join(dir, 'odd.yaml'),
      'apiVersion: v1\nkind: {toString: 1}\nmetadata: {name: {valueOf: 2}}\nspec: {containers: [{name: a, image: "ghcr.io/acme/tool:1.0"}]}\n',
    );
    const r = await policyTest({ resource: 'odd.yaml' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('PASS ?/default/');
  });

  it('an unknown command named like an Object.prototype member is a usage error', async () => {
    for (const name of ['toString', 'constructor', '__proto__']) expect((await run([name])).code).toBe(2);
  });
});
