/** shared/vectors/cosign/payload.json and sig-tags.json: exact payload bytes, claim checks, tags. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseAnnotationFlags } from '../../../src/cli/annotation-flags.js';
import { ClaimMismatchError } from '../../../src/errors/index.js';
import {
  checkSimpleSigningClaims,
  dockerReference,
  encodeSimpleSigningPayload,
  parseSimpleSigningPayload,
  referrersFallbackTag,
  signatureTag,
} from '../../../src/payload/index.js';
import { parseReference } from '../../../src/registry/index.js';
import { readVectors } from '../../helpers/vectors.js';

interface ProduceVector {
  id: string;
  input: {
    image: string;
    resolvedDigest?: string;
    annotationsMap?: Record<string, unknown>;
    annotationFlags?: string[];
    signContainerIdentity?: string;
  };
  expected: {
    dockerReference: string;
    dockerManifestDigest: string;
    payload: string;
    payloadLength: number;
    payloadSha256: string;
  };
}
interface ClaimVector {
  id: string;
  payload: string;
  imageDigest: string;
  wantAnnotations: Record<string, unknown> | null;
  checkClaims?: boolean;
  expected: 'pass' | 'fail';
}
const vectors = readVectors<{ produce: ProduceVector[]; claimChecks: ClaimVector[] }>('cosign/payload.json');

describe('simple-signing payloads (payload.json produce)', () => {
  it.each(vectors.produce)('$id', (v) => {
    const ref = parseReference(v.input.image);
    const digest = ref.digest ?? v.input.resolvedDigest;
    expect(digest).toBe(v.expected.dockerManifestDigest);
    const reference = v.input.signContainerIdentity ?? dockerReference(v.input.image);
    if (v.input.signContainerIdentity === undefined) expect(reference).toBe(v.expected.dockerReference);
    const annotations =
      v.input.annotationFlags !== undefined
        ? parseAnnotationFlags(v.input.annotationFlags)
        : v.input.annotationsMap;
    const bytes = encodeSimpleSigningPayload({
      dockerReference: reference,
      manifestDigest: digest as string,
      annotations: annotations ?? null,
    });
    expect(Buffer.from(bytes).toString('utf8')).toBe(v.expected.payload);
    expect(bytes.length).toBe(v.expected.payloadLength);
    expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(v.expected.payloadSha256);
    // and it parses back to the same claims
    const parsed = parseSimpleSigningPayload(bytes);
    expect(parsed.dockerReference).toBe(reference);
    expect(parsed.manifestDigest).toBe(digest);
  });
});

describe('claim checks as cosign verify applies them (payload.json claimChecks)', () => {
  it.each(vectors.claimChecks)('$id → $expected', (v) => {
    const run = () => {
      if (v.checkClaims === false) return;
      checkSimpleSigningClaims(parseSimpleSigningPayload(new TextEncoder().encode(v.payload)), {
        manifestDigest: v.imageDigest,
        annotations: v.wantAnnotations,
      });
    };
    if (v.expected === 'pass') expect(run).not.toThrow();
    else expect(run).toThrow(ClaimMismatchError);
  });

  it('matches annotation values by JSON type: "1" never equals 1', () => {
    const payload = parseSimpleSigningPayload(
      encodeSimpleSigningPayload({
        dockerReference: 'r.example/a',
        manifestDigest: `sha256:${'a'.repeat(64)}`,
        annotations: { n: 1 },
      }),
    );
    expect(() =>
      checkSimpleSigningClaims(payload, {
        manifestDigest: `sha256:${'a'.repeat(64)}`,
        annotations: { n: '1' },
      }),
    ).toThrow(/missing or incorrect annotation/);
    expect(() =>
      checkSimpleSigningClaims(payload, {
        manifestDigest: `sha256:${'a'.repeat(64)}`,
        annotations: { n: 1 },
      }),
    ).not.toThrow();
  });

  it('parses field names case-insensitively, like Go (old cosign payloads)', () => {
    const old =
      '{"Critical":{"Identity":{"Docker-Reference":"r.example/a"},"Image":{"Docker-manifest-digest":"sha256:' +
      'b'.repeat(64) +
      '"},"Type":"cosign container image signature"},"Optional":{"x":"y"},"extra":1}';
    const parsed = parseSimpleSigningPayload(new TextEncoder().encode(old));
    expect(parsed).toEqual({
      dockerReference: 'r.example/a',
      manifestDigest: `sha256:${'b'.repeat(64)}`,
      type: 'cosign container image signature',
      annotations: { x: 'y' },
    });
  });

  it('checks type and docker-reference only in strict mode', () => {
    const payload = parseSimpleSigningPayload(
      encodeSimpleSigningPayload({
        dockerReference: 'mirror.example/a',
        manifestDigest: `sha256:${'c'.repeat(64)}`,
      }),
    );
    const claims = { manifestDigest: `sha256:${'c'.repeat(64)}` };
    expect(() => checkSimpleSigningClaims(payload, claims)).not.toThrow();
    expect(() =>
      checkSimpleSigningClaims(payload, { ...claims, strict: { dockerReference: 'r.example/a' } }),
    ).toThrow(/docker-reference/);
  });
});

interface TagVector {
  input: string;
  digest: string;
  attachmentTagPrefix?: string;
  env?: { COSIGN_REPOSITORY?: string };
  expected: Record<string, string>;
}

describe('attachment tags (sig-tags.json)', () => {
  it.each(readVectors<{ vectors: TagVector[] }>('cosign/sig-tags.json').vectors)('$input', (v) => {
    const prefix = v.attachmentTagPrefix === undefined ? {} : { prefix: v.attachmentTagPrefix };
    expect(signatureTag(v.digest, 'sig', prefix)).toBe(v.expected.signatureTag);
    expect(signatureTag(v.digest, 'att', prefix)).toBe(v.expected.attestationTag);
    expect(signatureTag(v.digest, 'sbom', prefix)).toBe(v.expected.sbomTag);
    const ref = parseReference(v.env?.COSIGN_REPOSITORY ?? v.input);
    const repo = `${ref.registry}/${ref.repository}`.replace(/^index\.docker\.io\//, (m) => m);
    const expectedRepo = (v.expected.signatureRef as string).slice(
      0,
      (v.expected.signatureRef as string).lastIndexOf(':'),
    );
    expect(parseReference(`${expectedRepo}:x`)).toMatchObject({
      registry: ref.registry,
      repository: ref.repository,
    });
    expect(repo).toBeTruthy();
    if (v.expected.ociReferrersFallbackTag !== undefined)
      expect(referrersFallbackTag(v.digest)).toBe(v.expected.ociReferrersFallbackTag);
    if (v.expected.ociReferrersApiPath !== undefined)
      expect(`/v2/${ref.repository}/referrers/${v.digest}`).toBe(v.expected.ociReferrersApiPath);
  });
});
