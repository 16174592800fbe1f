/**
 * `npm run demo`: the reference workflow on one machine, nothing installed but Node — an AWS KMS key
 * (the KMS emulator) signs an image in a registry (the in-memory test registry) and logs the
 * signature in Rekor (the local Sigstore of `startSigstore()`), as `cosign sign` does by default;
 * the reference workflow's ClusterPolicy (`image: "*"`, `key:`, no `rekor` block, so the tlog entry
 * is required) holding the exported cosign.pub admits the signed pod with its image pinned to the
 * digest and denies the unsigned one. Exits non-zero if any step does not behave as described.
 */
import { exportPublicKeyPem, RegistryClient, signImage, VerificationError, verifyImage } from 'ocisign';
import { AwsKmsSigner, createAwsKmsKey } from 'ocisign/kms/aws';
import { handleAdmissionReview, loadPolicies, PolicyEngine, registryBackend } from 'ocisign/policy';
import { pushExampleImage, startKmsEmulator, startRegistry, startSigstore } from 'ocisign/testing';

const kms = await startKmsEmulator();
const sigstore = await startSigstore();
const registry = await startRegistry();
const client = new RegistryClient({ dockerConfig: false });
const awskms = { region: kms.region, credentials: kms.credentials, endpointUrl: kms.endpoint };
const keyRef = 'awskms:///alias/container-image-verification';
const problems: string[] = [];
const expect = (ok: boolean, what: string) => {
  if (!ok) problems.push(what);
};

console.log('1. cosign generate-key-pair --kms', keyRef);
const cosignPub = exportPublicKeyPem(await createAwsKmsKey(keyRef, awskms));
console.log(cosignPub.trim());

const signed = `${registry.host}/demo/signed:v1`;
const unsigned = `${registry.host}/demo/unsigned:v1`;
await pushExampleImage(client, signed);
await pushExampleImage(client, unsigned);
console.log(`\n2. pushed ${signed} and ${unsigned}`);

const result = await signImage(signed, {
  signer: new AwsKmsSigner(keyRef, awskms),
  registry: client,
  tlog: { rekorUrl: sigstore.rekorUrl },
  trustedRoot: sigstore.trustedRoot,
  onWarning: () => {},
});
const entry = result.signatures[0]?.tlogEntry;
console.log(
  `\n3. cosign sign --key ${keyRef} --upload=true ${signed}\n   signed ${result.digest} -> ${result.signatures[0]?.location}\n   logged in Rekor at index ${entry?.logIndex} (${sigstore.rekorUrl})`,
);
expect(entry !== undefined, 'the signature should have a Rekor entry');

console.log('\n4. cosign verify --key cosign.pub (the Rekor entry checked against the trusted root)');
for (const image of [signed, unsigned]) {
  try {
    const verified = await verifyImage(image, {
      keys: [cosignPub],
      registry: client,
      trustedRoot: sigstore.trustedRoot,
      onWarning: () => {},
    });
    console.log(`   ${image}: verified (${verified.signatures.length} signature)`);
    expect(image === signed, `${image} should not verify`);
  } catch (error) {
    if (!(error instanceof VerificationError)) throw error;
    console.log(`   ${image}: refused (${error.failures.map((f) => f.reason).join(', ')})`);
    expect(image === unsigned, `${image} should verify`);
  }
}

// The reference workflow's verify_image.yaml, with our key in place of its example key.
const policyYaml = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: check-image
spec:
  validationFailureAction: enforce
  background: false
  rules:
    - name: check-image
      match:
        resources:
          kinds:
            - Pod
      verifyImages:
      - image: "*"
        key: |-
${cosignPub
  .trim()
  .split('\n')
  .map((line) => `          ${line}`)
  .join('\n')}
`;
console.log(
  `\n5. kubectl apply -f verify_image.yaml (the reference ClusterPolicy holding cosign.pub)\n${policyYaml}`,
);
const engine = new PolicyEngine(loadPolicies(policyYaml), {
  backend: registryBackend({ registry: client, trustedRoot: sigstore.trustedRoot }),
});

console.log('6. kubectl run: the API server sends an AdmissionReview for each pod');
for (const [name, image] of [
  ['signed', signed],
  ['unsigned', unsigned],
] as const) {
  const review = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `demo-${name}`,
      operation: 'CREATE',
      namespace: 'default',
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default' },
        spec: { containers: [{ name: 'app', image }] },
      },
    },
  };
  const { response } = await handleAdmissionReview(engine, review);
  if (response.allowed) {
    const patches = JSON.parse(Buffer.from(response.patch ?? 'W10=', 'base64').toString()) as Array<{
      op: string;
      value: unknown;
    }>;
    const pinned = patches.find((p) => p.op === 'replace')?.value;
    console.log(`   ${name} pod: admitted, image pinned to ${String(pinned)}`);
    expect(
      name === 'signed' && pinned === `${signed}@${result.digest}`,
      `the ${name} pod should not be admitted like this`,
    );
  } else {
    const reason = response.status?.message.trim().split('\n').at(-1)?.trim();
    console.log(`   ${name} pod: denied — ${reason}`);
    expect(name === 'unsigned', `the ${name} pod should be admitted`);
  }
}
await client.close();
await registry.close();
await kms.close();
await sigstore.close();

if (problems.length > 0) {
  console.error(`\nThe demo did not behave as described:\n  ${problems.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log('\nThe signed pod was admitted with its digest pinned; the unsigned pod was denied.');
}
