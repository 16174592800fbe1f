/**
 * The policy document is checked against one schema where it enters: a mutated tree (a number, a
 * string or null where an object or list belongs, a key named like an Object.prototype member) is
 * a PolicyValidationError naming the document, path and line — never a TypeError and never a
 * silently dropped field. And the policies Kyverno's admission refuses are refused, with its words.
 */
import { describe, expect, it } from 'vitest';
import { PolicyValidationError } from '../../../src/errors/index.js';
import { loadPolicies } from '../../../src/policy/index.js';

const base = (rule = '', spec = '', entry = '') => `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: shapes}
spec:
  validationFailureAction: Enforce
${spec}
  rules:
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
${rule}
    verifyImages:
    - imageReferences: ["ghcr.io/*"]
      mutateDigest: false
${entry}
      attestors:
      - entries:
        - keys: {publicKeys: "k8s://ns/key"}
`;

const refused = (text: string, message: RegExp) => {
  let caught: unknown;
  try {
    loadPolicies(text);
  } catch (error) {
    caught = error;
  }
  expect(caught, text).toBeInstanceOf(PolicyValidationError);
  expect((caught as PolicyValidationError).problems.join('\n')).toMatch(message);
};

describe('mutated policy trees are typed errors with document, path and line', () => {
  it.each([
    [
      'imageExtractors: {Pod: 5}',
      '    imageExtractors: {Pod: 5}',
      /spec\.rules\[0\]\.imageExtractors\.Pod: must be an array/,
    ],
    [
      'imageExtractors: {Pod: "containers"}',
      '    imageExtractors: {Pod: "containers"}',
      /spec\.rules\[0\]\.imageExtractors\.Pod: must be an array/,
    ],
    ['imageExtractors: {"": null}', '    imageExtractors: {"": null}', /imageExtractors\.: must be an array/],
    [
      'imageExtractors: {toString: [{path: 5}]}',
      '    imageExtractors: {toString: [{path: 5}]}',
      /imageExtractors\.toString\[0\]\.path: must be a string/,
    ],
    ['preconditions: 5', '    preconditions: 5', /spec\.rules\[0\]\.preconditions: must be/],
    ['context: {}', '    context: {name: x}', /spec\.rules\[0\]\.context: must be an array/],
    [
      'exclude selector as a string',
      '    exclude: {any: [{resources: {selector: "app=x"}}]}',
      /exclude\.any\[0\]\.resources\.selector: must be/,
    ],
  ])('%s', (_name, rule, message) => {
    refused(base(rule), message);
    // The line of the offending field (the rule starts on line 8 of the document).
    refused(base(rule), /\(document 1, line \d+\)$/);
  });

  it('resources: false, null where an object belongs, strings where booleans belong', () => {
    refused(
      base().replace('      - resources:\n          kinds: [Pod]', '      - resources: false'),
      /resources: must be an object/,
    );
    refused(
      base().replace('      - entries:\n        - keys: {publicKeys: "k8s://ns/key"}', '      - null'),
      /attestors\[0\]: must be an object/,
    );
    refused(base('', '', '      required: "false"'), /verifyImages\[0\]\.required: must be a boolean/);
    refused(base('', '', '      verifyDigest: "yes"'), /verifyImages\[0\]\.verifyDigest: must be a boolean/);
    refused(
      base('', '', '      imageReferences: ["ghcr.io/*", 5]').replace(
        '    - imageReferences: ["ghcr.io/*"]\n',
        '    - type: Cosign\n',
      ),
      /imageReferences\[1\]: must be a string/,
    );
    refused(
      base().replace('validationFailureAction: Enforce', 'validationFailureAction: Enforced'),
      /spec\.validationFailureAction: must be/,
    );
    refused(base('', '', '      failureAction: enforce-it'), /failureAction: must be/);
    refused(base('', '', '      type: cosign'), /verifyImages\[0\]\.type: must be/);
    refused(base('', '  failurePolicy: Ignored'), /spec\.failurePolicy: must be/);
  });

  it('attestation conditions that are not a list are refused (not "no conditions, pass")', () => {
    refused(
      base(
        '',
        '',
        '      attestations:\n      - type: https://slsa.dev/provenance/v1\n        conditions: {all: [{key: a, operator: Equals, value: b}]}',
      ),
      /attestations\[0\]\.conditions: must be an array/,
    );
  });

  it('attestors given as an object are refused (not "no attestors")', () => {
    refused(
      base().replace('      attestors:\n      - entries:', '      attestors:\n        entries:'),
      /verifyImages\[0\]\.attestors: must be an array/,
    );
  });

  it('null stands for "absent", as the Kubernetes API server prunes it', () => {
    const [policy] = loadPolicies(
      base('    exclude: null\n    preconditions: null', '  background: null', '      required: null'),
    );
    expect(policy?.rules[0]?.verifyImages[0]?.required).toBe(true);
    expect(policy?.background).toBe(true);
  });

  it('keys named __proto__, constructor and toString are data', () => {
    const [policy] = loadPolicies(
      base(
        '    imageExtractors:\n      __proto__: [{path: /spec/steps/*/image}]\n      constructor: [{path: /spec/x/image}]',
      ),
    );
    expect(Object.keys(policy?.rules[0]?.imageExtractors ?? {})).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("policies Kyverno's admission refuses are refused, with Kyverno's words", () => {
  it('kinds: ["*"] with verifyImages', () => {
    refused(
      base('', '  background: false').replace('kinds: [Pod]', 'kinds: ["*"]'),
      /spec\.rules\[0\]\.match\.any\[0\]\.resources\.kinds: wildcard policy does not support rule type/,
    );
    refused(
      base().replace('kinds: [Pod]', 'kinds: ["*"]'),
      /wildcard policy not allowed in background mode\. Set spec\.background=false to disable background mode for this policy rule/,
    );
    refused(
      base('', '  background: false').replace('kinds: [Pod]', 'kinds: ["*", Pod]'),
      /wildcard policy can not deal with more than one kind/,
    );
  });

  it('admission: false with verifyImages, and admission and background both off', () => {
    refused(
      base('', '  admission: false'),
      /spec\.admission: disabling admission processing is only allowed with validation policies/,
    );
    refused(
      base('', '  admission: false\n  background: false'),
      /spec\.admission: disabling both admission and background processing is not allowed/,
    );
  });

  it('a match filter without kinds, duplicate rule names, a rule with two operations', () => {
    refused(
      base().replace('          kinds: [Pod]', '          namespaces: [prod]'),
      /at least one element must be specified in a kind block, the kind attribute is mandatory when working with the resources element/,
    );
    const twice = base().replace(
      '  rules:\n',
      '  rules:\n  - name: r\n    match: {any: [{resources: {kinds: [Pod]}}]}\n    verifyImages: [{imageReferences: ["*"], mutateDigest: false, verifyDigest: false, required: false}]\n',
    );
    refused(twice, /spec\.rules\[1\]\.name: Duplicate rule name: 'r'/);
    refused(
      base('    validate: {message: x, pattern: {spec: {}}}'),
      /Multiple operations defined in the rule 'r', only one operation \(mutate,validate,generate,verifyImages\) is allowed per rule/,
    );
  });

  it('validationFailureActionOverrides on a namespaced Policy', () => {
    refused(
      base('', '  validationFailureActionOverrides: [{action: Audit, namespaces: [dev]}]')
        .replace('kind: ClusterPolicy', 'kind: Policy')
        .replace('metadata: {name: shapes}', 'metadata: {name: shapes, namespace: team}'),
      /spec\.validationFailureActionOverrides: Use of validationFailureActionOverrides is supported only with ClusterPolicy/,
    );
  });
});
