/**
 * Kyverno keyless and certificates attestors end to end against the real docker-registry, through
 * `registryBackend` and `PolicyEngine`: the real classic keyless signatures of ../shared/vectors/keyless
 * (public-good Fulcio, Rekor, CT log; checked offline against the shipped trusted root) pass with
 * the right subject and issuer, fail with a wrong one, a wrong `rekor.pubkey` or `ctlog.pubkey`, and
 * with `ignoreTlog` (their 10-minute certificates have expired, as in Kyverno); a signature we make
 * under a private CA with a long-lived certificate passes `ignoreTlog` where Kyverno would, and is
 * the subject of the `certificates` cases (`certChain`, `cert`, both). `certificates.cert` with the
 * tlog passes on a real signature whose entry names its certificate. With `roots`, intermediates come
 * from each layer's chain annotation, as in Kyverno: a made CA → intermediate → leaf passes under the
 * root alone or the intermediate alone, and fails when the annotation lacks the intermediate.
 * Attestations: keyless-attestations.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPublicKeyPem, generateKeyPair } from '../../../src/keys/index.js';
import { encodePem } from '../../../src/keys/pem.js';
import type { Descriptor } from '../../../src/payload/oci.js';
import { buildSignatureImage } from '../../../src/payload/signature-image.js';
import { signatureLayerDescriptor } from '../../../src/payload/signature-layer.js';
import { encodeSimpleSigningPayload } from '../../../src/payload/simple-signing.js';
import { signatureTag } from '../../../src/payload/tags.js';
import { loadPolicies, PolicyEngine, registryBackend } from '../../../src/policy/index.js';
import { shippedTrustedRoot } from '../../../src/sigstore/shipped.js';
import { intermediateCa, keylessSignatureLayer, type MadeCa, rootCa } from '../../helpers/ca-chain.js';
import { caCertificate } from '../../helpers/certs.js';
import { fulcioLeaf } from '../../helpers/fulcio-leaf.js';
import { podVerdict } from '../../helpers/pod-verdict.js';
import { indent } from '../../helpers/policy-yaml.js';
import { registryFixture } from '../../helpers/registry-fixture.js';
import { SHARED_DIR } from '../../helpers/vectors.js';

const KEYLESS = join(SHARED_DIR, 'vectors', 'keyless');
const ACTIONS = 'https://token.actions.githubusercontent.com';
const dir = mkdtempSync(join(tmpdir(), 'ocisign-keyless-policy-'));
const fixture = registryFixture();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function pushSignature(
  repo: string,
  digest: string,
  layer: Descriptor,
  payload: Uint8Array,
): Promise<void> {
  await fixture.client.pushBlob(repo, payload);
  const image = buildSignatureImage([layer]);
  await fixture.client.pushBlob(repo, image.config);
  await fixture.client.putManifest(`${repo}:${signatureTag(digest, 'sig')}`, image.manifest, image.mediaType);
}

/** Pushes a real keyless vector's `.sig` layer; returns the image reference it signs. */
async function pushVector(id: string): Promise<string> {
  const c = JSON.parse(readFileSync(join(KEYLESS, id, 'case.json'), 'utf8'));
  const layer = JSON.parse(readFileSync(join(KEYLESS, id, 'layer.json'), 'utf8'));
  const payload = new Uint8Array(readFileSync(join(KEYLESS, id, 'payload')));
  const repo = `${fixture.registry.host}/vectors/${id}`;
  await pushSignature(repo, c.imageDigest, layer, payload);
  return `${repo}@${c.imageDigest}`;
}

/** A ClusterPolicy with one attestor entry (YAML lines under `- `, indented by the caller). */
function engine(attestor: string, extra: { trustedRoot?: unknown; annotations?: string } = {}) {
  const yaml = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: keyless}
spec:
  validationFailureAction: Enforce
  rules:
  - name: verify
    match: {any: [{resources: {kinds: [Pod]}}]}
    verifyImages:
    - imageReferences: ["${fixture.registry.host}/*"]
      mutateDigest: false
      verifyDigest: false
      attestors:
      - entries:
        - ${attestor.trim().replaceAll('\n', '\n          ')}${extra.annotations === undefined ? '' : `\n          annotations: ${extra.annotations}`}
`;
  const backend = registryBackend({
    registry: fixture.client,
    ...(extra.trustedRoot === undefined ? {} : { trustedRoot: extra.trustedRoot }),
  });
  return new PolicyEngine(loadPolicies(yaml), { backend, cache: false });
}

const keyless = (fields: string) => `keyless:\n  ${fields.trim().replaceAll('\n', '\n  ')}`;
const REKOR = 'rekor: {url: https://rekor.sigstore.dev}';

describe('keyless attestors on real public-good signatures', () => {
  let github: string;
  let google: string;
  beforeAll(async () => {
    github = await pushVector('classic-github-actions');
    google = await pushVector('classic-google-service-account');
  });

  it('passes with the right subject (wildcard) and issuer, with the shipped trusted root by default', async () => {
    const ok = await podVerdict(
      engine(keyless(`subject: "https://github.com/salrashid123/*"\nissuer: ${ACTIONS}\n${REKOR}`)),
      github,
    );
    expect(ok, ok.message).toMatchObject({ allowed: true, status: 'pass' });
    // Given explicitly, the same root gives the same answer.
    const explicit = await podVerdict(
      engine(
        keyless(`subjectRegExp: "salrashid123/go-bazel-github-workflow"\nissuer: ${ACTIONS}\n${REKOR}`),
        {
          trustedRoot: readFileSync(
            join(KEYLESS, 'trusted-roots', 'public-good-sigstore-tuf-4.0.2.json'),
            'utf8',
          ),
        },
      ),
      github,
    );
    expect(explicit.status, explicit.message).toBe('pass');
  });

  it('fails with a wrong subject or issuer, naming what the certificate holds', async () => {
    const subject = await podVerdict(
      engine(keyless(`subject: "https://github.com/acme/*"\nissuer: ${ACTIONS}\n${REKOR}`)),
      github,
    );
    expect(subject).toMatchObject({ allowed: false, status: 'fail' });
    expect(subject.message).toContain(
      '.attestors[0].entries[0].keyless: subject mismatch: expected https://github.com/acme/*',
    );
    expect(subject.message).toContain('salrashid123/go-bazel-github-workflow');
    const issuer = await podVerdict(
      engine(keyless(`subject: "*"\nissuer: https://accounts.google.com\n${REKOR}`)),
      github,
    );
    expect(issuer.message).toContain(
      `issuer mismatch: expected https://accounts.google.com, received ${ACTIONS}`,
    );
  });

  it('additionalExtensions and an email subject', async () => {
    const ref = (value: string) =>
      engine(
        keyless(
          `issuer: ${ACTIONS}\nadditionalExtensions: {githubWorkflowRef: "${value}", githubWorkflowTrigger: push}\n${REKOR}`,
        ),
      );
    expect((await podVerdict(ref('refs/tags/v0.0.*'), github)).status).toBe('pass');
    expect((await podVerdict(ref('refs/heads/main'), github)).message).toContain('extension mismatch');
    const sa = await podVerdict(
      engine(
        keyless(
          `subject: "*@cosign-test-384419.iam.gserviceaccount.com"\nissuer: https://accounts.google.com\n${REKOR}`,
        ),
      ),
      google,
    );
    expect(sa.status, sa.message).toBe('pass');
  });

  it('attestor annotations: one verified payload must carry them', async () => {
    const sa = keyless(`subject: "*"\nissuer: https://accounts.google.com\n${REKOR}`);
    expect((await podVerdict(engine(sa, { annotations: '{key1: value1}' }), google)).status).toBe('pass');
    const other = await podVerdict(engine(sa, { annotations: '{key1: other}' }), google);
    expect(other.message).toContain('no signature matched the required annotations');
  });

  it('fails with a wrong rekor.pubkey or ctlog.pubkey; ignoreSCT lets the second through', async () => {
    const key = indent(exportPublicKeyPem((await generateKeyPair()).publicKey), 4);
    const rekor = await podVerdict(
      engine(
        keyless(
          `subject: "*"\nissuer: ${ACTIONS}\nrekor:\n  url: https://rekor.sigstore.dev\n  pubkey: |-\n${key}`,
        ),
      ),
      github,
    );
    expect(rekor).toMatchObject({ allowed: false, status: 'fail' });
    expect(rekor.message).toMatch(/no matching signatures: .*transparency-log/);
    const ct = (ignoreSCT: boolean) =>
      engine(
        keyless(
          `subject: "*"\nissuer: ${ACTIONS}\n${REKOR}\nctlog:\n  ignoreSCT: ${ignoreSCT}\n  pubkey: |-\n${key}`,
        ),
      );
    expect((await podVerdict(ct(false), github)).message).toMatch(/SCT/);
    expect((await podVerdict(ct(true), github)).status).toBe('pass');
  });

  it('ignoreTlog fails here, as in Kyverno: no signed time, and the certificate expired long ago', async () => {
    const result = await podVerdict(
      engine(
        keyless(
          `subject: "*"\nissuer: ${ACTIONS}\nrekor: {url: https://rekor.sigstore.dev, ignoreTlog: true}`,
        ),
      ),
      github,
    );
    expect(result).toMatchObject({ allowed: false, status: 'fail' });
    expect(result.message).toMatch(/certificate/);
  });

  it("roots: the Fulcio root alone passes (its intermediate comes from the layer's chain annotation); another root fails", async () => {
    const fulcio = shippedTrustedRoot().certificateAuthorities[1]?.certChain.certificates.at(-1)
      ?.rawBytes as Uint8Array;
    const roots = (pem: string) =>
      engine(keyless(`subject: "*"\nissuer: ${ACTIONS}\nroots: |-\n${indent(pem, 2)}`));
    const fulcioRoot = encodePem('CERTIFICATE', fulcio);
    const ok = await podVerdict(roots(fulcioRoot), github);
    expect(ok.status, ok.message).toBe('pass');
    const other = caCertificate(dir, 'unrelated', '/CN=Unrelated CA');
    expect((await podVerdict(roots(readFileSync(other.certPath, 'utf8')), github)).status).toBe('fail');
    // The same signature without its chain annotation: Kyverno has no intermediate, and neither have we.
    const c = JSON.parse(readFileSync(join(KEYLESS, 'classic-github-actions', 'case.json'), 'utf8'));
    const layer = JSON.parse(readFileSync(join(KEYLESS, 'classic-github-actions', 'layer.json'), 'utf8'));
    const payload = new Uint8Array(readFileSync(join(KEYLESS, 'classic-github-actions', 'payload')));
    const repo = `${fixture.registry.host}/vectors/no-chain`;
    const stripped = { ...layer, annotations: { ...layer.annotations, 'dev.sigstore.cosign/chain': '' } };
    await pushSignature(repo, c.imageDigest, stripped, payload);
    const noChain = await podVerdict(roots(fulcioRoot), `${repo}@${c.imageDigest}`);
    expect(noChain).toMatchObject({ allowed: false, status: 'fail' });
    expect(noChain.message).toContain('no path from the certificate to a trusted anchor');
    // Without roots too: Kyverno then trusts the Fulcio roots alone (its FulcioRoots drops the
    // intermediates), so the intermediate must come from the annotation.
    const fulcioRoots = await podVerdict(
      engine(keyless(`subject: "*"\nissuer: ${ACTIONS}\n${REKOR}`)),
      `${repo}@${c.imageDigest}`,
    );
    expect(fulcioRoots.status, fulcioRoots.message).toBe('fail');
  });

  it("certificates.cert with the tlog: the entry names the layer's certificate, as Kyverno accepts it", async () => {
    const leafOf = (id: string) =>
      JSON.parse(readFileSync(join(KEYLESS, id, 'layer.json'), 'utf8')).annotations[
        'dev.sigstore.cosign/certificate'
      ];
    const cert = (pem: string) =>
      engine(`certificates:\n  cert: |-\n${indent(pem, 4)}\n  ${REKOR}\n  ctlog: {ignoreSCT: true}`);
    const ok = await podVerdict(cert(leafOf('classic-github-actions')), github);
    expect(ok, ok.message).toMatchObject({ allowed: true, status: 'pass' });
    const other = await podVerdict(cert(leafOf('classic-google-service-account')), github);
    expect(other).toMatchObject({ allowed: false, status: 'fail' });
  });
});

describe('keyless and certificates attestors on a private CA signature', () => {
  let image: string;
  let caPem: string;
  let leafPem: string;
  const SUBJECT = 'https://ci.example.com/acme/app/release';

  beforeAll(async () => {
    const ca = caCertificate(dir, 'private-ca', '/CN=Private Fulcio');
    caPem = readFileSync(ca.certPath, 'utf8');
    // A long-lived code-signing leaf with a URI SAN and the raw .1.1 issuer extension, as Fulcio writes them.
    const issuerHex = Buffer.from('https://issuer.example.com').toString('hex');
    writeFileSync(
      join(dir, 'leaf.ext'),
      `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\nsubjectAltName=URI:${SUBJECT}\n1.3.6.1.4.1.57264.1.1=DER:${issuerHex}\n`,
    );
    // biome-ignore format: one openssl option a line
    execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', join(dir, 'leaf.key'), '-out', join(dir, 'leaf.csr'), '-subj', '/O=ci'], { stdio: 'ignore' });
    // biome-ignore format: one openssl option a line
    execFileSync('openssl', ['x509', '-req', '-in', join(dir, 'leaf.csr'), '-CA', ca.certPath, '-CAkey', ca.keyPath,
      '-CAcreateserial', '-out', join(dir, 'leaf.crt'), '-days', '30', '-extfile', join(dir, 'leaf.ext')], { stdio: 'ignore' });
    leafPem = readFileSync(join(dir, 'leaf.crt'), 'utf8');
    const repo = `${fixture.registry.host}/private/app`;
    const digest = `sha256:${'5e'.repeat(32)}`;
    const payload = encodeSimpleSigningPayload({ dockerReference: repo, manifestDigest: digest });
    const signature = sign('sha256', payload, createPrivateKey(readFileSync(join(dir, 'leaf.key')))).toString(
      'base64',
    );
    const layer = signatureLayerDescriptor({ payload, signature, certificate: leafPem, chain: caPem });
    await pushSignature(repo, digest, layer, payload);
    image = `${repo}@${digest}`;
  });

  const offline = 'rekor: {url: https://rekor.sigstore.dev, ignoreTlog: true}\nctlog: {ignoreSCT: true}';

  it('keyless with roots and ignoreTlog passes: the certificate is valid now, as Kyverno would check it', async () => {
    const policy = engine(
      keyless(
        `subject: "https://ci.example.com/*"\nissuer: https://issuer.example.com\nroots: |-\n${indent(caPem, 2)}\n${offline}`,
      ),
    );
    const ok = await podVerdict(policy, image);
    expect(ok, ok.message).toMatchObject({ allowed: true, status: 'pass' });
  });

  it('without ignoreTlog it fails: the signature has no Rekor entry; a wrong subject fails on it', async () => {
    const tlog = await podVerdict(
      engine(keyless(`subject: "*"\nroots: |-\n${indent(caPem, 2)}\nctlog: {ignoreSCT: true}`)),
      image,
    );
    expect(tlog).toMatchObject({ allowed: false, status: 'fail' });
    expect(tlog.message).toMatch(/transparency-log/);
    const subject = await podVerdict(
      engine(keyless(`subject: "https://evil.example/*"\nroots: |-\n${indent(caPem, 2)}\n${offline}`)),
      image,
    );
    expect(subject.message).toContain('subject mismatch');
    // Without roots the private CA is not trusted.
    expect((await podVerdict(engine(keyless(`subject: "*"\n${offline}`)), image)).status).toBe('fail');
  });

  it('certificates.certChain alone: the roots pool, any identity', async () => {
    const ok = await podVerdict(
      engine(`certificates:\n  certChain: |-\n${indent(caPem, 4)}\n  ${offline.replaceAll('\n', '\n  ')}`),
      image,
    );
    expect(ok.status, ok.message).toBe('pass');
  });

  it('certificates.cert alone: the bare key of the certificate; another certificate fails', async () => {
    const cert = (pem: string) =>
      engine(`certificates:\n  cert: |-\n${indent(pem, 4)}\n  ${offline.replaceAll('\n', '\n  ')}`);
    const ok = await podVerdict(cert(leafPem), image);
    expect(ok.status, ok.message).toBe('pass');
    // base64 of the PEM is read too, as Kyverno reads it.
    const b64 = await podVerdict(
      engine(
        `certificates:\n  cert: ${Buffer.from(leafPem).toString('base64')}\n  ${offline.replaceAll('\n', '\n  ')}`,
      ),
      image,
    );
    expect(b64.status, b64.message).toBe('pass');
    const other = await podVerdict(cert(caPem), image);
    expect(other).toMatchObject({ allowed: false, status: 'fail' });
  });

  it('certificates.cert with certChain never verifies, as in Kyverno', async () => {
    const both = await podVerdict(
      engine(
        `certificates:\n  cert: |-\n${indent(leafPem, 4)}\n  certChain: |-\n${indent(caPem, 4)}\n  ${offline.replaceAll('\n', '\n  ')}`,
      ),
      image,
    );
    expect(both).toMatchObject({ allowed: false, status: 'fail' });
    expect(both.message).toContain('never verifies');
  });

  it('certificates.cert on a real Fulcio signature with ignoreTlog: the layer certificate has expired', async () => {
    const github = await pushVector('classic-github-actions');
    const fulcioLeaf = JSON.parse(readFileSync(join(KEYLESS, 'classic-github-actions', 'layer.json'), 'utf8'))
      .annotations['dev.sigstore.cosign/certificate'];
    const result = await podVerdict(
      engine(`certificates:\n  cert: |-\n${indent(fulcioLeaf, 4)}\n  ${offline.replaceAll('\n', '\n  ')}`),
      github,
    );
    expect(result).toMatchObject({ allowed: false, status: 'fail' });
    expect(result.message).toContain('expected a signed timestamp to verify an expired certificate');
  });
});

describe('keyless roots with a made CA → intermediate → leaf (intermediates from the chain annotation)', () => {
  let image: string;
  let noIntermediate: string;
  let root: MadeCa;
  let intermediate: MadeCa;
  const SUBJECT = 'https://ci.example.com/acme/app/release';
  const offline = 'rekor: {url: https://rekor.sigstore.dev, ignoreTlog: true}\nctlog: {ignoreSCT: true}';

  beforeAll(async () => {
    const chainDir = mkdtempSync(join(dir, 'chain-'));
    root = rootCa(chainDir, 'made-root');
    intermediate = intermediateCa(chainDir, 'made-intermediate', root);
    // Valid from now for ten minutes: ignoreTlog checks it now, as Kyverno would.
    const leaf = await fulcioLeaf(intermediate, {
      uri: SUBJECT,
      oidcIssuer: 'https://issuer.example.com',
      notBefore: new Date(),
    });
    const push = async (name: string, chain: string) => {
      const repo = `${fixture.registry.host}/chained/${name}`;
      const digest = `sha256:${'c9'.repeat(32)}`;
      const { layer, payload } = await keylessSignatureLayer(leaf, { repo, digest, chain });
      await pushSignature(repo, digest, layer, payload);
      return `${repo}@${digest}`;
    };
    image = await push('app', `${intermediate.pem}${root.pem}`);
    noIntermediate = await push('no-intermediate', root.pem);
  });

  const withRoots = (pem: string) =>
    engine(keyless(`subject: "https://ci.example.com/*"\nroots: |-\n${indent(pem, 2)}\n${offline}`));

  it('roots holding the root alone pass: the intermediate appears only in the annotation', async () => {
    const ok = await podVerdict(withRoots(root.pem), image);
    expect(ok, ok.message).toMatchObject({ allowed: true, status: 'pass' });
    const chain = await podVerdict(
      engine(`certificates:\n  certChain: |-\n${indent(root.pem, 4)}\n  ${offline.replaceAll('\n', '\n  ')}`),
      image,
    );
    expect(chain.status, chain.message).toBe('pass');
  });

  it('roots holding the intermediate without its root pass: every certificate in roots is an anchor', async () => {
    const ok = await podVerdict(withRoots(intermediate.pem), image);
    expect(ok.status, ok.message).toBe('pass');
    // Then no annotation is needed at all.
    expect((await podVerdict(withRoots(intermediate.pem), noIntermediate)).status).toBe('pass');
  });

  it('an annotation without the intermediate fails under the root, and another root fails', async () => {
    const missing = await podVerdict(withRoots(root.pem), noIntermediate);
    expect(missing).toMatchObject({ allowed: false, status: 'fail' });
    expect(missing.message).toContain('no path from the certificate to a trusted anchor');
    const other = rootCa(mkdtempSync(join(dir, 'other-')), 'other-root');
    expect((await podVerdict(withRoots(other.pem), image)).status).toBe('fail');
  });
});
