/** shared/vectors/cosign/awskms-refs.json: sigstore's awskms:// grammar, every vector. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidKeyReferenceError, OcisignError } from '../../../src/errors/index.js';
import { canCreateKey, parseAwsKmsReference } from '../../../src/kms/aws/index.js';
import { FUZZ_RUNS } from '../../helpers/fuzz.js';
import { readVectors } from '../../helpers/vectors.js';

interface RefVector {
  ref: string;
  valid: boolean;
  form?: string;
  endpoint?: string;
  keyId?: string;
  alias?: string;
  canCreateKey?: boolean;
}

const { vectors } = readVectors<{ vectors: RefVector[] }>('cosign/awskms-refs.json');

describe('awskms:// references (awskms-refs.json)', () => {
  it.each(vectors.filter((v) => v.valid))('parses $ref as cosign does', (v) => {
    const ref = parseAwsKmsReference(v.ref);
    expect({ endpoint: ref.endpoint, keyId: ref.keyId, alias: ref.alias, form: ref.form }).toEqual({
      endpoint: v.endpoint,
      keyId: v.keyId,
      alias: v.alias,
      form: v.form,
    });
    expect(canCreateKey(ref)).toBe(v.canCreateKey);
  });

  it.each(vectors.filter((v) => !v.valid))('rejects $ref', (v) => {
    expect(() => parseAwsKmsReference(v.ref)).toThrow(InvalidKeyReferenceError);
  });
});

describe('beyond cosign', () => {
  it.each(['aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'])(
    'accepts ARNs in the %s partition',
    (partition) => {
      const ref = parseAwsKmsReference(
        `awskms:///arn:${partition}:kms:eu-isoe-west-1:111122223333:alias/signing`,
      );
      expect(ref).toMatchObject({ form: 'aliasARN', alias: 'alias/signing', region: 'eu-isoe-west-1' });
    },
  );

  it('takes the region from an ARN (used only when none is configured)', () => {
    expect(
      parseAwsKmsReference(
        'awskms:///arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ).region,
    ).toBe('eu-west-1');
    expect(parseAwsKmsReference('awskms:///alias/x').region).toBeUndefined();
  });

  it('treats a newline in an alias as RE2 does (no match), and allows \\r', () => {
    expect(() => parseAwsKmsReference('awskms:///alias/a\nb')).toThrow(InvalidKeyReferenceError);
    expect(parseAwsKmsReference('awskms:///alias/a\rb').alias).toBe('alias/a\rb');
  });

  it('never throws anything but OcisignError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `awskms://${s}`),
          fc.string().map((s) => `awskms:///alias/${s}`),
        ),
        (ref) => {
          try {
            parseAwsKmsReference(ref);
          } catch (error) {
            if (!(error instanceof OcisignError)) throw error;
          }
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});
