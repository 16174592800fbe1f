/**
 * A Kyverno policy over the real cosign 3.0.4 bundle referrer (shared vectors) in the real
 * registry: `type: SigstoreBundle` with the tlog required and the Rekor key given as
 * `rekor.pubkey` — the signed entry timestamp is checked offline; a wrong Rekor key or a missing
 * one is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPublicKeyPem, generateKeyPair } from '../../../src/keys/index.js';
import { loadPolicies, PolicyEngine, registryBackend } from '../../../src/policy/index.js';
import { RegistryClient } from '../../../src/registry/index.js';
import { type RunningRegistry, startDockerRegistry } from '../../helpers/docker-registry.js';
import { readVectors } from '../../helpers/vectors.js';

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
const real = readVectors<Record<string, any>>('cosign/real-cosign-artifacts.json');
const r = real.newBundleReferrer;
const enc = (s: string) => new TextEncoder().encode(s);
let registry: RunningRegistry;
let client: RegistryClient;

beforeAll(async () => {
  registry = await startDockerRegistry('none');
  client = new RegistryClient({ dockerConfig: false });
  const repo = `${registry.host}/tobby/bundle`;
  await client.pushBlob(repo, enc('{}'));
  await client.pushBlob(repo, enc(r.bundle));
  await client.pushReferrer(repo, enc(r.referrerManifest), 'application/vnd.oci.image.manifest.v1+json');
});
afterAll(async () => {
  await client?.close();
  await registry?.close();
});

const indent = (pem: string, pad: string) => pem.trim().split('\n').join(`\n${pad}`);
function policy(rekor: string): string {
  return `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: cosign3}
spec:
  validationFailureAction: Enforce
  rules:
  - name: bundle
    match: {any: [{resources: {kinds: [Pod]}}]}
    verifyImages:
    - type: SigstoreBundle
      imageReferences: ["${registry.host}/tobby/*"]
      attestors:
      - entries:
        - keys:
            publicKeys: |-
              ${indent(r.publicKeyPem, '              ')}
${rekor}
`;
}
const pod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: `${registry.host}/tobby/bundle@${r.subject.digest}` }] },
});
const evaluate = (yaml: string) =>
  new PolicyEngine(loadPolicies(yaml), {
    backend: registryBackend({ registry: client }),
    cache: false,
  }).evaluate(pod());

describe('Kyverno policy over a real cosign 3 bundle', () => {
  it('admits with the tlog checked offline against rekor.pubkey', async () => {
    const d = await evaluate(
      policy(
        `            rekor:\n              url: https://rekor.sigstore.dev\n              pubkey: |-\n                ${indent(r.rekorPublicKeyPem, '                ')}`,
      ),
    );
    expect(d.allowed, d.message).toBe(true);
    expect(d.results[0]).toMatchObject({
      status: 'pass',
      message: expect.stringContaining('verified image signatures'),
    });
  });

  it('denies with another Rekor key, or with the tlog required and no Rekor key at all', async () => {
    const other = exportPublicKeyPem((await generateKeyPair()).publicKey);
    const wrong = await evaluate(
      policy(
        `            rekor:\n              url: https://rekor.sigstore.dev\n              pubkey: |-\n                ${indent(other, '                ')}`,
      ),
    );
    expect(wrong.allowed).toBe(false);
    expect(wrong.message).toContain('.attestors[0].entries[0].keys:');
    const none = await evaluate(policy('            rekor: {url: https://rekor.sigstore.dev}'));
    expect(none.allowed).toBe(false);
    expect(none.message).toMatch(/no trustedRoot or rekorPublicKeys/);
  });

  it('admits with ignoreTlog', async () => {
    const d = await evaluate(policy('            rekor: {ignoreTlog: true}'));
    expect(d.allowed, d.message).toBe(true);
  });
});
