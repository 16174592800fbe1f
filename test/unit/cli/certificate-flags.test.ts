/**
 * cosign's certificate flags as `signerFlags` reads them (cosign v3.1.2 options/certificate.go,
 * options/errors.go, cli/verify/verify.go): each flag lands in the one identity it belongs to, `""`
 * counts as not given, and every exclusion and requirement is a usage error with cosign's words.
 */
import { describe, expect, it } from 'vitest';
import { parse, TLOG_OPTIONS } from '../../../src/cli/args.js';
import {
  CERTIFICATE_OPTIONS,
  KEY_AND_IDENTITY_MESSAGE,
  signerFlags,
} from '../../../src/cli/certificate-flags.js';
import { UsageError } from '../../../src/cli/exit-codes.js';

const ID = [
  '--certificate-identity',
  'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1',
];
const ISSUER = ['--certificate-oidc-issuer', 'https://token.actions.githubusercontent.com'];

/** The flags as a verify command parses them. */
function flags(...args: string[]) {
  return signerFlags(
    parse([...args, 'img'], { key: { type: 'string' }, ...TLOG_OPTIONS, ...CERTIFICATE_OPTIONS }).values,
  );
}

function usageError(...args: string[]): string {
  try {
    flags(...args);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no usage error for ${args.join(' ')}`);
}

describe('signerFlags: what the flags mean', () => {
  it('exact identity and issuer make one identity; the defaults check SCTs and take no TSA time', () => {
    expect(flags(...ID, ...ISSUER)).toEqual({
      kind: 'keyless',
      identity: { subject: ID[1], issuer: ISSUER[1] },
      ignoreSct: false,
      useSignedTimestamps: false,
      ca: undefined,
    });
  });

  it('regexps, the five GitHub flags and the SCT/TSA switches', () => {
    const result = flags(
      '--certificate-identity-regexp',
      '^https://github\\.com/acme/',
      '--certificate-oidc-issuer-regexp',
      '^https://token\\.actions\\.',
      '--certificate-github-workflow-trigger',
      'push',
      '--certificate-github-workflow-sha',
      '7624bd5f',
      '--certificate-github-workflow-name',
      'Release',
      '--certificate-github-workflow-repository',
      'acme/app',
      '--certificate-github-workflow-ref',
      'refs/tags/v1',
      '--insecure-ignore-sct',
      '--use-signed-timestamps',
    );
    expect(result).toEqual({
      kind: 'keyless',
      identity: {
        subjectRegExp: '^https://github\\.com/acme/',
        issuerRegExp: '^https://token\\.actions\\.',
        github: {
          trigger: 'push',
          sha: '7624bd5f',
          name: 'Release',
          repository: 'acme/app',
          ref: 'refs/tags/v1',
        },
      },
      ignoreSct: true,
      useSignedTimestamps: true,
      ca: undefined,
    });
  });

  it('an exact issuer and an issuer regexp together are accepted, as cosign accepts them', () => {
    const result = flags(...ID, ...ISSUER, '--certificate-oidc-issuer-regexp', '^https://');
    expect(result.kind === 'keyless' && result.identity).toEqual({
      subject: ID[1],
      issuer: ISSUER[1],
      issuerRegExp: '^https://',
    });
  });

  it('the CA flags: a chain file, or roots with optional intermediates', () => {
    const ca = (...args: string[]) => {
      const result = flags(...ID, ...ISSUER, ...args);
      return result.kind === 'keyless' ? result.ca : 'not keyless';
    };
    expect(ca('--certificate-chain', 'chain.pem')).toEqual({ chain: 'chain.pem' });
    expect(ca('--ca-roots', 'roots.pem')).toEqual({ roots: 'roots.pem' });
    expect(ca('--ca-roots', 'roots.pem', '--ca-intermediates', 'im.pem')).toEqual({
      roots: 'roots.pem',
      intermediates: 'im.pem',
    });
  });

  it('a flag given as "" is not given, as Go reads an empty string', () => {
    expect(usageError('--certificate-identity=', ...ISSUER)).toMatch(/^--certificate-identity or/);
    const result = flags(...ID, ...ISSUER, '--certificate-github-workflow-ref=');
    expect(result.kind === 'keyless' && result.identity).toEqual({ subject: ID[1], issuer: ISSUER[1] });
    expect(flags('--key', 'cosign.pub', '--certificate-identity=')).toEqual(
      expect.objectContaining({ kind: 'key' }),
    );
  });

  it('--key keeps its meaning, and names the certificate flags cosign ignores next to it', () => {
    expect(flags('--key', 'cosign.pub')).toEqual({ kind: 'key', key: 'cosign.pub', ignored: [] });
    expect(
      flags(
        '--key',
        'cosign.pub',
        ...ISSUER,
        '--certificate-github-workflow-ref',
        'refs/tags/v1',
        '--insecure-ignore-sct',
      ),
    ).toEqual({
      kind: 'key',
      key: 'cosign.pub',
      ignored: ['--certificate-oidc-issuer', '--certificate-github-workflow-ref'],
    });
  });
});

describe("signerFlags: cosign's exclusions and requirements", () => {
  it('--key with --certificate-identity or --certificate-identity-regexp: KeyAndIdentityParseError', () => {
    expect(usageError('--key', 'cosign.pub', ...ID)).toBe(KEY_AND_IDENTITY_MESSAGE);
    expect(usageError('--key', 'cosign.pub', '--certificate-identity-regexp', 'x')).toBe(
      KEY_AND_IDENTITY_MESSAGE,
    );
    expect(KEY_AND_IDENTITY_MESSAGE).toMatch(
      /^exactly one of: key reference \(--key\) or certificate identity/,
    );
  });

  it('--certificate-identity with --certificate-identity-regexp: the same error (NOf > 1)', () => {
    expect(usageError(...ID, '--certificate-identity-regexp', '^https://', ...ISSUER)).toBe(
      KEY_AND_IDENTITY_MESSAGE,
    );
  });

  it('keyless needs an identity flag, then an issuer flag', () => {
    expect(usageError()).toBe(
      '--certificate-identity or --certificate-identity-regexp is required for verification in keyless mode (or verify with --key)',
    );
    expect(usageError(...ISSUER)).toMatch(
      /^--certificate-identity or --certificate-identity-regexp is required/,
    );
    expect(usageError(...ID)).toBe(
      '--certificate-oidc-issuer or --certificate-oidc-issuer-regexp is required for verification in keyless mode',
    );
    // GitHub flags alone are no identity.
    expect(usageError('--certificate-github-workflow-repository', 'acme/app', ...ISSUER)).toMatch(
      /is required/,
    );
  });

  it("--ca-roots or --ca-intermediates with --certificate-chain: cobra's exclusive-group message", () => {
    expect(usageError(...ID, ...ISSUER, '--ca-roots', 'r.pem', '--certificate-chain', 'c.pem')).toBe(
      'if any flags in the group [ca-roots certificate-chain] are set none of the others can be; [ca-roots certificate-chain] were all set',
    );
    expect(
      usageError(
        ...ID,
        ...ISSUER,
        '--certificate-chain',
        'c.pem',
        '--ca-intermediates',
        'i.pem',
        '--ca-roots',
        'r.pem',
      ),
    ).toMatch(/^if any flags in the group \[ca-roots certificate-chain\]/);
    expect(usageError(...ID, ...ISSUER, '--ca-intermediates', 'i.pem', '--certificate-chain', 'c.pem')).toBe(
      'if any flags in the group [ca-intermediates certificate-chain] are set none of the others can be; [ca-intermediates certificate-chain] were all set',
    );
    // cobra counts a flag set to "" as set; checked before --key, as cobra checks groups before RunE.
    expect(usageError('--key', 'k', '--ca-roots=', '--certificate-chain', 'c.pem')).toMatch(/^if any flags/);
  });

  it('--ca-intermediates needs --ca-roots (cosign would silently ignore it)', () => {
    expect(usageError(...ID, ...ISSUER, '--ca-intermediates', 'i.pem')).toBe(
      '--ca-intermediates must be used together with --ca-roots',
    );
  });

  it('CA flags next to --trusted-root are refused rather than ignored', () => {
    for (const flag of ['--certificate-chain', '--ca-roots'])
      expect(usageError(...ID, ...ISSUER, '--trusted-root', 'root.json', flag, 'x.pem')).toBe(
        `${flag} cannot be used with --trusted-root: put the CA certificates in the trusted root (cosign would ignore ${flag} there)`,
      );
  });

  it('--use-signed-timestamps with --key is refused: ocisign checks timestamps only on certificates', () => {
    expect(usageError('--key', 'cosign.pub', '--use-signed-timestamps')).toMatch(
      /^--use-signed-timestamps is not supported with --key/,
    );
  });
});
