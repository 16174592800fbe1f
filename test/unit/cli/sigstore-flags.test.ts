/**
 * The Sigstore flags of `sign` and `attest` read into the library's options: which log, TSA and CA
 * each combination of cosign's flags selects (the public-good defaults, cosign's flag path, a
 * signing config), the combinations cosign refuses, `--new-bundle-format`, where identity tokens
 * come from, and the one line a service failure becomes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from '../../../src/cli/args.js';
import { UsageError } from '../../../src/cli/exit-codes.js';
import type { CliIo } from '../../../src/cli/io.js';
import {
  explainServiceFailure,
  identityTokenSource,
  SIGSTORE_SIGN_OPTIONS,
  signingServices,
  storageFormat,
} from '../../../src/cli/sigstore-flags.js';
import {
  OperationTimeoutError,
  RekorUnavailableError,
  SigningConfigError,
} from '../../../src/errors/index.js';
import {
  isTrustedRoot,
  PUBLIC_GOOD_SIGNING_CONFIG,
  SIGNING_CONFIG_MEDIA_TYPE,
} from '../../../src/sigstore/index.js';
import { SHARED_DIR } from '../../helpers/vectors.js';

const dir = mkdtempSync(join(tmpdir(), 'ocisign-sigstore-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const io = (env: Record<string, string> = {}): CliIo => ({ out: () => {}, err: () => {}, env, cwd: dir });

const OPTIONS = {
  key: { type: 'string' },
  format: { type: 'string' },
  upload: { type: 'boolean' },
  ...SIGSTORE_SIGN_OPTIONS,
} as const;
/** The flags as the command line gives them. */
const flags = (...args: string[]) => parse([...args, 'img'], OPTIONS).values;
const plan = (args: string[], classic = true) => signingServices(flags(...args), io(), { classic });

const service = (url: string, majorApiVersion: number) => ({
  url,
  majorApiVersion,
  validFor: { start: '2020-01-01T00:00:00Z' },
  operator: 'example.org',
});
writeFileSync(
  join(dir, 'signing-config.json'),
  JSON.stringify({
    mediaType: SIGNING_CONFIG_MEDIA_TYPE,
    caUrls: [service('https://fulcio.example.org', 1)],
    oidcUrls: [],
    rekorTlogUrls: [service('https://rekor-v1.example.org', 1), service('https://rekor-v2.example.org', 2)],
    tsaUrls: [service('https://tsa.example.org/api/v1/timestamp', 1)],
    rekorTlogConfig: { selector: 'ANY' },
    tsaConfig: { selector: 'ANY' },
  }),
);
writeFileSync(
  join(dir, 'v2-only.json'),
  JSON.stringify({
    ...PUBLIC_GOOD_SIGNING_CONFIG,
    rekorTlogUrls: [service('https://rekor-v2.example.org', 2)],
  }),
);

describe('which services a signature uses', () => {
  it('by default, the public-good signing config: its Rekor v1 log, its TSA and its CA, with a note', () => {
    // The reference workflow's own command: cosign sign --key awskms:///alias/… --upload=true IMAGE
    const p = plan(['--key', 'awskms:///alias/container-image-verification', '--upload=true']);
    expect(p.evidence).toEqual({
      tlog: { rekorUrl: 'https://rekor.sigstore.dev', apiVersion: 1 },
      timestamp: { url: 'https://timestamp.sigstore.dev/api/v1/timestamp' },
    });
    expect(p.key).toBe('awskms:///alias/container-image-verification');
    expect(p.fulcioUrl).toBe('https://fulcio.sigstore.dev');
    expect(p.notice).toMatch(/logged at https:\/\/rekor\.sigstore\.dev; transparency-log entries are public/);
    expect(p.warnings).toEqual([]);
    expect(plan(['--key', 'k', '-y']).notice).toBeUndefined();
    expect(plan(['--key', 'k', '--yes=true']).notice).toBeUndefined();
  });

  it('--tlog-upload=false: no log, and (cosign’s flag path) no TSA unless --timestamp-server-url', () => {
    expect(plan(['--key', 'k', '--tlog-upload=false']).evidence).toEqual({});
    expect(plan(['--key', 'k', '--tlog-upload=false']).notice).toBeUndefined();
    expect(
      plan(['--key', 'k', '--tlog-upload=false', '--timestamp-server-url', 'http://tsa.test/ts']).evidence,
    ).toEqual({ timestamp: { url: 'http://tsa.test/ts' } });
    expect(plan(['--key', 'k', '--tlog-upload=true']).evidence.tlog?.rekorUrl).toBe(
      'https://rekor.sigstore.dev',
    );
  });

  it('a service URL flag or --use-signing-config=false: Rekor v1 at --rekor-url (default public-good), no TSA unless named', () => {
    expect(plan(['--key', 'k', '--rekor-url', 'http://127.0.0.1:9/']).evidence).toEqual({
      tlog: { rekorUrl: 'http://127.0.0.1:9/', apiVersion: 1 },
    });
    expect(plan(['--key', 'k', '--use-signing-config=false']).evidence).toEqual({
      tlog: { rekorUrl: 'https://rekor.sigstore.dev', apiVersion: 1 },
    });
    const keyless = plan([
      '--fulcio-url',
      'http://fulcio.test',
      '--timestamp-server-url',
      'http://tsa.test/ts',
    ]);
    expect(keyless.fulcioUrl).toBe('http://fulcio.test');
    expect(keyless.key).toBeUndefined();
    expect(keyless.evidence).toEqual({
      tlog: { rekorUrl: 'https://rekor.sigstore.dev', apiVersion: 1 },
      timestamp: { url: 'http://tsa.test/ts' },
    });
    // Go reads "" as not given.
    expect(plan(['--key', 'k', '--rekor-url', '', '--tlog-upload=false']).evidence).toEqual({});
  });

  it('--signing-config: its services; Rekor v2 only when no classic layer needs a SET', () => {
    const classic = plan(['--key', 'k', '--signing-config', 'signing-config.json']);
    expect(classic.evidence).toEqual({
      tlog: { rekorUrl: 'https://rekor-v1.example.org', apiVersion: 1 },
      timestamp: { url: 'https://tsa.example.org/api/v1/timestamp' },
    });
    expect(classic.fulcioUrl).toBe('https://fulcio.example.org');
    const bundle = plan(['--key', 'k', '--signing-config', 'signing-config.json'], false);
    expect(bundle.evidence.tlog).toEqual({ rekorUrl: 'https://rekor-v2.example.org', apiVersion: 2 });
    expect(() => plan(['--key', 'k', '--signing-config', 'v2-only.json'])).toThrow(SigningConfigError);
    // --tlog-upload=false with a signing config: its TSA, no log.
    expect(
      plan(['--key', 'k', '--signing-config', 'signing-config.json', '--tlog-upload=false']).evidence,
    ).toEqual({
      timestamp: { url: 'https://tsa.example.org/api/v1/timestamp' },
    });
  });

  it('refuses what cosign refuses together with a signing config', () => {
    for (const flag of ['--rekor-url', '--fulcio-url', '--timestamp-server-url', '--oidc-issuer'])
      expect(() => plan(['--key', 'k', '--signing-config', 'signing-config.json', flag, 'http://x'])).toThrow(
        new UsageError(`cannot specify service URLs and use signing config: ${flag} with --signing-config`),
      );
    expect(() => plan(['--key', 'k', '--use-signing-config', '--rekor-url', 'http://x'])).toThrow(
      /cannot specify service URLs and use signing config: --rekor-url with --use-signing-config/,
    );
    expect(() =>
      plan(['--key', 'k', '--signing-config', 'signing-config.json', '--use-signing-config=false']),
    ).toThrow(
      /if any flags in the group \[use-signing-config signing-config\] are set none of the others can be/,
    );
  });

  it('--trusted-root is parsed once, for the log’s and TSA’s answers and for Fulcio’s certificates', () => {
    const root = resolve(
      SHARED_DIR,
      'vectors',
      'keyless',
      'trusted-roots',
      'public-good-sigstore-tuf-4.0.2.json',
    );
    const p = plan(['--key', 'k', '--trusted-root', root]);
    expect(isTrustedRoot(p.trustedRoot)).toBe(true);
    expect(p.evidence.trustedRoot).toBe(p.trustedRoot);
    writeFileSync(join(dir, 'not-a-root.json'), '{"mediaType": 7}');
    expect(() => plan(['--key', 'k', '--trusted-root', 'not-a-root.json'])).toThrow(
      /trusted root|mediaType/i,
    );
  });

  it('a config that selects several logs or TSAs: the first of each, with a warning', () => {
    const other = (url: string, version: number) => ({ ...service(url, version), operator: 'other.example' });
    writeFileSync(
      join(dir, 'all.json'),
      JSON.stringify({
        ...PUBLIC_GOOD_SIGNING_CONFIG,
        rekorTlogUrls: [service('https://rekor-a.example.org', 1), other('https://rekor-b.example.org', 1)],
        tsaUrls: [service('https://tsa-a.example.org/ts', 1), other('https://tsa-b.example.org/ts', 1)],
        rekorTlogConfig: { selector: 'ALL' },
        tsaConfig: { selector: 'ALL' },
      }),
    );
    const p = plan(['--key', 'k', '--signing-config', 'all.json']);
    expect(p.evidence.tlog?.rekorUrl).toMatch(/^https:\/\/rekor-[ab]\.example\.org$/);
    expect(p.warnings).toEqual([
      `the signing config selects 2 transparency logs; ocisign logs each signature to one, ${p.evidence.tlog?.rekorUrl}`,
      `the signing config selects 2 timestamp authorities; ocisign stamps each signature at one, ${p.evidence.timestamp?.url}`,
    ]);
  });

  it('warns about flags that do nothing and keyless signatures that would stop verifying', () => {
    expect(plan(['--key', 'k', '--fulcio-url', 'http://f', '--identity-token', 't']).warnings).toEqual([
      '--fulcio-url is ignored with --key (it is for keyless signing)',
      '--identity-token is ignored with --key (it is for keyless signing)',
    ]);
    expect(plan(['--tlog-upload=false']).warnings).toEqual([
      expect.stringMatching(/neither a transparency-log entry nor a timestamp stops verifying/),
    ]);
    expect(plan(['--oidc-issuer', 'https://oauth2.sigstore.dev/auth']).warnings).toEqual([
      expect.stringMatching(/^--oidc-issuer is ignored: ocisign has no interactive OIDC login/),
    ]);
  });
});

describe('storageFormat', () => {
  const words = ['simple-signing', 'bundle', 'both'] as const;
  it('reads --new-bundle-format as --format bundle (false: simple-signing), default simple-signing', () => {
    expect(storageFormat(flags(), words)).toBe('simple-signing');
    expect(storageFormat(flags('--new-bundle-format'), words)).toBe('bundle');
    expect(storageFormat(flags('--new-bundle-format=false'), words)).toBe('simple-signing');
    expect(storageFormat(flags('--new-bundle-format', '--format', 'both'), words)).toBe('both');
    expect(storageFormat(flags('--format', 'bundle'), words)).toBe('bundle');
  });
  it('refuses the two flags disagreeing, and words a command does not take', () => {
    expect(() => storageFormat(flags('--new-bundle-format', '--format', 'simple-signing'), words)).toThrow(
      new UsageError('--new-bundle-format=true contradicts --format simple-signing'),
    );
    expect(() => storageFormat(flags('--new-bundle-format=false', '--format', 'bundle'), words)).toThrow(
      UsageError,
    );
    expect(() => storageFormat(flags('--format', 'both'), ['simple-signing', 'bundle'])).toThrow(
      '--format must be simple-signing or bundle, not both',
    );
  });
});

describe('identityTokenSource', () => {
  const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2ln';
  it('--identity-token: the token itself, or the file holding it (as cosign reads it)', () => {
    expect(identityTokenSource(flags('--identity-token', jwt), io())).toBe(jwt);
    writeFileSync(join(dir, 'token.txt'), `${jwt}\n`);
    expect(identityTokenSource(flags('--identity-token', 'token.txt'), io())).toBe(jwt);
  });
  it('otherwise the command’s environment (SIGSTORE_ID_TOKEN), read when a certificate is asked for', async () => {
    const source = identityTokenSource(flags(), io({ SIGSTORE_ID_TOKEN: jwt }));
    expect(typeof source).toBe('function');
    await expect((source as (o: object) => Promise<string>)({})).resolves.toBe(jwt);
    const none = identityTokenSource(flags(), io()) as (o: object) => Promise<string>;
    await expect(none({})).rejects.toThrow(/no identity token: set SIGSTORE_ID_TOKEN/);
  });
});

describe('explainServiceFailure', () => {
  const live = new AbortController().signal;
  it('says the signature was not stored, keeping the error’s type (its exit code)', async () => {
    const down = new RekorUnavailableError('could not reach https://rekor.invalid/api/v1/log/entries', {
      status: 0,
    });
    const error = await explainServiceFailure(live, () => Promise.reject(down)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RekorUnavailableError);
    expect((error as Error).message).toBe(
      'could not reach https://rekor.invalid/api/v1/log/entries; the signature was not stored (--tlog-upload=false signs without a transparency log)',
    );
    expect((error as Error).message).not.toContain('\n');
  });
  it('tells a service’s own deadline from the command’s', async () => {
    const reason = new DOMException('timed out', 'TimeoutError');
    const own = new OperationTimeoutError('uploading to Rekor at http://127.0.0.1:9 timed out', {
      cause: reason,
    });
    const error = await explainServiceFailure(live, () => Promise.reject(own)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationTimeoutError);
    expect((error as Error).message).toMatch(
      /timed out \(the service's own deadline\); the signature was not stored$/,
    );
    expect((error as Error).cause).toBeUndefined();
    const command = AbortSignal.abort(reason);
    await expect(explainServiceFailure(command, () => Promise.reject(own))).rejects.toBe(own);
    await expect(explainServiceFailure(live, async () => 7)).resolves.toBe(7);
  });
});
