import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidReferenceError, OcisignError } from '../../../src/errors/index.js';
import { formatReference, parseReference, repositoryName } from '../../../src/registry/index.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference (go-containerregistry rules, as cosign)', () => {
  it.each([
    ['ubuntu', { registry: 'index.docker.io', repository: 'library/ubuntu', tag: 'latest' }],
    ['ubuntu:22.04', { registry: 'index.docker.io', repository: 'library/ubuntu', tag: '22.04' }],
    [
      'docker.io/library/ubuntu',
      { registry: 'index.docker.io', repository: 'library/ubuntu', tag: 'latest' },
    ],
    ['docker.io/ubuntu', { registry: 'index.docker.io', repository: 'library/ubuntu', tag: 'latest' }],
    ['index.docker.io/acme/app:v1', { registry: 'index.docker.io', repository: 'acme/app', tag: 'v1' }],
    ['acme/app', { registry: 'index.docker.io', repository: 'acme/app', tag: 'latest' }],
    ['ghcr.io/acme/app:1.0', { registry: 'ghcr.io', repository: 'acme/app', tag: '1.0' }],
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app', tag: 'latest' }],
    ['localhost/app', { registry: 'index.docker.io', repository: 'localhost/app', tag: 'latest' }],
    ['127.0.0.1:5000/a/b/c:t', { registry: '127.0.0.1:5000', repository: 'a/b/c', tag: 't' }],
    ['[::1]:5000/app:v2', { registry: '[::1]:5000', repository: 'app', tag: 'v2' }],
    [`ubuntu@${D}`, { registry: 'index.docker.io', repository: 'library/ubuntu', digest: D }],
    [`ghcr.io/acme/app:v1@${D}`, { registry: 'ghcr.io', repository: 'acme/app', tag: 'v1', digest: D }],
    [
      `reg.example:443/x_y/a-b.c__d@sha512:${'b'.repeat(128)}`,
      { registry: 'reg.example:443', repository: 'x_y/a-b.c__d', digest: `sha512:${'b'.repeat(128)}` },
    ],
  ])('%s', (input, expected) => {
    expect(parseReference(input)).toEqual(expected);
  });

  it.each([
    ['', /empty/],
    ['UPPER/app', /lowercase/],
    ['ghcr.io/Acme/app', /lowercase/],
    ['app:', /tag name must follow/],
    [`app@sha256:${'a'.repeat(63)}`, /64 lowercase hex/],
    [`app@sha256:${'A'.repeat(64)}`, /64 lowercase hex/],
    ['app@md5:abc', /digest must be/],
    [`app@${D}@${D}`, /exactly one '@'/],
    ['a', /2 to 255/],
    [`x/${'a'.repeat(260)}`, /2 to 255/],
    ['ghcr.io//app', /empty path component/],
    ['app:bad/tag:x', /lowercase|tag/],
    ['app: v1', /whitespace/],
    [`app:${'t'.repeat(129)}`, /1 to 128/],
    ['exa_mple.com/app', /registry host/],
  ])('rejects %j', (input, message) => {
    const error = (() => {
      try {
        parseReference(input);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidReferenceError);
    expect((error as Error).message).toMatch(message);
  });

  it('formats back to a canonical string', () => {
    expect(formatReference(parseReference('ubuntu'))).toBe('index.docker.io/library/ubuntu:latest');
    expect(formatReference(parseReference(`ghcr.io/a/b:v1@${D}`))).toBe(`ghcr.io/a/b@${D}`);
    expect(repositoryName(parseReference('docker.io/x/y:z'))).toBe('index.docker.io/x/y');
  });

  it('never throws anything but OcisignError, and round-trips what it accepts', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^[a-z0-9.:/@_-]{0,60}$/)),
        (input) => {
          try {
            const ref = parseReference(input);
            expect(parseReference(formatReference(ref))).toEqual(
              ref.digest === undefined ? ref : { ...ref, tag: undefined, digest: ref.digest },
            );
          } catch (error) {
            if (!(error instanceof OcisignError)) throw error;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
