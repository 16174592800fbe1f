/**
 * The registry layer's small documents and its defences, case by case: Docker config files of the
 * wrong shape, credential-helper output, credential providers that answer garbage, token responses,
 * tag lists, error bodies, the secret redactor, mirror URLs with credentials, and references that
 * are not strings. Each is a typed error (or a safe default), never a TypeError.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  InvalidReferenceError,
  RegistryAuthError,
  RegistryResponseError,
} from '../../../src/errors/index.js';
import { parseTokenResponse } from '../../../src/registry/auth/authenticator.js';
import { dockerConfigCredentials, parseDockerConfig } from '../../../src/registry/auth/docker-config.js';
import { parseTagList } from '../../../src/registry/documents.js';
import { Endpoints } from '../../../src/registry/endpoint.js';
import { nextLink } from '../../../src/registry/headers.js';
import { parseManifest, parseReference, RegistryClient } from '../../../src/registry/index.js';
import { SecretRedactor, sanitizeText, scrubCredentialShapes } from '../../../src/registry/redact.js';
import { parseErrorBody } from '../../../src/registry/response-errors.js';
import { startMaliciousRegistry } from '../../helpers/malicious-registry.js';

const enc = (text: string) => new TextEncoder().encode(text);

describe('Docker config files of the wrong shape', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocisign-docker-shapes-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const provider = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return dockerConfigCredentials({ path });
  };

  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['auths a string', '{"auths":"x"}'],
    ['an auth entry a number', '{"auths":{"r.example":5}}'],
    ['auth a number', '{"auths":{"r.example":{"auth":5}}}'],
    ['credHelpers an array', '{"credHelpers":["x"]}'],
    ['a helper name a number', '{"credHelpers":{"r.example":7}}'],
    ['credsStore an object', '{"credsStore":{}}'],
  ])('refuses %s with RegistryAuthError naming the field', async (_name, text) => {
    const error = await provider(`${_name}.json`, text)
      .credentials('r.example')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryAuthError);
    expect((error as Error).message).toContain('Docker config');
  });

  it('reads a null entry, null members and null sections as no credentials', async () => {
    expect(
      await provider('null-entry.json', '{"auths":{"r.example":null}}').credentials('r.example'),
    ).toBeUndefined();
    expect(
      await provider(
        'null-members.json',
        '{"auths":{"r.example":{"auth":null,"username":null}},"credHelpers":null}',
      ).credentials('r.example'),
    ).toBeUndefined();
  });

  it('refuses an auth entry that is not strict base64 of user:password, without echoing it', async () => {
    const error = await provider('bad-auth.json', '{"auths":{"r.example":{"auth":"c2VjcmV0!!"}}}')
      .credentials('r.example')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryAuthError);
    expect((error as Error).message).not.toContain('c2VjcmV0');
  });

  it('names the bad field but never a value', () => {
    expect(() => parseDockerConfig('{"auths":{"r.example":{"password":["hunter2"]}}}', 'c.json')).toThrow(
      /\/auths\/r\.example\/password/,
    );
    expect(() => parseDockerConfig('{"auths":{"r.example":{"password":["hunter2"]}}}', 'c.json')).not.toThrow(
      /hunter2/,
    );
  });

  it('treats credential helper output of the wrong shape as a typed error', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    const helper = join(bin, 'docker-credential-odd');
    writeFileSync(
      helper,
      '#!/bin/sh\nread server\nif [ "$server" = "null.example" ]; then echo null; else echo \'{"Secret":5}\'; fi\n',
    );
    chmodSync(helper, 0o755);
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath}`;
    try {
      const store = provider('odd.json', '{"credsStore":"odd"}');
      await expect(store.credentials('null.example')).rejects.toBeInstanceOf(RegistryAuthError);
      await expect(store.credentials('number.example')).rejects.toBeInstanceOf(RegistryAuthError);
    } finally {
      process.env.PATH = oldPath;
    }
  });
});

describe('credential providers that answer garbage', () => {
  it.each([
    ['null', null],
    ['a string', 'user:pass'],
    ['a number password', { username: 'u', password: 5 }],
    ['a registry token with a newline', { registryToken: 'a\r\nX-Evil: 1' }],
  ])('is an InvalidArgumentError when a provider answers %s', async (_name, answer) => {
    const registry = await startMaliciousRegistry(() => ({
      status: 401,
      headers: { 'www-authenticate': 'Basic realm="x"' },
    }));
    const client = new RegistryClient({
      dockerConfig: false,
      credentials: { credentials: async () => answer as never },
      retry: { retries: 0 },
    });
    try {
      await expect(client.getManifest(`${registry.host}/app:v1`)).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      expect(registry.requests.every((r) => !String(r.headers.authorization).includes('\n'))).toBe(true);
    } finally {
      await client.close();
      await registry.close();
    }
  });
});

describe('token responses, tag lists and error bodies', () => {
  it('reads token, access_token, expires_in and refresh_token', () => {
    expect(parseTokenResponse(enc('{"token":"t1","expires_in":120}'), 'h')).toEqual({
      token: 't1',
      expiresInSeconds: 120,
    });
    expect(parseTokenResponse(enc('{"token":"","access_token":"a1","refresh_token":"r"}'), 'h')).toEqual({
      token: 'a1',
      expiresInSeconds: 60,
      refreshToken: 'r',
    });
    expect(parseTokenResponse(enc('{"token":"t","expires_in":-5}'), 'h').expiresInSeconds).toBe(60);
  });

  it.each(['null', '[]', '{"token":5}', '{"token":"a b"}', '{"token":"t","expires_in":"60"}', '"t"', '{'])(
    'refuses the token response %s',
    (body) => {
      expect(() => parseTokenResponse(enc(body), 'h')).toThrow(RegistryResponseError);
    },
  );

  it('reads tag lists, null tags as none, and refuses other shapes', () => {
    expect(parseTagList(enc('{"name":"a","tags":["x","y"]}'), 'a')).toEqual(['x', 'y']);
    expect(parseTagList(enc('{"name":"a","tags":null}'), 'a')).toEqual([]);
    for (const body of ['null', '"x"', '5', '{"tags":"x"}', '{"tags":[1]}'])
      expect(() => parseTagList(enc(body), 'a')).toThrow(RegistryResponseError);
  });

  it('reads a distribution error body, ignoring codes that are not codes', () => {
    expect(parseErrorBody(enc('{"errors":[{"code":"DENIED","message":"no"}]}'))).toEqual({
      code: 'DENIED',
      message: 'no',
    });
    expect(parseErrorBody(enc('{"errors":[{"code":"de nied\\n","message":5}]}'))).toEqual({});
    for (const body of ['null', '{"errors":"x"}', '{"errors":[null]}', '[', '{"errors":{"0":{"code":"X"}}}'])
      expect(parseErrorBody(enc(body))).toEqual({});
  });
});

describe('redaction', () => {
  it('removes known secrets in every encoding, and credential-shaped text', () => {
    const redactor = new SecretRedactor();
    redactor.addBasic('alice', 'p@ss w0rd+');
    redactor.add('refresh-123456');
    const text = [
      'p@ss w0rd+',
      Buffer.from('alice:p@ss w0rd+').toString('base64'),
      encodeURIComponent('p@ss w0rd+'),
      'refresh_token=refresh-123456',
      'Bearer abcdefgh.ijkl',
      '"password": "other-secret"',
      'eyJhbGciOi.eyJzdWIiOi.sig',
    ].join(' | ');
    const out = redactor.scrub(text);
    for (const secret of ['p@ss', 'YWxpY2U6', 'refresh-123456', 'abcdefgh', 'other-secret', 'eyJhbGciOi'])
      expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED]');
  });

  it('keeps ordinary words, and removes control and bidi characters', () => {
    expect(scrubCredentialShapes('Basic realm required; token expired')).toBe(
      'Basic realm required; token expired',
    );
    expect(sanitizeText('a\nb\u001b[31mc\u202ed', 100)).toBe('a b [31mc d');
    expect(sanitizeText('x'.repeat(300), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});

describe('keys a registry chose, in error paths', () => {
  it('scrubs control characters and credential-shaped text from the path in the message and the cause', () => {
    const doc = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [],
      annotations: { 'Bearer abcdefghijkl\n\u001b[31mFAKE': 5 },
    };
    const error = (() => {
      try {
        parseManifest(new TextEncoder().encode(JSON.stringify(doc)));
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(RegistryResponseError);
    for (const text of [error?.message ?? '', String((error?.cause as Error | undefined)?.message)]) {
      expect(text).toContain('/annotations/');
      expect(text).not.toContain('abcdefghijkl');
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
      expect(text).not.toMatch(/[\u0000-\u001f]/);
    }
  });
});

describe('other boundaries', () => {
  it('refuses a mirror URL with credentials in it, without echoing them', () => {
    expect(() => new Endpoints({ mirrors: { 'ghcr.io': 'https://u:secret@mirror.example' } })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new Endpoints({ mirrors: { 'ghcr.io': 'https://u:secret@mirror.example' } })).not.toThrow(
      /secret/,
    );
    expect(() => new Endpoints({ mirrors: { 'ghcr.io': 'not a url secret' } })).not.toThrow(/secret/);
  });

  it('refuses timeouts and limits that are not positive numbers (NaN would fire every timer at once)', () => {
    for (const options of [
      { timeoutMs: Number.NaN },
      { documentTimeoutMs: 0 },
      { bodyTimeoutMs: -1 },
      { maxManifestBytes: Number.POSITIVE_INFINITY },
    ])
      expect(() => new RegistryClient({ dockerConfig: false, ...options })).toThrow(InvalidArgumentError);
  });

  it('refuses references that are not strings with InvalidReferenceError', () => {
    for (const input of [Object.create(null), { toString: null }, null, 5, Symbol('x')])
      expect(() => parseReference(input as string)).toThrow(InvalidReferenceError);
  });

  it('reads Link relations however they are spelled, and nothing that is not one', () => {
    const current = new URL('http://r.example/v2/a/tags/list');
    expect(nextLink('</p2>; title="a, b"; rel="prev next"', current)?.pathname).toBe('/p2');
    expect(nextLink('</p1>; rel=prev, </p2>; REL=Next', current)?.pathname).toBe('/p2');
    expect(nextLink('</p2>; rel="nextpage"', current)).toBeUndefined();
    expect(nextLink('<http://[>; rel="next"', current)).toBeUndefined();
  });
});
