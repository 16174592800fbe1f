/**
 * The judge on a real keyless DSSE bundle (sigstore-conformance happy-path-intoto-in-dsse-v3),
 * offline: it verifies for its identity, names who signed, and fails for another identity, another
 * digest, or a caller who trusts only keys — each with its reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VerificationError } from '../../../../src/errors/index.js';
import { generateKeyPair } from '../../../../src/keys/index.js';
import { shippedTrustedRoot } from '../../../../src/sigstore/shipped.js';
import {
  type ImageEvidence,
  verifyAttestationEvidence,
  verifySignatureEvidence,
} from '../../../../src/verify/index.js';
import { SHARED_DIR } from '../../../helpers/vectors.js';

const DIR = join(SHARED_DIR, 'vectors', 'keyless', 'conf-happy-path-intoto-in-dsse-v3');
const bundle = readFileSync(join(DIR, 'bundle.sigstore.json'), 'utf8');
const SUBJECT = 'sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf';
const IDENTITY = {
  subject:
    'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
};
const evidence: ImageEvidence = {
  digest: SUBJECT,
  bundles: [{ kind: 'bundle', source: 'conformance', bundle }],
};

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof VerificationError) return error.failures[0]?.reason;
    throw error;
  }
}

describe('the judge, keyless bundle', () => {
  it('verifies with the identity, against the shipped public-good root', () => {
    const result = verifySignatureEvidence(evidence, {
      trustedRoot: shippedTrustedRoot(),
      identities: [{ issuer: 'nope' }, IDENTITY],
    });
    expect(result.signatures).toEqual([
      expect.objectContaining({ format: 'bundle', keyIndex: -1, identityIndex: 1, source: 'conformance' }),
    ]);
    expect(result.signatures[0]?.certificate?.extensions.issuerV2).toBe(IDENTITY.issuer);
  });

  it('fails for another identity, another digest, or keys alone', async () => {
    expect(
      reasonOf(() =>
        verifySignatureEvidence(evidence, {
          trustedRoot: shippedTrustedRoot(),
          identities: [{ ...IDENTITY, subject: 'x' }],
        }),
      ),
    ).toBe('identity-mismatch');
    expect(
      reasonOf(() =>
        verifySignatureEvidence(
          { ...evidence, digest: `sha256:${'0'.repeat(64)}` },
          { trustedRoot: shippedTrustedRoot(), identities: [IDENTITY] },
        ),
      ),
    ).toBe('digest-mismatch');
    const { publicKey } = await generateKeyPair();
    expect(reasonOf(() => verifySignatureEvidence(evidence, { keys: [publicKey] }))).toBe('wrong-key');
  });

  it('with ignoreTlog and no timestamp checks the certificate now: a 10-minute certificate has expired', () => {
    expect(
      reasonOf(() =>
        verifySignatureEvidence(evidence, {
          trustedRoot: shippedTrustedRoot(),
          identities: [IDENTITY],
          ignoreTlog: true,
        }),
      ),
    ).toBe('certificate-invalid');
  });
});

describe('the judge, keyless attestation bundle', () => {
  it('returns the statement for its predicate type, with who signed', () => {
    const verified = verifyAttestationEvidence(evidence, {
      trustedRoot: shippedTrustedRoot(),
      identities: [IDENTITY],
      predicateType: 'https://slsa.dev/provenance/v1',
    });
    expect(verified).toEqual([
      expect.objectContaining({ format: 'bundle', keyIndex: -1, identityIndex: 0, digest: SUBJECT }),
    ]);
    expect(verified[0]?.statement.predicateType).toBe('https://slsa.dev/provenance/v1');
  });

  it('fails for another identity or another predicate type', () => {
    expect(
      reasonOf(() =>
        verifyAttestationEvidence(evidence, {
          trustedRoot: shippedTrustedRoot(),
          identities: [{ ...IDENTITY, issuer: 'https://x' }],
        }),
      ),
    ).toBe('identity-mismatch');
    expect(
      reasonOf(() =>
        verifyAttestationEvidence(evidence, {
          trustedRoot: shippedTrustedRoot(),
          identities: [IDENTITY],
          predicateType: 'spdxjson',
        }),
      ),
    ).toBe('malformed');
  });
});
