/**
 * A classic layer that carries a certificate, verified with a key (cosign `verify --key`, Kyverno's
 * `certificates.cert`), judged as cosign's `verifyInternal` judges it (`pkg/cosign/verify.go`:
 * `keyBytes`, `comparePublicKey`, `CheckExpiry`): the Rekor entry must name the layer's certificate
 * — not the bare key, not another certificate — the certificate must be for the trusted key (checked
 * with the entry only, as cosign does), and it must be valid at the entry's integrated time, or now
 * with `ignoreTlog`. On a real public-good signature and on made ones, `.sig` and `.att`.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VerificationError } from '../../../src/errors/index.js';
import { exportPublicKeyPem, generateKeyPair } from '../../../src/keys/index.js';
import type { Descriptor } from '../../../src/payload/oci.js';
import { trustedRootFromPems } from '../../../src/sigstore/index.js';
import { shippedTrustedRoot } from '../../../src/sigstore/shipped.js';
import {
  type ImageEvidence,
  type JudgeSignaturesOptions,
  verifyAttestationEvidence,
  verifySignatureEvidence,
} from '../../../src/verify/index.js';
import { keylessSignatureLayer, rootCa } from '../../helpers/ca-chain.js';
import {
  attestationEntryBody,
  type FulcioLeaf,
  fulcioLeaf,
  keylessAttestationLayer,
  signedAttestation,
  testRekorLog,
} from '../../helpers/fulcio-leaf.js';
import { SHARED_DIR } from '../../helpers/vectors.js';

const dir = mkdtempSync(join(tmpdir(), 'ocisign-key-with-cert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REPO = 'registry.example/acme/app';
const DIGEST = `sha256:${'d7'.repeat(32)}`;
const ca = rootCa(dir, 'ca');
const log = await testRekorLog();
const trustedRoot = trustedRootFromPems({ fulcio: ca.pem, rekor: log.publicKeyPem });

const newLeaf = (notBefore = new Date(), notAfter?: Date) =>
  fulcioLeaf(ca, {
    uri: 'https://ci.example.com/release',
    oidcIssuer: 'https://issuer.example.com',
    notBefore,
    ...(notAfter === undefined ? {} : { notAfter }),
  });
const keyOf = (leaf: FulcioLeaf) =>
  new X509Certificate(leaf.pem).publicKey.export({ type: 'spki', format: 'pem' }).toString();

const leaf = await newLeaf();
const other = await newLeaf();

const evidenceOf = (layer: Descriptor, payload: Uint8Array): ImageEvidence => ({
  digest: DIGEST,
  classic: [{ kind: 'classic-layer', layer, payload }],
});

/** A `.sig` layer signed by `signer`, carrying `carried`'s certificate, its entry naming `verifierPem`. */
async function signed(
  options: { signer?: FulcioLeaf; carried?: FulcioLeaf; verifierPem?: string; integratedTime?: number } = {},
): Promise<ImageEvidence> {
  const signer = options.signer ?? leaf;
  const carried = options.carried ?? signer;
  const made = await keylessSignatureLayer(signer, {
    repo: REPO,
    digest: DIGEST,
    chain: '',
    rekor: {
      log,
      verifierPem: options.verifierPem ?? carried.pem,
      ...(options.integratedTime === undefined ? {} : { integratedTime: options.integratedTime }),
    },
  });
  const layer = {
    ...made.layer,
    annotations: { ...made.layer.annotations, 'dev.sigstore.cosign/certificate': carried.pem },
  };
  return evidenceOf(layer, made.payload);
}

/** 'ok' (and the key that verified), or the first failure's reason; `about` must be in its message. */
function outcome(evidence: ImageEvidence, options: JudgeSignaturesOptions, about?: RegExp): string {
  try {
    const result = verifySignatureEvidence(evidence, options);
    expect(result.signatures[0]?.keyIndex).toBe(0);
    return 'ok';
  } catch (error) {
    if (!(error instanceof VerificationError)) throw error;
    if (about !== undefined) expect(error.failures[0]?.message).toMatch(about);
    return error.failures[0]?.reason ?? 'none';
  }
}

const withKey = (key: string, extra: Partial<JudgeSignaturesOptions> = {}): JudgeSignaturesOptions => ({
  keys: [key],
  trustedRoot,
  ...extra,
});

describe('a .sig layer with a certificate, verified with its key', () => {
  it("passes when the Rekor entry names the layer's certificate", async () => {
    expect(outcome(await signed(), withKey(keyOf(leaf)))).toBe('ok');
  });

  it('fails when the entry names another certificate, the bare key, or another key', async () => {
    const stranger = exportPublicKeyPem((await generateKeyPair()).publicKey);
    for (const verifierPem of [other.pem, keyOf(leaf), stranger])
      expect(outcome(await signed({ verifierPem }), withKey(keyOf(leaf)), /another verifier/)).toBe(
        'tlog-invalid',
      );
  });

  it('a certificate for another key than the trusted one: refused with the entry, not without (as cosign)', async () => {
    const mismatched = await signed({ carried: other });
    expect(outcome(mismatched, withKey(keyOf(leaf)), /did not match/)).toBe('wrong-key');
    // cosign compares the two only on its way to the Rekor entry (`keyBytes`): ignoreTlog skips it.
    expect(outcome(mismatched, withKey(keyOf(leaf), { ignoreTlog: true }))).toBe('ok');
  });

  it("checks the certificate's window at the entry's integrated time, with cosign's words", async () => {
    const later = Math.floor((Date.now() + 3_600_000) / 1000);
    expect(
      outcome(
        await signed({ integratedTime: later }),
        withKey(keyOf(leaf)),
        /certificate expired before observed time/,
      ),
    ).toBe('certificate-invalid');
    const earlier = Math.floor((Date.now() - 3_600_000) / 1000);
    expect(
      outcome(
        await signed({ integratedTime: earlier }),
        withKey(keyOf(leaf)),
        /certificate was issued after observed time/,
      ),
    ).toBe('certificate-invalid');
  });

  it('with ignoreTlog the certificate must be valid now', async () => {
    const expired = await newLeaf(new Date(Date.now() - 7_200_000), new Date(Date.now() - 3_600_000));
    expect(
      outcome(
        await signed({ signer: expired }),
        withKey(keyOf(expired), { ignoreTlog: true }),
        /expected a signed timestamp/,
      ),
    ).toBe('certificate-invalid');
    expect(outcome(await signed(), withKey(keyOf(leaf), { ignoreTlog: true }))).toBe('ok');
  });
});

describe('a real public-good keyless signature, verified with its certificate key', () => {
  const DIR = join(SHARED_DIR, 'vectors', 'keyless', 'classic-github-actions');
  const c = JSON.parse(readFileSync(join(DIR, 'case.json'), 'utf8'));
  const layer = JSON.parse(readFileSync(join(DIR, 'layer.json'), 'utf8')) as Descriptor;
  const payload = new Uint8Array(readFileSync(join(DIR, 'payload')));
  const evidence: ImageEvidence = {
    digest: c.imageDigest,
    classic: [{ kind: 'classic-layer', layer, payload }],
  };
  const certKey = new X509Certificate(layer.annotations?.['dev.sigstore.cosign/certificate'] ?? '').publicKey
    .export({ type: 'spki', format: 'pem' })
    .toString();

  it('passes the tlog check (its entry names the certificate) with the shipped root', () => {
    expect(outcome(evidence, { keys: [certKey], trustedRoot: shippedTrustedRoot() })).toBe('ok');
  });

  it('fails with ignoreTlog: its 10-minute certificate has long expired', () => {
    expect(
      outcome(
        evidence,
        { keys: [certKey], ignoreTlog: true },
        /expected a signed timestamp to verify an expired certificate/,
      ),
    ).toBe('certificate-invalid');
  });
});

describe('a .att layer with a certificate, verified with its key', () => {
  async function attested(verifierPem: string): Promise<ImageEvidence> {
    const attestation = await signedAttestation(leaf.privateKey, { repo: REPO, digest: DIGEST });
    const bundle = await log.bundle(attestationEntryBody('dsse/0.0.1', attestation, verifierPem));
    const layer = keylessAttestationLayer(attestation, { certificate: leaf.pem, bundle });
    return evidenceOf(layer, attestation.blob);
  }

  it("passes when the entry names the layer's certificate; fails for another certificate or the bare key", async () => {
    const verified = verifyAttestationEvidence(await attested(leaf.pem), withKey(keyOf(leaf)));
    expect(verified).toEqual([expect.objectContaining({ keyIndex: 0, digest: DIGEST })]);
    for (const verifierPem of [other.pem, keyOf(leaf)]) {
      const evidence = await attested(verifierPem);
      expect(() => verifyAttestationEvidence(evidence, withKey(keyOf(leaf)))).toThrow(
        expect.objectContaining({
          failures: [
            expect.objectContaining({
              reason: 'tlog-invalid',
              message: expect.stringMatching(/another signer/),
            }),
          ],
        }),
      );
    }
  });
});
