/**
 * The executable (dist/cli/bin.js) refuses a flag mistake before it does any work: a bad
 * `--output` before writing keys or loading `--key`; on `sign` and `attest`, a cosign flag ocisign
 * refuses (`--sk`) or a boolean that is not one (`--tlog-upload=maybe`), before the key is read.
 * Offline: no registry, no KMS. Needs `npm run build`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '..', '..', '..', 'dist', 'cli', 'bin.js');
let dir: string;

function ocisign(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, timeout: 30_000 },
      (error, stdout, stderr) =>
        done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 99, stdout, stderr }),
    );
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocisign-cli-flags-'));
  writeFileSync(join(dir, 'predicate.json'), '{}');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('flag mistakes come before work', () => {
  it('generate-key-pair --output yaml writes no key', async () => {
    const run = await ocisign(['generate-key-pair', '--output', 'yaml'], { COSIGN_PASSWORD: 'p' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--output must be json or text, not yaml');
    expect(existsSync(join(dir, 'cosign.key'))).toBe(false);
    expect(existsSync(join(dir, 'cosign.pub'))).toBe(false);
  });

  it('sign --output yaml is a usage error before the key is read', async () => {
    const run = await ocisign(['sign', '--key', 'missing.key', '--output', 'yaml', '127.0.0.1:1/a/b:v1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--output must be json or text, not yaml');
  });

  it('sign and attest refuse --sk by name and --tlog-upload=maybe before the key is read', async () => {
    for (const command of [['sign'], ['attest', '--predicate', 'predicate.json']]) {
      for (const [flag, message] of [
        ['--sk', '--sk is not supported: ocisign signs with key files, KMS keys'],
        ['--tlog-upload=maybe', 'invalid argument "maybe" for "--tlog-upload" flag: it takes true or false'],
      ] as const) {
        const run = await ocisign([...command, '--key', 'missing.key', flag, '127.0.0.1:1/a/b:v1']);
        expect(run.code, `${command[0]} ${flag}: ${run.stderr}`).toBe(2);
        expect(run.stderr).toContain(message);
        expect(run.stderr).not.toContain('missing.key');
      }
    }
  });
});
