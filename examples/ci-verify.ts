/**
 * Verify the images a CI job is about to deploy against a Kyverno policy file, the way the cluster
 * will — non-zero exit when any image would be denied.
 *
 * In CI:      node --import tsx examples/ci-verify.ts policy.yaml ghcr.io/acme/app:1.2 ghcr.io/acme/worker:1.2
 * Self-test:  node --import tsx examples/ci-verify.ts   (in-memory registry, one signed and one unsigned image)
 */
import { readFileSync } from 'node:fs';
import { RegistryClient, signImage } from 'ocisign';
import { createSigner, exportPublicKeyPem, generateKeyPair } from 'ocisign/keys';
import { loadPolicies, PolicyEngine, registryBackend } from 'ocisign/policy';
import { pushExampleImage, startRegistry } from 'ocisign/testing';

/** Evaluates each image as a Pod; prints one line per image and returns the exit code. */
async function verifyForDeploy(policyYaml: string, images: readonly string[], registry?: RegistryClient) {
  const engine = new PolicyEngine(loadPolicies(policyYaml), {
    backend: registryBackend(registry === undefined ? {} : { registry }),
  });
  let failed = 0;
  for (const image of images) {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ci', namespace: 'default' },
      spec: { containers: [{ name: 'app', image }] },
    };
    const decision = await engine.evaluate(pod, { signal: AbortSignal.timeout(30_000) });
    const why = decision.results.find((r) => r.status === 'fail' || r.status === 'error')?.message;
    console.log(`${decision.allowed ? 'PASS' : 'FAIL'} ${image}${why === undefined ? '' : `: ${why}`}`);
    if (!decision.allowed) failed++;
  }
  return failed === 0 ? 0 : 1;
}

const [policyFile, ...images] = process.argv.slice(2);
if (policyFile !== undefined) {
  process.exitCode = await verifyForDeploy(readFileSync(policyFile, 'utf8'), images);
} else {
  const registry = await startRegistry();
  const client = new RegistryClient({ dockerConfig: false });
  const { privateKey, publicKey } = await generateKeyPair();
  const app = await pushExampleImage(client, `${registry.host}/acme/app:1.2`);
  await signImage(app.reference, {
    signer: createSigner(privateKey),
    registry: client,
    format: 'simple-signing',
  });
  await pushExampleImage(client, `${registry.host}/acme/worker:1.2`);
  const policy = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: release-images}
spec:
  validationFailureAction: Enforce
  rules:
  - name: signed-by-ci
    match: {any: [{resources: {kinds: [Pod]}}]}
    verifyImages:
    - imageReferences: ["${registry.host}/acme/*"]
      mutateDigest: false
      verifyDigest: false
      attestors:
      - entries:
        - keys:
            publicKeys: ${JSON.stringify(exportPublicKeyPem(publicKey))}
            rekor: {ignoreTlog: true}
`;
  const good = await verifyForDeploy(policy, [`${registry.host}/acme/app:1.2`], client);
  const bad = await verifyForDeploy(
    policy,
    [`${registry.host}/acme/app:1.2`, `${registry.host}/acme/worker:1.2`],
    client,
  );
  console.log(`exit codes: ${good} for the signed release, ${bad} with the unsigned worker`);
  await client.close();
  await registry.close();
}
