/**
 * The holdout artifacts (real, without expected outcomes) must never crash us: every bundle goes
 * through verifyBlob (and every classic layer through the keyless evidence checks) with an
 * identity that matches nothing special, and gives a result or a typed ocisign error.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OcisignError } from '../../../../src/errors/index.js';
import { shippedTrustedRoot } from '../../../../src/sigstore/shipped.js';
import { rekorKeysFromTrustedRoot } from '../../../../src/sigstore/tlog/rekor-keys.js';
import { trustMaterialOf } from '../../../../src/sigstore/trust-material.js';
import { classicEntity } from '../../../../src/verify/keyless/keyless-entity.js';
import { checkKeylessEvidence } from '../../../../src/verify/keyless/sigstore-checks.js';
import { verifyBlob } from '../../../../src/verify/verify-blob.js';
import { SHARED_DIR } from '../../../helpers/vectors.js';

const DIR = join(SHARED_DIR, 'vectors', 'keyless', 'holdout');
const cases = readdirSync(DIR).filter(
  (d) => existsSync(join(DIR, d, 'bundle.sigstore.json')) || existsSync(join(DIR, d, 'layer.json')),
);

function outcomeOf(fn: () => unknown): 'result' | 'typed error' {
  try {
    fn();
    return 'result';
  } catch (error) {
    if (error instanceof OcisignError) return 'typed error';
    throw error;
  }
}

describe('holdout keyless artifacts', () => {
  it('are there', () => {
    expect(cases.length).toBeGreaterThan(5);
  });

  it.each(cases.map((c) => [c]))('%s verifies or fails with a typed error', (id) => {
    const dir = join(DIR, id);
    const root = existsSync(join(dir, 'trusted_root.json'))
      ? readFileSync(join(dir, 'trusted_root.json'), 'utf8')
      : undefined;
    if (existsSync(join(dir, 'bundle.sigstore.json'))) {
      const artifact = existsSync(join(dir, 'artifact'))
        ? new Uint8Array(readFileSync(join(dir, 'artifact')))
        : { digest: `sha256:${'0'.repeat(64)}` };
      const outcome = outcomeOf(() =>
        verifyBlob(artifact, {
          bundle: readFileSync(join(dir, 'bundle.sigstore.json'), 'utf8'),
          identities: [{ subjectRegExp: '.', issuerRegExp: '.' }],
          ...(root === undefined ? {} : { trustedRoot: root }),
        }),
      );
      expect(['result', 'typed error']).toContain(outcome);
    } else {
      const layer = JSON.parse(readFileSync(join(dir, 'layer.json'), 'utf8'));
      const payload = new Uint8Array(readFileSync(join(dir, 'payload')));
      const trustedRoot = shippedTrustedRoot();
      const trust = {
        material: trustMaterialOf(trustedRoot),
        rekorKeys: rekorKeysFromTrustedRoot(trustedRoot),
      };
      const subject = classicEntity(layer, payload);
      const outcome =
        'reason' in subject
          ? subject
          : checkKeylessEvidence(subject, trust, {
              ignoreTlog: false,
              ignoreSct: false,
              useSignedTimestamps: false,
            });
      // Either the evidence held, or a typed reason says which check failed.
      expect('leaf' in outcome || typeof outcome.reason === 'string').toBe(true);
    }
  });
});
