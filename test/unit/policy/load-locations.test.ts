import { describe, expect, it } from 'vitest';
import { PolicyValidationError } from '../../../src/errors/index.js';
import { loadPolicies } from '../../../src/policy/index.js';
import { verifyImagesPolicy } from '../../helpers/policy-yaml.js';

/** A policy whose attestor set asks for `count` of its one entry (line 12 of the document). */
const doc = (name: string, count: number) =>
  verifyImagesPolicy({
    name,
    ruleName: 'r',
    images: '["ghcr.io/*"]',
    attestors: `- count: ${count}\n  entries:\n  - keys: {publicKeys: "k8s://ns/key"}`,
  });

describe('loadPolicies error locations', () => {
  it('names the document and the line of the offending field', () => {
    const text = `${doc('fine', 1)}---\n${doc('broken', 3)}`;
    try {
      loadPolicies(text);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyValidationError);
      const problem = (error as PolicyValidationError).problems[0] as string;
      expect(problem).toContain(
        'spec.rules[0].verifyImages[0].attestors[0].count: Count cannot exceed length of entries',
      );
      // Line 12 of the second document, which starts after 14 lines and the separator.
      expect(problem).toMatch(/\(document 2, line 27\)$/);
    }
  });

  it('points at the nearest existing parent for a missing field', () => {
    const text = doc('missing', 1).replace(
      '    - imageReferences: ["ghcr.io/*"]\n',
      '    - mutateDigest: true\n',
    );
    expect(() => loadPolicies(text)).toThrow(
      /imageReferences: An image reference is required \(document 1, line 10\)/,
    );
  });
});
