/**
 * `npm run demo`: the reference workflow on one machine, nothing installed but Node — an AWS KMS key
 * (the KMS emulator) signs an image in a registry (the in-memory test registry); a Kyverno
 * ClusterPolicy holding the exported cosign.pub admits the signed pod with its image pinned to the
 * digest and denies the unsigned one. Exits non-zero if any step does not behave as described.
 */
import { exportPublicKeyPem, RegistryClient, signImage, VerificationError, verifyImage } from 'ocisign';
import { AwsKmsSigner, createAwsKmsKey } from 'ocisign/kms/aws';
import { handleAdmissionReview, loadPolicies, PolicyEngine, registryBackend } from 'ocisign/policy';
import { pushExampleImage, startKmsEmulator, startRegistry } from 'ocisign/testing';

const kms = await startKmsEmulator();
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
  onWarning: () => {},
});
console.log(
  `\n3. cosign sign --key ${keyRef} ${signed}\n   signed ${result.digest} -> ${result.signatures[0]?.location}`,
);

console.log('\n4. cosign verify --key cosign.pub (no tlog: --insecure-ignore-tlog)');
for (const image of [signed, unsigned]) {
  try {
    const verified = await verifyImage(image, {
      keys: [cosignPub],
      registry: client,
      ignoreTlog: true,
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

const policyYaml = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: check-image
spec:
  validationFailureAction: Enforce
  webhookConfiguration: {failurePolicy: Fail, timeoutSeconds: 30}
  rules:
  - name: check-image
    match:
      any:
      - resources: {kinds: [Pod]}
    verifyImages:
    - imageReferences: ["${registry.host}/demo/*"]
      attestors:
      - entries:
        - keys:
            publicKeys: |-
${cosignPub
  .trim()
  .split('\n')
  .map((line) => `              ${line}`)
  .join('\n')}
            rekor: {url: https://rekor.sigstore.dev, ignoreTlog: true}
            ctlog: {ignoreSCT: true}
`;
console.log(`\n5. kubectl apply -f policy.yaml (a Kyverno ClusterPolicy holding cosign.pub)\n${policyYaml}`);
const engine = new PolicyEngine(loadPolicies(policyYaml), { backend: registryBackend({ registry: client }) });

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

if (problems.length > 0) {
  console.error(`\nThe demo did not behave as described:\n  ${problems.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log('\nThe signed pod was admitted with its digest pinned; the unsigned pod was denied.');
}
