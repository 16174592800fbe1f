/** Flag checks: the words a flag takes, and --output checked before the command does any work. */
import { describe, expect, it } from 'vitest';
import { oneOf, outputFormat, parse, refuseTlogUpload } from '../../../src/cli/args.js';
import { UsageError } from '../../../src/cli/exit-codes.js';

describe('oneOf', () => {
  it('returns the word, undefined when absent, and names the words otherwise', () => {
    expect(oneOf('bundle', '--format', ['simple-signing', 'bundle'])).toBe('bundle');
    expect(oneOf(undefined, '--format', ['simple-signing', 'bundle'])).toBeUndefined();
    expect(() => oneOf('x', '--format', ['simple-signing', 'bundle'])).toThrow(
      new UsageError('--format must be simple-signing or bundle, not x'),
    );
    expect(() => oneOf('md5', '--signature-digest-algorithm', ['sha256', 'sha384', 'sha512'])).toThrow(
      '--signature-digest-algorithm must be sha256, sha384 or sha512, not md5',
    );
    // An Object.prototype member is not a word.
    expect(() => oneOf('toString', '--format', ['bundle', 'both'])).toThrow(UsageError);
  });

  it('outputFormat keeps its message and default', () => {
    expect(outputFormat(undefined)).toBe('text');
    expect(outputFormat('json')).toBe('json');
    expect(() => outputFormat('yaml')).toThrow('--output must be json or text, not yaml');
  });
});

describe('parse', () => {
  it('refuses a bad --output while parsing, before any command work', () => {
    expect(() => parse(['--output', 'yaml', 'img'], {})).toThrow(
      new UsageError('--output must be json or text, not yaml'),
    );
    expect(parse(['-o', 'json', 'img'], {}).values.output).toBe('json');
  });

  it('turns parseArgs mistakes into usage errors', () => {
    expect(() => parse(['--colour', 'red'], {})).toThrow(UsageError);
  });
});

describe('refuseTlogUpload', () => {
  it('accepts only false', () => {
    expect(() => refuseTlogUpload(undefined)).not.toThrow();
    expect(() => refuseTlogUpload('false')).not.toThrow();
    expect(() => refuseTlogUpload('true')).toThrow(/only --tlog-upload=false is accepted/);
  });
});
