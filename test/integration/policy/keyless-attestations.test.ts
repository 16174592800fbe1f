/**
 * Kyverno keyless attestors on classic `.att` attestations in the real docker-registry, through
 * `registryBackend` and `PolicyEngine`: a Fulcio-like leaf under a private CA, its entry in a
 * private Rekor log (`rekor.pubkey`), no CT log (`ignoreSCT`). The attestation passes with the
 * identity and its conditions; one more attestation of the type by another identity fails the entry
 * (every one must match, as in Kyverno's FetchAttestations); another Rekor key fails it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPublicKeyPem, generateKeyPair } from '../../../src/keys/index.js';
import type { Descriptor } from '../../../src/payload/oci.js';
import { buildSignatureImage } from '../../../src/payload/signature-image.js';
import { signatureTag } from '../../../src/payload/tags.js';
import { loadPolicies, PolicyEngine, registryBackend } from '../../../src/policy/index.js';
import {
  attestationEntryBody,
  fulcioLeaf,
  keylessAttestationLayer,
  signedAttestation,
  type TestRekorLog,
  testRekorLog,
} from '../../helpers/fulcio-leaf.js';
import { type ReissuingCa, reissuingCa } from '../../helpers/fulcio-reissue.js';
import { podVerdict } from '../../helpers/pod-verdict.js';
import { indent } from '../../helpers/policy-yaml.js';
import { registryFixture } from '../../helpers/registry-fixture.js';

const ACTIONS = 'https://token.actions.githubusercontent.com';
const dir = mkdtempSync(join(tmpdir(), 'ocisign-keyless-att-policy-'));
const fixture = registryFixture();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keyless attestors on classic .att attestations (private CA and Rekor log)', () => {
  const WORKFLOW = 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main';
  const SLSA = 'https://slsa.dev/provenance/v1';
  let ca: ReissuingCa;
  let rekor: TestRekorLog;

  beforeAll(async () => {
    ca = reissuingCa(mkdtempSync(join(dir, 'att-ca-')));
    rekor = await testRekorLog();
  });

  /** Pushes one `.att` layer per signer (each a leaf for `uri`), logged in the test Rekor. */
  async function pushAttestations(name: string, uris: readonly string[]): Promise<string> {
    const repo = `${fixture.registry.host}/attested/${name}`;
    const digest = `sha256:${'ad'.repeat(32)}`;
    const layers: [Uint8Array, Descriptor][] = [];
    for (const uri of uris) {
      // cosign's legacy path checks the chain at the leaf's notBefore: the leaf may not predate
      // its CA, which openssl made moments ago.
      const leaf = await fulcioLeaf(ca, { uri, oidcIssuer: ACTIONS, notBefore: new Date() });
      const attestation = await signedAttestation(leaf.privateKey, { repo, digest });
      const bundle = await rekor.bundle(attestationEntryBody('dsse/0.0.1', attestation, leaf.pem));
      layers.push([
        attestation.blob,
        keylessAttestationLayer(attestation, { certificate: leaf.pem, chain: ca.pem, bundle }),
      ]);
    }
    for (const [blob] of layers) await fixture.client.pushBlob(repo, blob);
    const image = buildSignatureImage(layers.map(([, layer]) => layer));
    await fixture.client.pushBlob(repo, image.config);
    await fixture.client.putManifest(
      `${repo}:${signatureTag(digest, 'att')}`,
      image.manifest,
      image.mediaType,
    );
    return `${repo}@${digest}`;
  }

  function attestationEngine(rekorKey: string) {
    const yaml = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: keyless-attestations}
spec:
  validationFailureAction: Enforce
  rules:
  - name: provenance
    match: {any: [{resources: {kinds: [Pod]}}]}
    verifyImages:
    - imageReferences: ["${fixture.registry.host}/attested/*"]
      mutateDigest: false
      verifyDigest: false
      attestations:
      - type: ${SLSA}
        attestors:
        - entries:
          - keyless:
              subject: "https://github.com/acme/*"
              issuer: ${ACTIONS}
              roots: |-
${indent(ca.pem, 16)}
              rekor:
                url: https://rekor.example.com
                pubkey: |-
${indent(rekorKey, 18)}
              ctlog: {ignoreSCT: true}
        conditions:
        - all:
          - {key: "{{ buildDefinition.buildType }}", operator: Equals, value: test}
`;
    return new PolicyEngine(loadPolicies(yaml), {
      backend: registryBackend({ registry: fixture.client }),
      cache: false,
    });
  }

  it('passes when the attestation of the type has the identity and its conditions hold', async () => {
    const image = await pushAttestations('one', [WORKFLOW]);
    const ok = await podVerdict(attestationEngine(rekor.publicKeyPem), image);
    expect(ok, ok.message).toMatchObject({ allowed: true, status: 'pass' });
    expect(ok.message).toBe(`verified image attestations for ${image}`);
  });

  it('fails when any attestation of the type has another identity (one matching is not enough)', async () => {
    const image = await pushAttestations('two', [
      WORKFLOW,
      'https://github.com/evil/app/.github/workflows/x.yml@refs/heads/main',
    ]);
    const result = await podVerdict(attestationEngine(rekor.publicKeyPem), image);
    expect(result).toMatchObject({ allowed: false, status: 'fail' });
    expect(result.message).toContain('subject mismatch: expected https://github.com/acme/*');
  });

  it('fails with another rekor.pubkey', async () => {
    const image = await pushAttestations('rekor', [WORKFLOW]);
    const other = exportPublicKeyPem((await generateKeyPair()).publicKey);
    const result = await podVerdict(attestationEngine(other), image);
    expect(result).toMatchObject({ allowed: false, status: 'fail' });
    expect(result.message).toContain('no matching attestations');
  });
});
