import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryAuthError } from '../../../src/errors/index.js';
import { parseChallenges } from '../../../src/registry/auth/challenge.js';
import { configKeyHost, dockerConfigCredentials } from '../../../src/registry/auth/docker-config.js';
import { chainCredentials, staticCredentials } from '../../../src/registry/index.js';

describe('WWW-Authenticate parsing', () => {
  it('reads a Bearer challenge', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/ubuntu:pull',
        },
      },
    ]);
  });

  it('reads several challenges, unquoted values, spacing and escapes', () => {
    expect(parseChallenges('Basic realm="a \\"b\\"", Bearer realm=https://x/token , service = reg')).toEqual([
      { scheme: 'basic', params: { realm: 'a "b"' } },
      { scheme: 'bearer', params: { realm: 'https://x/token', service: 'reg' } },
    ]);
  });

  it('tolerates garbage', () => {
    expect(parseChallenges(undefined)).toEqual([]);
    expect(() => parseChallenges('=,,"""  ;;')).not.toThrow();
  });
});

describe('Docker config credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocisign-docker-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, config: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(config));
    return path;
  };

  it('matches auths by exact host, including URL-shaped keys and Docker Hub’s legacy key', async () => {
    const path = write('auths.json', {
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpass').toString('base64') },
        'registry.example:5000': { username: 'u', password: 'p' },
        'https://ghcr.io': { identitytoken: 'refresh-123' },
        'example.com': { auth: Buffer.from('a:b').toString('base64') },
      },
    });
    const provider = dockerConfigCredentials({ path });
    expect(await provider.credentials('index.docker.io')).toEqual({
      username: 'hubuser',
      password: 'hubpass',
    });
    expect(await provider.credentials('registry.example:5000')).toEqual({ username: 'u', password: 'p' });
    expect(await provider.credentials('ghcr.io')).toEqual({ identityToken: 'refresh-123' });
    expect(await provider.credentials('sub.example.com')).toBeUndefined();
    expect(await provider.credentials('registry.example')).toBeUndefined();
  });

  it('runs credHelpers and credsStore helpers with the server URL on stdin', async () => {
    const bin = join(dir, 'bin');
    rmSync(bin, { recursive: true, force: true });
    mkdirSync(bin);
    const helper = join(bin, 'docker-credential-fake');
    writeFileSync(
      helper,
      '#!/bin/sh\nread server\nif [ "$server" = "helped.example" ]; then echo "{\\"ServerURL\\":\\"$server\\",\\"Username\\":\\"hu\\",\\"Secret\\":\\"hs\\"}"; exit 0; fi\nif [ "$server" = "https://index.docker.io/v1/" ]; then echo "{\\"Username\\":\\"<token>\\",\\"Secret\\":\\"idtok\\"}"; exit 0; fi\necho "credentials not found in native keychain"; exit 1\n',
    );
    chmodSync(helper, 0o755);
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath}`;
    try {
      const perHost = dockerConfigCredentials({
        path: write('helpers.json', { credHelpers: { 'helped.example': 'fake' } }),
      });
      expect(await perHost.credentials('helped.example')).toEqual({ username: 'hu', password: 'hs' });
      expect(await perHost.credentials('other.example')).toBeUndefined();
      const store = dockerConfigCredentials({ path: write('store.json', { credsStore: 'fake' }) });
      expect(await store.credentials('index.docker.io')).toEqual({ identityToken: 'idtok' });
      expect(await store.credentials('nowhere.example')).toBeUndefined();
      const missing = dockerConfigCredentials({
        path: write('missing.json', { credsStore: 'not-installed' }),
      });
      await expect(missing.credentials('x.example')).rejects.toThrow(/not on PATH/);
    } finally {
      process.env.PATH = oldPath;
    }
  });

  it('treats a missing config as no credentials, and a broken one as a typed error', async () => {
    expect(
      await dockerConfigCredentials({ path: join(dir, 'absent', 'config.json') }).credentials('x.example'),
    ).toBeUndefined();
    writeFileSync(join(dir, 'broken.json'), '{not json');
    await expect(
      dockerConfigCredentials({ path: join(dir, 'broken.json') }).credentials('x.example'),
    ).rejects.toBeInstanceOf(RegistryAuthError);
  });

  it('takes the host part of config keys', () => {
    expect(configKeyHost('https://index.docker.io/v1/')).toBe('index.docker.io');
    expect(configKeyHost('http://localhost:5000')).toBe('localhost:5000');
    expect(configKeyHost('ghcr.io')).toBe('ghcr.io');
  });
});

describe('credential providers', () => {
  it('chain in order', async () => {
    const chain = chainCredentials(
      staticCredentials({ a: { username: '1', password: '1' } }),
      staticCredentials({ a: { username: '2', password: '2' }, b: { registryToken: 't' } }),
    );
    expect(await chain.credentials('a')).toEqual({ username: '1', password: '1' });
    expect(await chain.credentials('b')).toEqual({ registryToken: 't' });
    expect(await chain.credentials('c')).toBeUndefined();
  });
});
