/**
 * The certificate evidence of every real keyless case in ../shared/vectors/keyless — chain, SCT,
 * tlog, timestamps, signature — as cosign 3 decides it, identities aside: a case that fails only
 * on its identity policy (policy-*, the GitHub-flag case) has evidence that holds. Identity
 * matching has its own tests; the cases' whole outcomes are checked where they are wired in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import { OcisignError } from '../../../../src/errors/index.js';
import { parseBundle } from '../../../../src/payload/bundle.js';
import { sha256Digest } from '../../../../src/payload/digest.js';
import { rekorKeysFromTrustedRoot } from '../../../../src/sigstore/tlog/rekor-keys.js';
import { bundleEntity, classicEntity } from '../../../../src/verify/keyless/keyless-entity.js';
import { checkKeylessEvidence } from '../../../../src/verify/keyless/sigstore-checks.js';
import { KEYLESS_EVIDENCE_FAILURES } from '../../../helpers/fulcio-certs.js';
import { SHARED_DIR } from '../../../helpers/vectors.js';

const DIR = join(SHARED_DIR, 'vectors', 'keyless');
const index = JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')) as { cases: Array<{ id: string }> };

/** Cases whose expected failure is about identity, not evidence. */
const IDENTITY_ONLY = new Set([
  'classic-google-sa-github-flag',
  'policy-identity-and-regexp-both',
  'policy-issuer-trailing-slash',
  'policy-wrong-identity',
  'policy-wrong-issuer',
]);

/**
 * Where cosign 3 (through sigstore-go's ParseTransparencyLogs, read at v1.2.1) disagrees with the
 * vector's expectation: its fixture root lists a Rekor key without `validFor`, and sigstore-go
 * refuses to load such a root ("tlog missing public key validity period"), so cosign cannot pass it.
 */
const ROOT_REFUSED = new Set(['sjs-2022-email-issuer-v1-only']);

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
function evidenceOf(id: string): { outcome: unknown; c: any } {
  const dir = join(DIR, id);
  const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));
  const root = JSON.parse(readFileSync(join(dir, c.files.trustedRoot), 'utf8'));
  const trust = {
    material: toTrustMaterial(TrustedRoot.fromJSON(root)),
    rekorKeys: rekorKeysFromTrustedRoot(root),
  };
  const flags = {
    ignoreTlog: c.verify?.insecureIgnoreTlog === true,
    ignoreSct: c.verify?.insecureIgnoreSct === true,
    useSignedTimestamps: c.verify?.useSignedTimestamps === true,
  };
  let entity: ReturnType<typeof bundleEntity>;
  if (c.files.layer !== undefined) {
    const layer = JSON.parse(readFileSync(join(dir, c.files.layer), 'utf8'));
    const payload = readFileSync(join(dir, c.files.payload));
    expect(sha256Digest(payload)).toBe(layer.digest);
    entity = classicEntity(layer, payload);
  } else {
    const bundle = readFileSync(join(dir, c.files.bundle), 'utf8');
    const artifact =
      c.files.artifact === null || c.files.artifact === undefined
        ? c.artifactDigest?.hex === undefined
          ? undefined
          : { digest: Buffer.from(c.artifactDigest.hex, 'hex') }
        : readFileSync(join(dir, c.files.artifact));
    // A bundle our reader refuses is malformed before any evidence, as the judge counts it.
    let parsed: ReturnType<typeof parseBundle>;
    try {
      parsed = parseBundle(bundle);
    } catch (error) {
      if (!(error instanceof OcisignError)) throw error;
      return { outcome: { reason: 'malformed', message: error.message }, c };
    }
    entity = bundleEntity(parsed, bundle, artifact);
  }
  if ('reason' in entity) return { outcome: entity, c };
  return { outcome: checkKeylessEvidence(entity, trust, flags), c };
}

describe('keyless evidence on the real vectors', () => {
  it('covers every case', () => {
    expect(index.cases.length).toBeGreaterThanOrEqual(32);
  });

  it.each(index.cases.filter((c) => ROOT_REFUSED.has(c.id)).map((c) => [c.id]))(
    '%s: its trusted root is refused, as sigstore-go refuses it',
    (id) => {
      expect(() => evidenceOf(id)).toThrow(/validFor/);
    },
  );

  it.each(index.cases.filter((c) => !ROOT_REFUSED.has(c.id)).map((c) => [c.id]))('%s', (id) => {
    const { outcome, c } = evidenceOf(id);
    const wanted =
      c.expected.outcome === 'pass' || IDENTITY_ONLY.has(id) ? 'holds' : KEYLESS_EVIDENCE_FAILURES[id];
    expect(wanted, `no expectation for ${id}`).toBeDefined();
    if (wanted === 'holds') expect(outcome).toEqual(expect.objectContaining({ leaf: expect.anything() }));
    else expect(outcome).toEqual(expect.objectContaining({ reason: wanted }));
  });
});
