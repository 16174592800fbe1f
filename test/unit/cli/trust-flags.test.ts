/**
 * What the verify commands trust (`verifyTrust`), on real Fulcio CA certificates (the chain
 * annotation of a real classic keyless signature, the CAs of the shipped public-good root): `--key`
 * keeps its tlog rule; keyless defaults to the shipped root (nothing passed, so the library uses
 * it); `--trusted-root` replaces everything; CA flags and `SIGSTORE_*` variables replace only their
 * part of the shipped root, and anchor only where cosign anchors (cosign v3.1.2
 * cli/verify/common.go `loadCertsKeylessVerification`, fulcioroots.go).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, TLOG_OPTIONS } from '../../../src/cli/args.js';
import { CERTIFICATE_OPTIONS } from '../../../src/cli/certificate-flags.js';
import { UsageError } from '../../../src/cli/exit-codes.js';
import type { CliIo } from '../../../src/cli/io.js';
import { legacyRefusal, verifyTrust } from '../../../src/cli/trust-flags.js';
import { InvalidArgumentError } from '../../../src/errors/index.js';
import { encodePem } from '../../../src/keys/pem.js';
import { isTrustedRoot, shippedTrustedRoot, type TrustedRoot } from '../../../src/sigstore/index.js';
import { pemToDer } from '../../helpers/fulcio-certs.js';
import { SHARED_DIR } from '../../helpers/vectors.js';

const KEYLESS = join(SHARED_DIR, 'vectors', 'keyless');
const KEYLESS_FLAGS = [
  '--certificate-identity',
  'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1',
  '--certificate-oidc-issuer',
  'https://token.actions.githubusercontent.com',
];
let dir: string;
/** What `verifyTrust` showed its legacy check, in order. */
const seenLegacy: unknown[] = [];

/** The Fulcio intermediate and root PEM of a real classic signature's chain annotation. */
const chainPem = (): string =>
  JSON.parse(readFileSync(join(KEYLESS, 'classic-github-actions', 'layer.json'), 'utf8')).annotations[
    'dev.sigstore.cosign/chain'
  ];
const certPem = (der: Uint8Array) => encodePem('CERTIFICATE', der);
const caCerts = (root: TrustedRoot, i: number) =>
  root.certificateAuthorities[i]?.certChain.certificates.map((c) => c.rawBytes) ?? [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocisign-trust-flags-'));
  const shipped = shippedTrustedRoot();
  const [intermediate, root] = caCerts(shipped, 1) as [Uint8Array, Uint8Array];
  writeFileSync(join(dir, 'chain.pem'), chainPem());
  writeFileSync(join(dir, 'chain-root-first.pem'), certPem(root) + certPem(intermediate));
  writeFileSync(join(dir, 'root.pem'), certPem(root));
  writeFileSync(join(dir, 'intermediate.pem'), certPem(intermediate));
  writeFileSync(join(dir, 'root-2021.pem'), certPem(caCerts(shipped, 0)[0] as Uint8Array));
  writeFileSync(
    join(dir, 'rekor.pub'),
    encodePem('PUBLIC KEY', shipped.tlogs[0]?.publicKey.rawBytes as Uint8Array),
  );
  writeFileSync(join(dir, 'trusted_root.json'), JSON.stringify(shipped.json));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function trust(args: string[], env: Record<string, string> = {}) {
  const io: CliIo = { out: () => {}, err: () => {}, env, cwd: dir };
  const { values } = parse([...args, 'img'], {
    key: { type: 'string' },
    ...TLOG_OPTIONS,
    ...CERTIFICATE_OPTIONS,
  });
  return verifyTrust(values, io, (legacy) => {
    seenLegacy.push(legacy);
  });
}

function rootOf(args: string[], env: Record<string, string> = {}): TrustedRoot {
  const root = trust(args, env).options.trustedRoot;
  expect(isTrustedRoot(root)).toBe(true);
  return root as TrustedRoot;
}

describe('verifyTrust with --key', () => {
  it('loads the key and keeps the tlog rule: a choice is required, SIGSTORE_REKOR_PUBLIC_KEY is one', () => {
    expect(() => trust(['--key', 'cosign.pub'])).toThrow(UsageError);
    expect(trust(['--key', 'cosign.pub', '--insecure-ignore-tlog'])).toEqual({
      key: 'cosign.pub',
      options: { ignoreTlog: true },
      legacy: undefined,
      ignored: [],
    });
    const withEnv = trust(['--key', 'cosign.pub'], { SIGSTORE_REKOR_PUBLIC_KEY: 'rekor.pub' });
    expect(withEnv.options.rekorPublicKeys).toEqual([readFileSync(join(dir, 'rekor.pub'), 'utf8')]);
    expect(withEnv.options.trustedRoot).toBeUndefined();
  });
});

describe('verifyTrust keyless', () => {
  it('needs no tlog choice and passes no root: the library uses the shipped public-good root', () => {
    expect(trust(KEYLESS_FLAGS)).toEqual({
      key: undefined,
      options: {
        ignoreTlog: false,
        identities: [{ subject: KEYLESS_FLAGS[1], issuer: KEYLESS_FLAGS[3] }],
        ignoreSct: false,
        useSignedTimestamps: false,
      },
      legacy: undefined,
      ignored: [],
    });
  });

  it('--trusted-root is read and replaces everything, SIGSTORE_* variables included', () => {
    const result = trust([...KEYLESS_FLAGS, '--trusted-root', 'trusted_root.json'], {
      SIGSTORE_REKOR_PUBLIC_KEY: 'rekor.pub',
    });
    expect(result.legacy).toBeUndefined();
    expect(isTrustedRoot(result.options.trustedRoot)).toBe(true);
    writeFileSync(join(dir, 'not-a-root.json'), '{"tlogs": 3}');
    expect(() => trust([...KEYLESS_FLAGS, '--trusted-root', 'not-a-root.json'])).toThrow(
      InvalidArgumentError,
    );
  });

  it('--certificate-chain: one CA anchored at its last certificate; Rekor and CT logs stay public-good', () => {
    const result = trust([...KEYLESS_FLAGS, '--certificate-chain', 'chain.pem']);
    expect(result.legacy).toEqual({ ca: { chain: 'chain.pem' }, variables: [] });
    const root = rootOf([...KEYLESS_FLAGS, '--certificate-chain', 'chain.pem']);
    expect(root.certificateAuthorities).toHaveLength(1);
    expect(caCerts(root, 0)).toEqual(caCerts(shippedTrustedRoot(), 1));
    expect(root.tlogs).toEqual(shippedTrustedRoot().tlogs);
    expect(root.ctlogs).toEqual(shippedTrustedRoot().ctlogs);
  });

  it('--certificate-chain whose last certificate is not the root is refused (cosign takes the last as root)', () => {
    expect(() => trust([...KEYLESS_FLAGS, '--certificate-chain', 'chain-root-first.pem'])).toThrow(
      new InvalidArgumentError(
        'a CA certificate given does not chain up to the last certificate of --certificate-chain',
      ),
    );
  });

  it('--ca-roots with --ca-intermediates: one chain to the root given', () => {
    const root = rootOf([
      ...KEYLESS_FLAGS,
      '--ca-roots',
      'root.pem',
      '--ca-intermediates',
      'intermediate.pem',
    ]);
    expect(caCerts(root, 0)).toEqual(caCerts(shippedTrustedRoot(), 1));
    expect(rootOf([...KEYLESS_FLAGS, '--ca-roots', 'root.pem']).certificateAuthorities).toHaveLength(1);
  });

  it('an intermediate that chains to none of --ca-roots is refused, not made a trust anchor', () => {
    expect(() =>
      trust([...KEYLESS_FLAGS, '--ca-roots', 'root-2021.pem', '--ca-intermediates', 'intermediate.pem']),
    ).toThrow(/does not chain up to a certificate of --ca-roots/);
  });

  it('SIGSTORE_REKOR_PUBLIC_KEY replaces only the Rekor logs of the shipped root', () => {
    const env = { SIGSTORE_REKOR_PUBLIC_KEY: 'rekor.pub' };
    expect(trust(KEYLESS_FLAGS, env).legacy).toEqual({
      ca: undefined,
      variables: ['SIGSTORE_REKOR_PUBLIC_KEY'],
    });
    const root = rootOf(KEYLESS_FLAGS, env);
    expect(root.tlogs.map((t) => t.publicKey.rawBytes)).toEqual([
      shippedTrustedRoot().tlogs[0]?.publicKey.rawBytes,
    ]);
    expect(root.certificateAuthorities).toEqual(shippedTrustedRoot().certificateAuthorities);
    expect(trust(KEYLESS_FLAGS, { SIGSTORE_REKOR_PUBLIC_KEY: '' }).legacy).toBeUndefined();
  });

  it('SIGSTORE_ROOT_FILE anchors at its self-signed certificates; CA flags win over it', () => {
    const root = rootOf(KEYLESS_FLAGS, { SIGSTORE_ROOT_FILE: 'chain.pem' });
    expect(caCerts(root, 0)).toEqual(caCerts(shippedTrustedRoot(), 1));
    expect(() => trust(KEYLESS_FLAGS, { SIGSTORE_ROOT_FILE: 'intermediate.pem' })).toThrow(
      /does not chain up to a self-signed certificate of SIGSTORE_ROOT_FILE/,
    );
    const both = rootOf([...KEYLESS_FLAGS, '--ca-roots', 'root-2021.pem'], {
      SIGSTORE_ROOT_FILE: 'chain.pem',
    });
    expect(caCerts(both, 0)).toEqual(caCerts(shippedTrustedRoot(), 0));
  });

  it('a PEM file without a certificate names the flag', () => {
    expect(() => trust([...KEYLESS_FLAGS, '--ca-roots', 'rekor.pub'])).toThrow(InvalidArgumentError);
  });
});

describe('verifyTrust: the legacy check', () => {
  it('sees legacy material before any of its files is read, and its refusal comes first', () => {
    const io: CliIo = { out: () => {}, err: () => {}, env: {}, cwd: dir };
    const { values } = parse([...KEYLESS_FLAGS, '--ca-roots', 'missing.pem', 'img'], {
      key: { type: 'string' },
      ...TLOG_OPTIONS,
      ...CERTIFICATE_OPTIONS,
    });
    const refusal = new UsageError('no legacy material here');
    expect(() =>
      verifyTrust(values, io, () => {
        throw refusal;
      }),
    ).toThrow(refusal);
    seenLegacy.length = 0;
    expect(() => trust([...KEYLESS_FLAGS, '--ca-roots', 'missing.pem'])).toThrow(/ENOENT/);
    expect(seenLegacy).toEqual([{ ca: { roots: 'missing.pem' }, variables: [] }]);
  });

  it('is not called without legacy material, nor with --trusted-root, nor with --key', () => {
    seenLegacy.length = 0;
    trust(KEYLESS_FLAGS);
    trust([...KEYLESS_FLAGS, '--trusted-root', 'trusted_root.json'], { SIGSTORE_ROOT_FILE: 'chain.pem' });
    trust(['--key', 'k.pub', '--insecure-ignore-tlog'], { SIGSTORE_ROOT_FILE: 'chain.pem' });
    expect(seenLegacy).toEqual([]);
  });
});

describe('legacyRefusal', () => {
  it("gives cosign's words for a Sigstore bundle with legacy material", () => {
    expect(legacyRefusal({ ca: { chain: 'c.pem' }, variables: [] })).toMatch(
      /^unsupported: certificate chain must be in bundle and may not be provided using --certificate-chain when using --new-bundle-format/,
    );
    expect(legacyRefusal({ ca: { roots: 'r.pem' }, variables: [] })).toBe(
      'unsupported: CA roots/intermediates must be provided using --trusted-root when using --new-bundle-format',
    );
    expect(legacyRefusal({ ca: undefined, variables: ['SIGSTORE_REKOR_PUBLIC_KEY'] })).toMatch(
      /^trusted root is required when using new bundle format: SIGSTORE_REKOR_PUBLIC_KEY switch/,
    );
  });
});

// The shipped root's first CA is the 2021 single-certificate root; its second the current chain.
it('the fixtures are what the tests assume', () => {
  expect(caCerts(shippedTrustedRoot(), 0)).toHaveLength(1);
  expect(caCerts(shippedTrustedRoot(), 1)).toHaveLength(2);
  expect(pemToDer(chainPem())).toEqual(caCerts(shippedTrustedRoot(), 1)[0]);
});
