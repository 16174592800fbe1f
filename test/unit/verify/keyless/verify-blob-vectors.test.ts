/**
 * `verifyBlob` on every Sigstore-bundle case of ../shared/vectors/keyless, end to end with the
 * case's identity policy and trusted root: cosign 3's outcome, and for a failure the reason that
 * names the check. Where cosign 3 and the vector disagree, the case says why (the note in
 * evidence-vectors.test.ts); the one combination the cosign CLI refuses before verifying
 * (identity and identity regexp together) is the CLI's to refuse: the library applies
 * sigstore-go's meaning (both must match).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VerificationError } from '../../../../src/errors/index.js';
import { verifyBlob } from '../../../../src/verify/verify-blob.js';
import { identityOf, KEYLESS_EVIDENCE_FAILURES } from '../../../helpers/fulcio-certs.js';
import { SHARED_DIR } from '../../../helpers/vectors.js';

const DIR = join(SHARED_DIR, 'vectors', 'keyless');
const index = JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')) as {
  cases: Array<{ id: string; format: string }>;
};

/** The failure reason cosign 3 gives each failing bundle case: its evidence's, or the identity's. */
const REASON: Record<string, string> = {
  ...KEYLESS_EVIDENCE_FAILURES,
  'policy-identity-and-regexp-both': 'identity-mismatch',
  'policy-issuer-trailing-slash': 'identity-mismatch',
  'policy-wrong-identity': 'identity-mismatch',
  'policy-wrong-issuer': 'identity-mismatch',
  // verifyBlob compares the bundle's messageDigest with the artifact before any evidence, as
  // sigstore-go does ("artifact digest does not match message digest"): both bundles state another
  // artifact's digest.
  'conf-message-digest-mismatch': 'digest-mismatch',
  'conf-wrong-material': 'digest-mismatch',
};

function run(id: string): { result?: unknown; error?: unknown } {
  const dir = join(DIR, id);
  const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));
  const artifact =
    c.files.artifact === null || c.files.artifact === undefined
      ? { digest: `${c.artifactDigest?.algorithm ?? 'sha256'}:${c.artifactDigest?.hex ?? c.artifactSha256}` }
      : new Uint8Array(readFileSync(join(dir, c.files.artifact)));
  try {
    const result = verifyBlob(artifact, {
      bundle: readFileSync(join(dir, c.files.bundle), 'utf8'),
      identities: [identityOf(c.verify)],
      trustedRoot: readFileSync(join(dir, c.files.trustedRoot), 'utf8'),
      ignoreTlog: c.verify.insecureIgnoreTlog === true,
      ignoreSct: c.verify.insecureIgnoreSct === true,
      useSignedTimestamps: c.verify.useSignedTimestamps === true,
    });
    return { result };
  } catch (error) {
    return { error };
  }
}

const bundleCases = index.cases.filter(
  (c) => c.format === 'sigstore-bundle' && c.id !== 'sjs-2022-email-issuer-v1-only',
);

describe('verifyBlob on the real keyless bundles', () => {
  it('covers the bundle cases', () => {
    expect(bundleCases.length).toBeGreaterThanOrEqual(26);
  });

  it.each(bundleCases.map((c) => [c.id]))('%s', (id) => {
    const c = JSON.parse(readFileSync(join(DIR, id, 'case.json'), 'utf8'));
    const { result, error } = run(id);
    if (c.expected.outcome === 'pass') {
      expect(error).toBeUndefined();
      expect(result).toEqual(expect.objectContaining({ identityIndex: 0 }));
    } else {
      expect(error).toBeInstanceOf(VerificationError);
      expect((error as VerificationError).failures[0]?.reason).toBe(REASON[id]);
    }
  });

  it('refuses the sjs-2022 fixture root, whose Rekor key has no validFor, as sigstore-go does', () => {
    expect(run('sjs-2022-email-issuer-v1-only').error).toEqual(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
