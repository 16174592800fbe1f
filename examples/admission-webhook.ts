/**
 * A Kubernetes admission webhook on node:https that applies Kyverno `verifyImages` policies with
 * ocisign. Install it with examples/admission-webhook.yaml (a MutatingWebhookConfiguration on
 * /mutate and a ValidatingWebhookConfiguration on /validate).
 *
 * Serve:      POLICY=policy.yaml TLS_CERT=tls.crt TLS_KEY=tls.key \
 *               node --import tsx examples/admission-webhook.ts --serve
 * Self-test:  node --import tsx examples/admission-webhook.ts
 *             (in-memory registry, a self-signed certificate made with openssl, two AdmissionReviews)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient, signImage } from 'ocisign';
import { createSigner, exportPublicKeyPem, generateKeyPair } from 'ocisign/keys';
import { admissionRequestListener, loadPolicies, PolicyEngine, registryBackend } from 'ocisign/policy';
import { pushExampleImage, startRegistry } from 'ocisign/testing';

/** The HTTPS server: /mutate pins digests, /validate re-checks the final object without patching. */
function webhookServer(policyYaml: string, tls: { cert: string; key: string }, registry?: RegistryClient) {
  const engine = new PolicyEngine(loadPolicies(policyYaml), {
    backend: registryBackend(registry === undefined ? {} : { registry }),
  });
  const log = (answer: { response: { uid: string; allowed: boolean } }) =>
    console.error(`admission ${answer.response.uid}: ${answer.response.allowed ? 'allowed' : 'denied'}`);
  const mutate = admissionRequestListener(engine, { deadlineMs: 8000, onDecision: log });
  const validate = admissionRequestListener(engine, { deadlineMs: 8000, patches: false });
  return createServer(tls, (req, res) => (req.url?.startsWith('/validate') ? validate : mutate)(req, res));
}

if (process.argv.includes('--serve')) {
  const env = (name: string): string => {
    const value = process.env[name];
    if (value === undefined) throw new Error(`${name} is required`);
    return value;
  };
  const server = webhookServer(readFileSync(env('POLICY'), 'utf8'), {
    cert: readFileSync(env('TLS_CERT'), 'utf8'),
    key: readFileSync(env('TLS_KEY'), 'utf8'),
  });
  server.listen(Number(process.env.PORT ?? 8443), () => console.error('ocisign webhook listening'));
} else {
  // Self-test: a signed and an unsigned image, a policy trusting our key, two AdmissionReviews.
  const dir = mkdtempSync(join(tmpdir(), 'ocisign-webhook-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      join(dir, 'tls.key'),
      '-out',
      join(dir, 'tls.crt'),
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const tls = {
    cert: readFileSync(join(dir, 'tls.crt'), 'utf8'),
    key: readFileSync(join(dir, 'tls.key'), 'utf8'),
  };
  rmSync(dir, { recursive: true });

  const registry = await startRegistry();
  const client = new RegistryClient({ dockerConfig: false });
  const { privateKey, publicKey } = await generateKeyPair();
  const signed = await pushExampleImage(client, `${registry.host}/acme/web:v1`);
  await signImage(signed.reference, {
    signer: createSigner(privateKey),
    registry: client,
    format: 'simple-signing',
  });
  await pushExampleImage(client, `${registry.host}/acme/tool:v1`);

  const pem = exportPublicKeyPem(publicKey).trim().replaceAll('\n', '\n              ');
  const policy = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: check-image}
spec:
  validationFailureAction: Enforce
  rules:
  - name: check-image
    match: {any: [{resources: {kinds: [Pod]}}]}
    verifyImages:
    - imageReferences: ["${registry.host}/acme/*"]
      attestors:
      - entries:
        - keys:
            publicKeys: |-
              ${pem}
            rekor: {ignoreTlog: true}
`;
  const server = webhookServer(policy, tls, client).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;

  const admit = (image: string, path: string) =>
    new Promise<{ response: { allowed: boolean; patch?: string; status?: { message: string } } }>(
      (resolve, reject) => {
        const body = JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          request: {
            uid: image,
            operation: 'CREATE',
            namespace: 'default',
            object: {
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { name: 'web', namespace: 'default' },
              spec: { containers: [{ name: 'app', image }] },
            },
          },
        });
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path,
            method: 'POST',
            ca: tls.cert,
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res
              .on('data', (c: Buffer) => chunks.push(c))
              .on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
          },
        );
        req.on('error', reject).end(body);
      },
    );

  const ok = await admit(`${registry.host}/acme/web:v1`, '/mutate');
  const patch = JSON.parse(Buffer.from(ok.response.patch ?? 'W10=', 'base64').toString()) as Array<{
    value: unknown;
  }>;
  console.log(
    `signed pod: ${ok.response.allowed ? 'allowed' : 'denied'}, image pinned to ${String(patch.at(-1)?.value).split('@')[1]}`,
  );
  const no = await admit(`${registry.host}/acme/tool:v1`, '/mutate');
  console.log(
    `unsigned pod: ${no.response.allowed ? 'allowed' : 'denied'}: ${no.response.status?.message.trim().split('\n').at(-1)?.trim()}`,
  );
  const validated = await admit(`${signed.reference.replace('@', ':v1@')}`, '/validate');
  console.log(
    `validating webhook on the pinned pod: ${validated.response.allowed ? 'allowed' : 'denied'}, patch: ${validated.response.patch ?? 'none'}`,
  );
  server.close();
  await client.close();
  await registry.close();
}
