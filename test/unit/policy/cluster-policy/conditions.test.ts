import { describe, expect, it } from 'vitest';
import { PolicyValidationError } from '../../../../src/errors/index.js';
import { evaluateConditions } from '../../../../src/policy/index.js';

const predicate = {
  repo: { uri: 'https://github.com/acme/app', branch: 'main' },
  score: 7,
  tags: ['a', 'b'],
};
const check = (key: unknown, operator: string, value: unknown) =>
  evaluateConditions([{ all: [{ key, operator, value }] }], predicate);

describe('evaluateConditions', () => {
  it('substitutes whole-string variables with their JSON value and interpolates partial ones', () => {
    expect(check('{{ repo.branch }}', 'Equals', 'main')).toBe(true);
    expect(check('{{ score }}', 'Equals', 7)).toBe(true);
    expect(check('branch={{ repo.branch }}', 'Equals', 'branch=main')).toBe(true);
    expect(check('{{ tags }}', 'Equals', ['a', 'b'])).toBe(true);
  });

  it('compares strings with Kyverno wildcards in the value', () => {
    expect(check('{{ repo.uri }}', 'Equals', 'https://github.com/acme/*')).toBe(true);
    expect(check('{{ repo.uri }}', 'Equals', 'https://github.com/evil/*')).toBe(false);
    expect(check('{{ repo.uri }}', 'NotEquals', 'https://github.com/evil/*')).toBe(true);
  });

  it('implements the set and number operators', () => {
    expect(check('{{ tags }}', 'AllIn', ['a', 'b', 'c'])).toBe(true);
    expect(check('{{ tags }}', 'AllIn', ['a'])).toBe(false);
    expect(check('{{ tags }}', 'AnyIn', ['b', 'z'])).toBe(true);
    expect(check('{{ tags }}', 'AnyNotIn', ['a'])).toBe(true);
    expect(check('{{ tags }}', 'AllNotIn', ['x'])).toBe(true);
    expect(check('{{ repo.branch }}', 'NotIn', ['dev', 'test'])).toBe(true);
    expect(check('{{ score }}', 'GreaterThan', 5)).toBe(true);
    expect(check('{{ score }}', 'LessThanOrEquals', 7)).toBe(true);
    expect(check('{{ score }}', 'LessThan', '7')).toBe(false);
    expect(check('{{ missing }}', 'GreaterThan', 1)).toBe(false);
  });

  it('ANDs blocks and all-conditions, ORs any-conditions', () => {
    const yes = { key: '{{ repo.branch }}', operator: 'Equals', value: 'main' };
    const no = { key: '{{ repo.branch }}', operator: 'Equals', value: 'dev' };
    expect(evaluateConditions([{ any: [no, yes] }], predicate)).toBe(true);
    expect(evaluateConditions([{ any: [no] }], predicate)).toBe(false);
    expect(evaluateConditions([{ all: [yes] }, { all: [no] }], predicate)).toBe(false);
    expect(evaluateConditions([{ all: [yes], any: [no, yes] }], predicate)).toBe(true);
    expect(evaluateConditions([], predicate)).toBe(true);
  });

  it('refuses unknown operators and broken JMESPath with a typed error', () => {
    expect(() => check('{{ repo }}', 'Resembles', 'x')).toThrow(PolicyValidationError);
    expect(() => check('{{ repo.[ }}', 'Equals', 'x')).toThrow(/invalid JMESPath expression/);
  });
});
