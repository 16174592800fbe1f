/**
 * What a caller sees when the other side misbehaves: typed errors with stable codes, never a hang
 * and never a silent pass. Three cases, all local:
 *  1. a registry that trickles its manifest one byte at a time — cut off by `documentTimeoutMs`;
 *  2. a registry that never answers — cut off by the caller's own `AbortSignal.timeout`;
 *  3. a policy stream holding a kind ocisign does not evaluate — refused when it verifies images,
 *     skipped with a warning when it does not.
 *
 * Run: npm run build && node --import tsx examples/hostile-input.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, OcisignError, RegistryClient, verifyImage } from 'ocisign';
import { exportPublicKeyPem } from 'ocisign/keys';
import { loadPolicies } from 'ocisign/policy';

// A registry that answers `GET /v2/…/manifests/…` by trickling, and hangs on everything else.
const server = createServer((req, res) => {
  if (!req.url?.includes('/manifests/')) return; // never answers
  res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
  const timer = setInterval(() => res.write(' '), 100);
  res.on('close', () => clearInterval(timer));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
const { publicKey } = await generateKeyPair();

function describe(error: unknown): string {
  return error instanceof OcisignError ? `${error.name} (${error.code})` : `untyped: ${String(error)}`;
}

// 1. The whole manifest must arrive within documentTimeoutMs, however steadily it trickles.
const trickled = new RegistryClient({ dockerConfig: false, documentTimeoutMs: 500 });
try {
  await verifyImage(`${host}/acme/app:1.0`, { keys: [publicKey], registry: trickled, ignoreTlog: true });
} catch (error) {
  console.log(`trickling registry: ${describe(error)}`);
}
await trickled.close();

// 2. The caller's deadline holds even when the registry never sends a header.
const hanging = new RegistryClient({ dockerConfig: false });
try {
  await verifyImage(`${host}/acme/app@sha256:${'0'.repeat(64)}`, {
    keys: [publicKey],
    registry: hanging,
    ignoreTlog: true,
    signal: AbortSignal.timeout(300),
  });
} catch (error) {
  console.log(`hanging registry: ${describe(error)}`);
}
await hanging.close();
server.close();

// 3. An ImageValidatingPolicy verifies images: dropping it would admit everything, so it is refused.
const ivpol = `apiVersion: policies.kyverno.io/v1
kind: ImageValidatingPolicy
metadata: { name: check-images }
spec: {}
`;
try {
  loadPolicies(ivpol);
} catch (error) {
  console.log(`ImageValidatingPolicy: ${describe(error)}`);
}

// A ConfigMap in the same stream verifies nothing: it is skipped, and the warning names it.
const pem = JSON.stringify(exportPublicKeyPem(publicKey)); // a JSON string is a YAML string
const mixed = `apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: { name: verify-signature }
spec:
  rules:
  - name: check
    match: { any: [{ resources: { kinds: [Pod] } }] }
    verifyImages:
    - imageReferences: ["ghcr.io/acme/*"]
      failureAction: Enforce
      attestors:
      - entries:
        - keys: { publicKeys: ${pem} }
`;
const loaded = loadPolicies(mixed);
console.log(`mixed stream: ${loaded.length} policy, ${loaded.warnings.length} warning`);
