/** shared/vectors/kyverno/wildcard.json: Kyverno's glob and the image string it matches, every case. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OcisignError } from '../../../src/errors/index.js';
import { kyvernoImageString, matchesAnyImagePattern, matchImagePattern } from '../../../src/policy/index.js';
import { readVectors } from '../../helpers/vectors.js';

interface WildcardCase {
  id: string;
  pattern: string;
  text: string;
  match: boolean;
}
interface ImageCase {
  id: string;
  pattern: string;
  image: string;
  normalized: string;
  expected: boolean;
}
interface ListCase {
  id: string;
  patterns: string[];
  image: string;
  normalized: string;
  expected: boolean;
}

const vectors = readVectors<{
  wildcardCases: WildcardCase[];
  imageCases: ImageCase[];
  listCases: ListCase[];
}>('kyverno/wildcard.json');

describe('Kyverno wildcard (wildcard.json wildcardCases)', () => {
  it.each(vectors.wildcardCases)('$id: $pattern ~ $text → $match', (c) => {
    expect(matchImagePattern(c.pattern, c.text)).toBe(c.match);
  });
});

describe('Kyverno image normalization and matching (imageCases)', () => {
  it.each(vectors.imageCases)('$id: $image', (c) => {
    expect(kyvernoImageString(c.image)).toBe(c.normalized);
    expect(matchImagePattern(c.pattern, kyvernoImageString(c.image))).toBe(c.expected);
  });
});

describe('pattern lists (listCases)', () => {
  it.each(vectors.listCases)('$id', (c) => {
    expect(matchesAnyImagePattern(c.patterns, kyvernoImageString(c.image))).toBe(c.expected);
  });
});

describe('our own cases', () => {
  it('refuses what Kyverno cannot parse, with its wording', () => {
    expect(() => kyvernoImageString('docker.io/Nginx')).toThrow(/repository name must be lowercase/);
    expect(() => kyvernoImageString('++')).toThrow(/invalid reference format/);
    expect(() => kyvernoImageString('  ')).toThrow(OcisignError);
  });

  it('honours defaultRegistry and enableDefaultRegistryMutation', () => {
    expect(kyvernoImageString('nginx', { defaultRegistry: 'mirror.example' })).toBe(
      'mirror.example/nginx:latest',
    );
    expect(kyvernoImageString('nginx', { enableDefaultRegistryMutation: false })).toBe('nginx:latest');
    expect(kyvernoImageString('MyOrg/app')).toBe('MyOrg/app:latest');
  });

  it('stays polynomial on hostile patterns', () => {
    expect(matchImagePattern(`${'*a'.repeat(200)}b`, 'a'.repeat(2000))).toBe(false);
  });

  it('agrees with a regular-expression reading of the same glob', () => {
    const toRegex = (p: string) =>
      new RegExp(
        `^${Array.from(p)
          .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
          .join('')}$`,
        'su',
      );
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-c*?/:]{0,8}$/),
        fc.stringMatching(/^[a-c/:]{0,10}$/),
        (pattern, text) => {
          expect(matchImagePattern(pattern, text)).toBe(toRegex(pattern).test(text));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
