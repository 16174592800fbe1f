/**
 * `sign` and `attest` take every flag of cosign v3.1.2's `sign` and `attest` (cmd/cosign/cli/options)
 * or refuse it by name with a reason — none is an unknown option — and never echo a registry
 * password. In process and offline: each run stops at a usage check before any work.
 */
import { describe, expect, it } from 'vitest';
import { runCliBuffered } from '../../helpers/cli-run.js';

const REGISTRY = [
  'allow-insecure-registry',
  'allow-http-registry',
  'k8s-keychain',
  'registry-username',
  'registry-password',
  'registry-token',
  'registry-cacert',
  'registry-client-cert',
  'registry-client-key',
  'registry-server-name',
  'attachment-tag-prefix',
];
const KEYLESS = [
  'fulcio-url',
  'identity-token',
  'fulcio-auth-flow',
  'insecure-skip-verify',
  'oidc-issuer',
  'oidc-client-id',
  'oidc-client-secret-file',
  'oidc-redirect-url',
  'oidc-provider',
  'oidc-disable-ambient-providers',
];
const SHARED = [
  'key',
  'certificate',
  'certificate-chain',
  'yes',
  'tlog-upload',
  'rekor-url',
  'timestamp-client-cacert',
  'timestamp-client-cert',
  'timestamp-client-key',
  'timestamp-server-name',
  'timestamp-server-url',
  'issue-certificate',
  'record-creation-timestamp',
  'bundle',
  'new-bundle-format',
  'use-signing-config',
  'signing-config',
  'trusted-root',
  'sk',
  'slot',
  'timeout',
  ...KEYLESS,
  ...REGISTRY,
];
const COSIGN_FLAGS = {
  sign: [
    ...SHARED,
    'upload',
    'output-signature',
    'output-payload',
    'output-certificate',
    'payload',
    'recursive',
    'attachment',
    'sign-container-identity',
    'annotations',
    'registry-referrers-mode',
  ],
  attest: [...SHARED, 'no-upload', 'replace', 'rekor-entry-type', 'type', 'predicate', 'statement'],
};

/** What ocisign refuses, by command: the list users can look up in docs/cli.md. */
const REFUSED = {
  sign: [
    'certificate',
    'certificate-chain',
    'timestamp-client-cacert',
    'timestamp-client-cert',
    'timestamp-client-key',
    'timestamp-server-name',
    'issue-certificate',
    'record-creation-timestamp',
    'sk',
    'slot',
    'fulcio-auth-flow',
    'insecure-skip-verify',
    'oidc-client-id',
    'oidc-client-secret-file',
    'oidc-redirect-url',
    'oidc-provider',
    'oidc-disable-ambient-providers',
    'k8s-keychain',
    'registry-client-cert',
    'registry-client-key',
    'registry-server-name',
    'attachment-tag-prefix',
    'output-certificate',
    'payload',
    'attachment',
    'sign-container-identity',
    'registry-referrers-mode',
  ],
  attest: [
    'certificate',
    'certificate-chain',
    'timestamp-client-cacert',
    'timestamp-client-cert',
    'timestamp-client-key',
    'timestamp-server-name',
    'issue-certificate',
    'record-creation-timestamp',
    'sk',
    'slot',
    'fulcio-auth-flow',
    'insecure-skip-verify',
    'oidc-client-id',
    'oidc-client-secret-file',
    'oidc-redirect-url',
    'oidc-provider',
    'oidc-disable-ambient-providers',
    'k8s-keychain',
    'registry-client-cert',
    'registry-client-key',
    'registry-server-name',
    'attachment-tag-prefix',
    'bundle',
    'no-upload',
    'replace',
    'statement',
  ],
};

const run = (args: string[]) => runCliBuffered(args, { cwd: process.cwd(), env: {} });

describe.each(['sign', 'attest'] as const)('%s', (command) => {
  it('takes or refuses by name every cosign flag of the command, never "unknown"', async () => {
    const refused: string[] = [];
    for (const flag of COSIGN_FLAGS[command]) {
      // `=true` is a Go boolean's value and a string flag's value alike; no image: a usage stop.
      const result = await run([command, `--${flag}=true`]);
      expect(result.code, `--${flag}: ${result.stderr}`).toBe(2);
      expect(result.stderr).not.toMatch(/Unknown option/);
      const why = new RegExp(`^Error: --${flag} is not supported: \\S`, 'm');
      if (why.test(result.stderr)) refused.push(flag);
      else expect(result.stderr, `--${flag}`).toContain(`${command} needs at least one image reference`);
    }
    expect(refused.sort()).toEqual([...REFUSED[command]].sort());
  });

  it('takes cosign’s short flags -y and -t (and -a, -r on sign)', async () => {
    const shorts = command === 'sign' ? ['-y', '-t', '30s', '-a', 'k=v', '-r'] : ['-y', '-t', '30s'];
    const result = await run([command, ...shorts]);
    expect(result.stderr).toContain(`${command} needs at least one image reference`);
  });

  it('never prints a --registry-password, whatever the mistake', async () => {
    const secret = 'hunter2-registry-secret';
    for (const args of [
      ['--registry-password', secret, 'r.test/a:1'],
      ['--registry-password', secret, '--bogus', 'r.test/a:1'],
      ['--registry-username', 'ci', '--registry-password', secret, '--registry-token', secret, 'r.test/a:1'],
      ['--registry-username', 'ci', `--registry-password=${secret}`, '--upload=maybe', 'r.test/a:1'],
    ]) {
      const result = await run([command, ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr + result.stdout).not.toContain(secret);
    }
  });
});
