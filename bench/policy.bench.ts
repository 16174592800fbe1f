/**
 * Admission reviews against the local docker-registry: a Pod with 8 containers sharing 3 signed
 * images, tag references (so digests are pinned), one Kyverno ClusterPolicy. Cold = a new
 * verification cache for every review (every image verified, once per distinct image); warm = a
 * shared cache (no registry request). Reviews/s (one at a time) and p50 / p99 latency.
 */
import { signImage } from '../src/index.js';
import { createSigner, exportPublicKeyPem, generateKeyPair } from '../src/keys/index.js';
import {
  handleAdmissionReview,
  loadPolicies,
  PolicyEngine,
  registryBackend,
  VerificationCache,
} from '../src/policy/index.js';
import { RegistryClient, type RequestInfo } from '../src/registry/index.js';
import { pushExampleImage } from '../src/testing/index.js';
import { startDockerRegistry } from '../test/helpers/docker-registry.js';
import { type BenchSection, formatRate, table } from './harness.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function run(): Promise<BenchSection> {
  const registry = await startDockerRegistry('none');
  const requests: RequestInfo[] = [];
  const client = new RegistryClient({ dockerConfig: false, onRequest: (i) => requests.push(i) });
  const { privateKey, publicKey } = await generateKeyPair();
  const repos = ['bench/web', 'bench/sidecar', 'bench/agent'];
  for (const repo of repos) {
    const pushed = await pushExampleImage(client, `${registry.host}/${repo}:v1`);
    await signImage(pushed.reference, {
      signer: createSigner(privateKey),
      registry: client,
      format: 'simple-signing',
    });
  }
  const policies = loadPolicies(`apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: bench}
spec:
  validationFailureAction: Enforce
  rules:
  - name: verify
    match: {any: [{resources: {kinds: [Pod]}}]}
    verifyImages:
    - imageReferences: ["${registry.host}/bench/*"]
      attestors:
      - entries:
        - keys:
            publicKeys: ${JSON.stringify(exportPublicKeyPem(publicKey))}
            rekor: {ignoreTlog: true}
`);
  const review = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'bench',
      operation: 'CREATE',
      namespace: 'default',
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'bench', namespace: 'default' },
        spec: {
          containers: Array.from({ length: 8 }, (_, i) => ({
            name: `c${i}`,
            image: `${registry.host}/${repos[i % 3]}:v1`,
          })),
        },
      },
    },
  };
  const backend = registryBackend({ registry: client });
  const sharedCache = new VerificationCache();
  const rows: string[][] = [];
  for (const mode of ['cold', 'warm'] as const) {
    const engine = () =>
      new PolicyEngine(policies, { backend, cache: mode === 'warm' ? sharedCache : new VerificationCache() });
    const warmEngine = engine();
    const once = async () => {
      const answer = await handleAdmissionReview(mode === 'warm' ? warmEngine : engine(), review);
      if (!answer.response.allowed)
        throw new Error(`bench review denied: ${answer.response.status?.message}`);
    };
    await once();
    const before = requests.length;
    await once();
    const perReview = requests.length - before;
    const latencies: number[] = [];
    const end = performance.now() + SECONDS * 1000;
    while (performance.now() < end) {
      const start = performance.now();
      await once();
      latencies.push(performance.now() - start);
    }
    latencies.sort((a, b) => a - b);
    const total = latencies.reduce((a, b) => a + b, 0);
    rows.push([
      `8 containers, 3 images, ${mode} cache`,
      formatRate((latencies.length / total) * 1000),
      `${percentile(latencies, 50).toFixed(2)} ms`,
      `${percentile(latencies, 99).toFixed(2)} ms`,
      String(perReview),
    ]);
  }
  await client.close();
  await registry.close();
  return {
    title: 'Admission reviews (policy engine)',
    markdown: [
      table(['Review', 'Reviews/s', 'p50', 'p99', 'HTTP requests per review'], rows),
      '',
      'Against the local docker-registry over loopback, one review at a time. Cold: each distinct image',
      'is verified once per review however many containers use it; the 3 verifications run',
      'concurrently, 3 sequential requests each (the tag, the `.sig` manifest, the payload blob), and',
      'the digest pin reuses the digest the verification resolved. Warm: results come from the',
      'verification cache (Kyverno keeps passes for 60 minutes), so a review makes no registry request.',
    ].join('\n'),
  };
}
