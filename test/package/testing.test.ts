/**
 * `ocisign/testing` as users get it (needs `npm run build` first): `startSigstore()` from the
 * built package, from ESM and from CommonJS, gives a trusted root the built `ocisign/sigstore`
 * recognizes as its own (one module instance across subpaths) and a signing config
 * protobuf-specs reads, and closes.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Starts the built double, reports what a user would check, closes it. */
const BODY = `
  const sigstore = await startSigstore({ rekorApi: 1 });
  const config = SigningConfig.fromJSON(sigstore.signingConfig);
  const out = {
    exports: Object.keys(testing).sort(),
    isTrustedRoot: isTrustedRoot(sigstore.trustedRoot),
    tlogs: sigstore.trustedRoot.tlogs.map((t) => t.baseUrl === sigstore.rekorUrl),
    logs: config.rekorTlogUrls.map((s) => s.majorApiVersion),
    tsa: config.tsaUrls.map((s) => s.url === sigstore.tsaUrl),
  };
  await sigstore.close();
  process.stdout.write(JSON.stringify(out));`;

function run(args: string[]): unknown {
  return JSON.parse(
    execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

const EXPECTED = {
  isTrustedRoot: true,
  tlogs: [true, true],
  logs: [1],
  tsa: [true],
};

describe('ocisign/testing, built', () => {
  it('startSigstore works from ESM, and its root is ocisign/sigstore’s', () => {
    const script = `
      import * as testing from 'ocisign/testing';
      import { startSigstore } from 'ocisign/testing';
      import { isTrustedRoot } from 'ocisign/sigstore';
      import { SigningConfig } from '@sigstore/protobuf-specs';
      ${BODY}`;
    const out = run(['--input-type=module', '-e', script]) as { exports: string[] };
    expect(out).toMatchObject(EXPECTED);
    expect(out.exports).toEqual(
      expect.arrayContaining([
        'SIGNING_CONFIG_MEDIA_TYPE',
        'startKmsEmulator',
        'startRegistry',
        'startSigstore',
      ]),
    );
  });

  it('startSigstore works from CommonJS (require of the ESM build)', () => {
    const script = `
      const testing = require('ocisign/testing');
      const { startSigstore } = testing;
      const { isTrustedRoot } = require('ocisign/sigstore');
      const { SigningConfig } = require('@sigstore/protobuf-specs');
      (async () => { ${BODY} })().catch((e) => { console.error(e); process.exit(1); });`;
    expect(run(['--input-type=commonjs', '-e', script])).toMatchObject(EXPECTED);
  });
});
