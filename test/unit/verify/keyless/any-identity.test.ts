/**
 * `anyIdentity: true`, the opt-in for callers that match identities themselves (Kyverno's policy
 * engine): a real keyless signature verifies with no identity and hands back its certificate, while
 * the chain, SCT and Rekor evidence are still checked — and without the opt-in, no identities and no
 * keys is still refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, VerificationError } from '../../../../src/errors/index.js';
import { generateKeyPair } from '../../../../src/keys/index.js';
import { shippedTrustedRoot } from '../../../../src/sigstore/shipped.js';
import {
  type ImageEvidence,
  judgeSignatures,
  verifyAttestationEvidence,
  verifySignatureEvidence,
} from '../../../../src/verify/index.js';
import { readVectors, SHARED_DIR } from '../../../helpers/vectors.js';

const KEYLESS = join(SHARED_DIR, 'vectors', 'keyless');

function classicEvidence(id: string): ImageEvidence {
  const dir = join(KEYLESS, id);
  const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));
  return {
    digest: c.imageDigest,
    classic: [
      {
        kind: 'classic-layer',
        layer: JSON.parse(readFileSync(join(dir, 'layer.json'), 'utf8')),
        payload: new Uint8Array(readFileSync(join(dir, 'payload'))),
      },
    ],
  };
}

const github = classicEvidence('classic-github-actions');
const trustedRoot = shippedTrustedRoot();
const WORKFLOW =
  'https://github.com/salrashid123/go-bazel-github-workflow/.github/workflows/release.yaml@refs/tags/v0.0.30';

function failureOf(fn: () => unknown): VerificationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof VerificationError) return error;
    throw error;
  }
  throw new Error('expected a VerificationError');
}

describe('anyIdentity', () => {
  it('without it, no keys and no identities is refused, as before', () => {
    for (const options of [{}, { anyIdentity: false }, { identities: [] }, { keys: [], anyIdentity: false }])
      expect(() => verifySignatureEvidence(github, { trustedRoot, ...options })).toThrow(
        /needs at least one trusted key in options.keys or one identity/,
      );
  });

  it('a real keyless signature verifies with no identity and carries its certificate', () => {
    const result = verifySignatureEvidence(github, { trustedRoot, anyIdentity: true });
    expect(result.signatures).toHaveLength(1);
    const [signature] = result.signatures;
    expect(signature).toMatchObject({ format: 'simple-signing', keyIndex: -1, identityIndex: 0 });
    expect(signature?.certificate?.subjectAltNames).toEqual([{ type: 'uri', value: WORKFLOW }]);
    expect(signature?.certificate?.extensions.issuerV1).toBe('https://token.actions.githubusercontent.com');
  });

  it('the same signature fails for an identity it does not have: the opt-in is what let it through', () => {
    const error = failureOf(() =>
      verifySignatureEvidence(github, { trustedRoot, identities: [{ subject: 'https://example.com/x' }] }),
    );
    expect(error.failures[0]?.reason).toBe('identity-mismatch');
  });

  it('still checks the evidence: a root without the Fulcio CAs, an expired certificate with ignoreTlog', () => {
    const noCas = { ...(trustedRoot.json as object), certificateAuthorities: [] };
    expect(
      failureOf(() => verifySignatureEvidence(github, { trustedRoot: noCas, anyIdentity: true })).failures[0]
        ?.reason,
    ).toBe('certificate-invalid');
    expect(
      failureOf(() => verifySignatureEvidence(github, { trustedRoot, anyIdentity: true, ignoreTlog: true }))
        .failures[0]?.reason,
    ).toBe('certificate-invalid');
    const withoutCtlogs = readVectors<object>('keyless/trusted-roots/public-good-4.0.2-without-ctlogs.json');
    expect(
      failureOf(() => verifySignatureEvidence(github, { trustedRoot: withoutCtlogs, anyIdentity: true }))
        .failures[0]?.reason,
    ).toBe('sct-invalid');
  });

  it('is refused together with identities, and must be a boolean', () => {
    expect(() =>
      verifySignatureEvidence(github, {
        trustedRoot,
        anyIdentity: true,
        identities: [{ subject: WORKFLOW }],
      }),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      verifySignatureEvidence(github, { trustedRoot, anyIdentity: 'yes' as unknown as boolean }),
    ).toThrow(/anyIdentity must be true or false/);
  });

  it('the offline judge still needs a trusted root given', () => {
    expect(() => judgeSignatures(github, { anyIdentity: true })).toThrow(/needs options.trustedRoot/);
  });

  it('a signature by a key is not accepted by anyIdentity alone, and keys still work beside it', async () => {
    const { publicKey } = await generateKeyPair();
    const judged = judgeSignatures(github, { trustedRoot, anyIdentity: true, keys: [publicKey] });
    expect(judged.outcomes).toEqual([
      expect.objectContaining({ ok: expect.objectContaining({ keyIndex: -1 }) }),
    ]);
  });

  it('keyless bundle attestations: every verified one carries its certificate', () => {
    const dir = join(KEYLESS, 'conf-happy-path-intoto-in-dsse-v3');
    const evidence: ImageEvidence = {
      digest: 'sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf',
      bundles: [{ kind: 'bundle', bundle: readFileSync(join(dir, 'bundle.sigstore.json'), 'utf8') }],
    };
    const verified = verifyAttestationEvidence(evidence, { trustedRoot, anyIdentity: true });
    expect(verified).toHaveLength(1);
    expect(verified[0]?.certificate?.subjectAltNames[0]?.value).toContain('extremely-dangerous-oidc-beacon');
  });
});
