/**
 * A keyless classic attestation pushed into the real registry as cosign writes it — a `.att` image
 * whose layer is the DSSE envelope, with the certificate, chain and Rekor bundle annotations — and
 * verified by `verifyImageAttestations` with certificate identities against a trusted root made
 * from the test CA and Rekor key. No real vector of this exists: the CA, the Fulcio-like leaf and
 * the Rekor log are made here (no CT log: `ignoreSct`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VerificationError } from '../../../src/errors/index.js';
import { verifyImageAttestations } from '../../../src/index.js';
import { generateKeyPair } from '../../../src/keys/index.js';
import type { Descriptor } from '../../../src/payload/oci.js';
import { buildSignatureImage } from '../../../src/payload/signature-image.js';
import { signatureTag } from '../../../src/payload/tags.js';
import { trustedRootFromPems } from '../../../src/sigstore/index.js';
import {
  attestationEntryBody,
  fulcioLeaf,
  keylessAttestationLayer,
  signedAttestation,
  testRekorLog,
} from '../../helpers/fulcio-leaf.js';
import { reissuingCa } from '../../helpers/fulcio-reissue.js';
import { registryFixture } from '../../helpers/registry-fixture.js';

const IDENTITY = {
  subject: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
};
const DIGEST = `sha256:${'c'.repeat(64)}`;
const dir = mkdtempSync(join(tmpdir(), 'ocisign-keyless-att-it-'));
const fixture = registryFixture();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Pushes `.att` layers (blob, descriptor) for DIGEST into `repo`, as cosign's classic attest does. */
async function pushAttestations(
  repo: string,
  layers: ReadonlyArray<[Uint8Array, Descriptor]>,
): Promise<void> {
  for (const [blob] of layers) await fixture.client.pushBlob(repo, blob);
  const image = buildSignatureImage(layers.map(([, layer]) => layer));
  await fixture.client.pushBlob(repo, image.config);
  await fixture.client.putManifest(`${repo}:${signatureTag(DIGEST, 'att')}`, image.manifest, image.mediaType);
}

describe('verifyImageAttestations, keyless, a classic .att image in the registry', () => {
  it('verifies with the Rekor entry, names who signed, and refuses another identity or keys only', async () => {
    const ca = reissuingCa(mkdtempSync(join(dir, 'ca-')));
    const caPem = ca.pem;
    const rekor = await testRekorLog();
    const trustedRoot = trustedRootFromPems({ fulcio: caPem, rekor: rekor.publicKeyPem });
    const leaf = await fulcioLeaf(ca, { uri: IDENTITY.subject, oidcIssuer: IDENTITY.issuer });
    const repo = `${fixture.registry.host}/acme/app`;
    const provenance = await signedAttestation(leaf.privateKey, { repo, digest: DIGEST });
    const review = await signedAttestation(leaf.privateKey, {
      repo,
      digest: DIGEST,
      predicateType: 'https://example.com/review/v1',
      predicate: { approved: true },
    });
    const layers: [Uint8Array, Descriptor][] = [];
    for (const attestation of [provenance, review]) {
      const bundle = await rekor.bundle(attestationEntryBody('intoto/0.0.1', attestation, leaf.pem));
      layers.push([
        attestation.blob,
        keylessAttestationLayer(attestation, { certificate: leaf.pem, chain: caPem, bundle }),
      ]);
    }
    await pushAttestations(repo, layers);
    const ref = `${repo}@${DIGEST}`;
    const options = { identities: [IDENTITY], trustedRoot, ignoreSct: true, registry: fixture.client };

    const all = await verifyImageAttestations(ref, options);
    expect(all.map((a) => a.predicateType).sort()).toEqual([
      'https://example.com/review/v1',
      'https://slsa.dev/provenance/v1',
    ]);
    for (const a of all) {
      expect(a).toEqual(
        expect.objectContaining({ format: 'simple-signing', keyIndex: -1, identityIndex: 0 }),
      );
      expect(a.certificate?.subjectAltNames).toEqual([{ type: 'uri', value: IDENTITY.subject }]);
    }
    const slsa = await verifyImageAttestations(ref, { ...options, predicateType: 'slsaprovenance1' });
    expect(slsa.map((a) => a.statement.predicateType)).toEqual(['https://slsa.dev/provenance/v1']);

    const other = await verifyImageAttestations(ref, {
      ...options,
      identities: [
        { ...IDENTITY, subject: 'https://github.com/acme/evil/.github/workflows/x.yml@refs/heads/main' },
      ],
    }).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(VerificationError);
    expect((other as VerificationError).failures.map((f) => f.reason)).toEqual([
      'identity-mismatch',
      'identity-mismatch',
    ]);

    const { publicKey } = await generateKeyPair();
    const keysOnly = await verifyImageAttestations(ref, {
      keys: [publicKey],
      trustedRoot,
      registry: fixture.client,
    }).catch((e: unknown) => e);
    expect((keysOnly as VerificationError).failures.map((f) => f.reason)).toEqual(['wrong-key', 'wrong-key']);
  });

  it('an expired certificate is refused with ignoreTlog, as cosign refuses it without a signed timestamp', async () => {
    const ca = reissuingCa(mkdtempSync(join(dir, 'ca-')));
    const trustedRoot = trustedRootFromPems({ fulcio: ca.pem });
    const expired = await fulcioLeaf(ca, {
      uri: IDENTITY.subject,
      oidcIssuer: IDENTITY.issuer,
      notBefore: new Date(Date.now() - 3_600_000),
      notAfter: new Date(Date.now() - 3_000_000),
    });
    const repo = `${fixture.registry.host}/acme/expired`;
    const attestation = await signedAttestation(expired.privateKey, { repo, digest: DIGEST });
    await pushAttestations(repo, [
      [attestation.blob, keylessAttestationLayer(attestation, { certificate: expired.pem })],
    ]);
    const error = await verifyImageAttestations(`${repo}@${DIGEST}`, {
      identities: [IDENTITY],
      trustedRoot,
      ignoreSct: true,
      ignoreTlog: true,
      registry: fixture.client,
    }).catch((e: unknown) => e);
    expect((error as VerificationError).failures).toEqual([
      expect.objectContaining({ reason: 'certificate-invalid' }),
    ]);
  });
});
