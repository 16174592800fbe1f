/**
 * `ocisign policy test` in process (runCli with buffers, offline with --fixtures): the load
 * warnings reach stderr, a kind ocisign does not evaluate is refused with exit 3 naming it, a
 * malformed fixtures file or resource is a typed error (exit 3), never a TypeError (exit 4). Keyless
 * evidence in the fixtures (signatures and attestations, roots and log keys by PEM file) is judged
 * by keyless attestors; a keyless record with a misspelt or mistyped member, an unknown extension
 * key or an unreadable file is refused naming the member.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caCertificate } from '../../helpers/certs.js';
import { runCliBuffered } from '../../helpers/cli-run.js';
import { indent, podYaml, verifyImagesPolicy } from '../../helpers/policy-yaml.js';

const ACTIONS = 'https://token.actions.githubusercontent.com';
const SLSA = 'https://slsa.dev/provenance/v1';

let dir: string;
const run = (args: string[]) => runCliBuffered(args, { cwd: dir });

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
  writeFileSync(join(dir, 'signed.yaml'), podYaml('signed', 'ghcr.io/acme/app:1.0'));
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

  it('reads keyless evidence: signatures and attestations judged by the keyless attestor', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rootPem = (() => {
      const ca = caCertificate(dir, 'fixture-root', '/CN=Fixture Root');
      return readFileSync(ca.certPath, 'utf8');
    })();
    writeFileSync(join(dir, 'rekor.pub'), publicKey.export({ type: 'spki', format: 'pem' }).toString());
    writeFileSync(join(dir, 'root.pem'), rootPem);
    const keylessPolicy = (name: string, attestor: string, attestations = false) =>
      verifyImagesPolicy({
        name,
        ruleName: name,
        entry: `mutateDigest: false\nverifyDigest: false${attestations ? `\nattestations:\n- type: ${SLSA}\n  attestors:\n  - entries:\n    - ${attestor.replaceAll('\n', '\n      ')}` : ''}`,
        attestors: attestations ? '' : `- entries:\n  - ${attestor.replaceAll('\n', '\n    ')}`,
      });
    const subject = (pattern: string, rest = '\n  rekor: {url: https://rekor.sigstore.dev}') =>
      `keyless:\n  subject: "${pattern}"\n  issuer: ${ACTIONS}${rest}`;
    writeFileSync(
      join(dir, 'keyless-policy.yaml'),
      [
        keylessPolicy('right', subject('https://github.com/acme/*')),
        keylessPolicy(
          'roots',
          subject(
            '*',
            `\n  roots: |-\n${indent(rootPem, 4).trimEnd()}\n  rekor:\n    url: https://rekor.sigstore.dev\n    pubkey: |-\n${indent(readFileSync(join(dir, 'rekor.pub'), 'utf8'), 6).trimEnd()}\n  ctlog: {ignoreSCT: true}`,
          ),
        ),
        keylessPolicy('attested', subject('https://github.com/acme/*'), true),
      ].join('---\n'),
    );
    const WORKFLOW = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0';
    const fixtures = (keyless: object[], attestation: object) =>
      JSON.stringify({
        images: {
          'ghcr.io/acme/app:1.0': {
            digest: `sha256:${'a'.repeat(64)}`,
            keyless,
            attestations: [{ type: SLSA, keyless: attestation, predicate: {} }],
          },
        },
      });
    const publicGood = {
      chainsTo: 'public-good',
      subjectAltNames: [WORKFLOW],
      extensions: { oidcIssuer: ACTIONS },
      tlog: true,
      sct: true,
    };
    // The public-good record passes `right` and `attested`, not `roots` (another CA and Rekor key).
    writeFileSync(join(dir, 'keyless.json'), fixtures([publicGood], publicGood));
    const r = await policyTest({
      policy: 'keyless-policy.yaml',
      resource: 'signed.yaml',
      fixtures: 'keyless.json',
    });
    expect(r.code, r.stderr).toBe(1);
    // A denied resource lists only the failing rules.
    expect(r.stdout).not.toContain('right/right');
    expect(r.stdout).not.toContain('attested/attested');
    expect(r.stdout).toMatch(/roots\/roots: fail .*x509: certificate signed by unknown authority/);
    // A second signature, under the private root and Rekor key named by file, passes `roots` too;
    // an attestation by another identity fails `attested` (every attestation must match).
    const own = { ...publicGood, chainsTo: 'root.pem', tlog: 'rekor.pub' };
    writeFileSync(join(dir, 'keyless.json'), fixtures([publicGood, own], publicGood));
    const all = await policyTest({
      policy: 'keyless-policy.yaml',
      resource: 'signed.yaml',
      fixtures: 'keyless.json',
    });
    expect(all.code, all.stdout).toBe(0);
    for (const rule of ['right/right', 'roots/roots', 'attested/attested'])
      expect(all.stdout).toContain(`${rule}: pass`);
    writeFileSync(
      join(dir, 'keyless.json'),
      fixtures([publicGood, own], { ...publicGood, subjectAltNames: ['https://github.com/evil/x'] }),
    );
    const evil = await policyTest({
      policy: 'keyless-policy.yaml',
      resource: 'signed.yaml',
      fixtures: 'keyless.json',
    });
    expect(evil.code).toBe(1);
    expect(evil.stdout).toMatch(/attested\/attested: fail .*subject mismatch/);
  });

  it('keyless records are checked where they are read: each bad member is named (exit 3)', async () => {
    const image = (record: unknown, attestations?: unknown) =>
      JSON.stringify({
        images: {
          x: { digest: 'd', keyless: [record], ...(attestations === undefined ? {} : { attestations }) },
        },
      });
    const good = { chainsTo: 'public-good', subjectAltNames: ['s'] };
    for (const [body, member] of [
      [image({ ...good, subjectAltName: ['s'] }), '/images/x/keyless/0/subjectAltName must be left out'],
      [image({ subjectAltNames: ['s'] }), '/images/x/keyless/0/chainsTo must be a string'],
      [image({ ...good, tlog: 5 }), '/images/x/keyless/0/tlog must be a boolean or a string'],
      [image({ ...good, extensions: { workflowRef: 'r' } }), '/images/x/keyless/0/extensions/workflowRef'],
      [image({ ...good, chainsTo: 'missing.pem' }), '/images/x/keyless/0/chainsTo: cannot read missing.pem'],
      [image({ ...good, sct: 'pods.yaml' }), '/images/x/keyless/0/sct: pods.yaml holds no PEM block'],
      [image(good, [{ type: 't', predicate: {} }]), '/images/x/attestations/0 must name its signer'],
      [
        image(good, [{ type: 't', predicate: {}, keyless: { chainsTo: 1 } }]),
        '/images/x/attestations/0/keyless/chainsTo',
      ],
    ]) {
      writeFileSync(join(dir, 'bad-keyless.json'), body as string);
      const r = await policyTest({ fixtures: 'bad-keyless.json' });
      expect(r.code, `${body}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toContain(member as string);
    }
    // Extension keys may be Kyverno's names, OIDs or ocisign's names.
    writeFileSync(
      join(dir, 'ok-keyless.json'),
      image({
        ...good,
        extensions: { githubWorkflowRef: 'r', '1.3.6.1.4.1.57264.1.14': 'r', sourceRepositoryRef: 'r' },
      }),
    );
    expect((await policyTest({ fixtures: 'ok-keyless.json' })).code).not.toBe(3);
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
