/**
 * cosign's registry flags: credentials that go together, a client only when a flag asks for one,
 * and the password never in a message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/exit-codes.js';
import type { CliIo } from '../../../src/cli/io.js';
import { registryFlagOptions } from '../../../src/cli/registry-flags.js';
import { RegistryClient } from '../../../src/registry/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ocisign-registry-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const io: CliIo = { out: () => {}, err: () => {}, env: {}, cwd: dir };
const SECRET = 'hunter2-registry-secret';

describe('registryFlagOptions', () => {
  it('asks for nothing without a registry flag (the command context makes the usual client)', () => {
    expect(registryFlagOptions({}, io)).toEqual({});
    expect(registryFlagOptions({ 'registry-username': '', 'registry-password': '' }, io)).toEqual({});
  });

  it('gives the options of a client for basic credentials, a bearer token or a CA file', async () => {
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
    for (const values of [
      { 'registry-username': 'ci', 'registry-password': SECRET },
      { 'registry-token': SECRET },
      { 'registry-cacert': 'ca.pem' },
    ]) {
      const options = registryFlagOptions(values, io);
      expect(Object.keys(options).length).toBe(1);
      const client = new RegistryClient(options);
      expect(client).toBeInstanceOf(RegistryClient);
      await client.close();
    }
  });

  it('refuses credentials that do not go together, without echoing them', () => {
    const refusals: Array<[object, string]> = [
      [{ 'registry-password': SECRET }, '--registry-username and --registry-password go together'],
      [{ 'registry-username': 'ci' }, '--registry-username and --registry-password go together'],
      [
        { 'registry-username': 'ci', 'registry-password': SECRET, 'registry-token': SECRET },
        'give --registry-token or --registry-username/--registry-password, not both',
      ],
    ];
    for (const [values, message] of refusals) {
      let error: unknown;
      try {
        registryFlagOptions(values, io);
      } catch (e) {
        error = e;
      }
      expect(error).toEqual(new UsageError(message));
      expect(String((error as Error).message)).not.toContain(SECRET);
    }
  });

  it('a CA file that cannot be read is an error before any request', () => {
    expect(() => registryFlagOptions({ 'registry-cacert': 'missing.pem' }, io)).toThrow(/ENOENT/);
  });
});
