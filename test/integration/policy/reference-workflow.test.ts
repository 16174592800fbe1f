/**
 * The reference workflow as its users run it (../shared/vectors/kyverno/reference-workflow): an AWS
 * KMS key (the real SDK against our emulator) signs an image with the signature logged in Rekor
 * (startSigstore's log), and the workflow's ClusterPolicy — verbatim, the published key
 * substituted as its README says, no `rekor` block, so Kyverno requires the tlog entry — admits the
 * signed pod with its digest pinned and denies the unsigned one. The same image signed without the
 * upload (cosign `--tlog-upload=false`) is denied: the entry is what the policy asks for.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signImage } from '../../../src/index.js';
import { exportPublicKeyPem } from '../../../src/keys/index.js';
import { AwsKmsSigner, createAwsKmsKey } from '../../../src/kms/aws/index.js';
import {
  handleAdmissionReview,
  loadPolicies,
  PolicyEngine,
  registryBackend,
} from '../../../src/policy/index.js';
import { type RunningKmsEmulator, startKmsEmulator, startSigstore } from '../../../src/testing/index.js';
import { image } from '../../helpers/images.js';
import { registryFixture } from '../../helpers/registry-fixture.js';
import { SHARED_DIR } from '../../helpers/vectors.js';

const POLICY = readFileSync(
  resolve(SHARED_DIR, 'vectors', 'kyverno', 'reference-workflow', 'verify_image.yaml'),
  'utf8',
);
const KEY_REF = 'awskms:///alias/container-image-verification';

const fixture = registryFixture();
let kms: RunningKmsEmulator;
let sigstore: Awaited<ReturnType<typeof startSigstore>>;
let signer: AwsKmsSigner;
let policyYaml: string;

/** The published policy with its example key replaced by ours, every other byte as published. */
function withOurKey(policy: string, pem: string): string {
  const block = /( *)-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/;
  const indent = block.exec(policy)?.[1] ?? '';
  const replaced = policy.replace(
    block,
    pem
      .trim()
      .split('\n')
      .map((l) => `${indent}${l}`)
      .join('\n'),
  );
  expect(replaced).not.toBe(policy);
  return replaced;
}

async function pushImage(name: string): Promise<{ ref: string; digest: string }> {
  const repo = `${fixture.registry.host}/supply-chain-security/${name}`;
  const img = image({ seed: name });
  for (const b of [img.config, ...img.layers]) await fixture.client.pushBlob(repo, b.bytes);
  await fixture.client.putManifest(`${repo}:latest`, img.manifest.bytes, img.manifest.mediaType);
  return { ref: `${repo}:latest`, digest: img.manifest.digest };
}

async function admit(imageRef: string, name: string) {
  const engine = new PolicyEngine(loadPolicies(policyYaml), {
    backend: registryBackend({ registry: fixture.client, trustedRoot: sigstore.trustedRoot }),
  });
  const review = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `reference-${name}`,
      operation: 'CREATE',
      namespace: 'default',
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default' },
        spec: { containers: [{ name: 'app', image: imageRef }] },
      },
    },
  };
  return (await handleAdmissionReview(engine, review)).response;
}

beforeAll(async () => {
  kms = await startKmsEmulator();
  sigstore = await startSigstore();
  const awskms = { region: kms.region, credentials: kms.credentials, endpointUrl: kms.endpoint };
  policyYaml = withOurKey(POLICY, exportPublicKeyPem(await createAwsKmsKey(KEY_REF, awskms)));
  signer = new AwsKmsSigner(KEY_REF, awskms);
});
afterAll(async () => {
  await sigstore?.close();
  await kms?.close();
});

describe('the reference workflow, its ClusterPolicy verbatim', () => {
  it('requires a tlog entry: the policy has no rekor block', () => {
    expect(POLICY).not.toMatch(/rekor|ignoreTlog/);
  });

  it('admits the pod signed with the KMS key and logged in Rekor, its image pinned to the digest', async () => {
    const { ref, digest } = await pushImage('signed');
    const before = sigstore.rekorEntries().length;
    await signImage(ref, {
      signer,
      registry: fixture.client,
      tlog: { rekorUrl: sigstore.rekorUrl },
      trustedRoot: sigstore.trustedRoot,
      onWarning: () => {},
    });
    expect(sigstore.rekorEntries().length).toBe(before + 1);
    const response = await admit(ref, 'signed');
    expect(response.allowed).toBe(true);
    const patches = JSON.parse(Buffer.from(response.patch ?? 'W10=', 'base64').toString()) as Array<{
      op: string;
      value: unknown;
    }>;
    expect(patches.find((p) => p.op === 'replace')?.value).toBe(`${ref}@${digest}`);
  });

  it('denies the unsigned pod', async () => {
    const { ref } = await pushImage('unsigned');
    const response = await admit(ref, 'unsigned');
    expect(response.allowed).toBe(false);
  });

  it('denies a pod signed with the right key but never logged (--tlog-upload=false)', async () => {
    const { ref } = await pushImage('not-logged');
    await signImage(ref, { signer, registry: fixture.client, onWarning: () => {} });
    const response = await admit(ref, 'not-logged');
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toMatch(/tlog|transparency|Rekor|bundle/i);
  });
});
