import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeFor, UsageError } from '../../../src/cli/exit-codes.js';
import {
  KeyFormatError,
  NotFoundError,
  PolicyValidationError,
  RegistryError,
  VerificationError,
  WrongPasswordError,
} from '../../../src/errors/index.js';

describe('exitCodeFor', () => {
  it('maps each kind of failure to its documented code', () => {
    expect(exitCodeFor(new VerificationError('sha256:x', []))).toBe(ExitCode.verificationFailed);
    expect(exitCodeFor(new UsageError('--key is required'))).toBe(ExitCode.usage);
    expect(exitCodeFor(new WrongPasswordError())).toBe(ExitCode.badInput);
    expect(exitCodeFor(new KeyFormatError('not PEM'))).toBe(ExitCode.badInput);
    expect(exitCodeFor(new PolicyValidationError('p', ['x']))).toBe(ExitCode.badInput);
    expect(exitCodeFor(new SyntaxError('Unexpected end of JSON input'))).toBe(ExitCode.badInput);
    expect(exitCodeFor(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBe(ExitCode.badInput);
    expect(exitCodeFor(new NotFoundError('MANIFEST_UNKNOWN'))).toBe(ExitCode.unavailable);
    expect(exitCodeFor(new RegistryError('REGISTRY_UNREACHABLE', 'refused'))).toBe(ExitCode.unavailable);
  });

  it('never throws, whatever was thrown (a DOMException has a numeric code)', () => {
    for (const thrown of [
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      null,
      undefined,
      42,
      'text',
      { code: 7 },
    ])
      expect(exitCodeFor(thrown)).toBe(ExitCode.unavailable);
  });
});
