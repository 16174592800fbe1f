/**
 * Flag checks: the words a flag takes, --output checked before the command does any work, boolean
 * flags read as Go's pflag reads them (`--upload=false`), and refused cosign flags named.
 */
import { describe, expect, it } from 'vitest';
import { oneOf, outputFormat, parse } from '../../../src/cli/args.js';
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

describe('boolean flags as cosign (Go pflag) writes them', () => {
  const options = { upload: { type: 'boolean' }, key: { type: 'string' } } as const;

  it('takes --flag, --flag=true|false and every spelling strconv.ParseBool takes; the last one wins', () => {
    expect(parse(['--upload', 'img'], options).values.upload).toBe(true);
    for (const word of ['false', 'False', 'FALSE', 'f', 'F', '0'])
      expect(parse([`--upload=${word}`, 'img'], options).values.upload).toBe(false);
    for (const word of ['true', 'True', 'TRUE', 't', 'T', '1'])
      expect(parse([`--upload=${word}`, 'img'], options).values.upload).toBe(true);
    expect(parse(['--upload=false', '--upload', 'img'], options).values.upload).toBe(true);
    expect(parse(['--upload', '--upload=false', 'img'], options).values.upload).toBe(false);
    expect(parse(['img'], options).values.upload).toBeUndefined();
    expect(parse(['--upload=false', 'img'], options).positionals).toEqual(['img']);
  });

  it('refuses a value that is not a boolean, a value after a space, and a --no- spelling', () => {
    expect(() => parse(['--upload=maybe', 'img'], options)).toThrow(
      new UsageError('invalid argument "maybe" for "--upload" flag: it takes true or false'),
    );
    // pflag would sign an image named `false`.
    expect(() => parse(['--upload', 'false', 'img'], options)).toThrow(
      /a boolean flag takes its value after "=" \(--upload=false\)/,
    );
    expect(() => parse(['--no-upload', 'img'], options)).toThrow(
      new UsageError('unknown flag: --no-upload (write --upload=false)'),
    );
  });

  it('leaves string values and everything after -- alone', () => {
    expect(parse(['--key=--upload=false', 'img'], options).values).toMatchObject({ key: '--upload=false' });
    const after = parse(['--', '--upload=false'], options);
    expect(after.positionals).toEqual(['--upload=false']);
    expect(after.values.upload).toBeUndefined();
  });
});

describe('refused flags', () => {
  const refused = { sk: 'no PIV tokens' };

  it('names the flag and says why, in every spelling, before any other check', () => {
    for (const args of [['--sk'], ['--sk=true'], ['--sk', 'img'], ['--output', 'yaml', '--sk']])
      expect(() => parse(args, {}, refused)).toThrow(new UsageError('--sk is not supported: no PIV tokens'));
    expect(() => parse(['--', '--sk'], {}, refused)).not.toThrow();
  });
});
