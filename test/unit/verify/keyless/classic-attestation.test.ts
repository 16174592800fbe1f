/**
 * Classic `.att` layers signed keyless, judged offline on their bytes as cosign's classic path
 * judges them (`pkg/cosign/verify.go` `verifyInternal` + `verifyOCIAttestation`): no real vector
 * exists, so a CA, a Fulcio-like leaf, a private Rekor log and the envelope are made here. They
 * verify with ignoreTlog (the certificate checked now) or with a Rekor entry of each kind cosign
 * logs an attestation as (the certificate checked at its integrated time), and name who signed;
 * another identity or issuer, a tampered envelope, a certificate from another CA, an expired one
 * without tlog, and Rekor entries about something else are each refused with their reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VerificationError } from '../../../../src/errors/index.js';
import { createSigner, exportPublicKeyPem, generateKeyPair } from '../../../../src/keys/index.js';
import {
  encodeDsseEnvelope,
  IN_TOTO_PAYLOAD_TYPE,
  parseDsseEnvelope,
  signDsse,
} from '../../../../src/payload/dsse.js';
import type { Descriptor } from '../../../../src/payload/oci.js';
import { DSSE_MEDIA_TYPE, signatureLayerDescriptor } from '../../../../src/payload/signature-layer.js';
import { trustedRootFromPems } from '../../../../src/sigstore/index.js';
import {
  type ImageEvidence,
  type JudgeAttestationsOptions,
  judgeAttestations,
  verifyAttestationEvidence,
} from '../../../../src/verify/index.js';
import {
  attestationEntryBody,
  fulcioLeaf,
  keylessAttestationLayer,
  type SignedAttestation,
  signedAttestation,
  testRekorLog,
} from '../../../helpers/fulcio-leaf.js';
import { reissuingCa } from '../../../helpers/fulcio-reissue.js';

const dir = mkdtempSync(join(tmpdir(), 'ocisign-keyless-att-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const IDENTITY = {
  subject: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
};
const DIGEST = `sha256:${'a'.repeat(64)}`;
const REPO = 'registry.example/acme/app';
const ca = reissuingCa(dir);
const caPem = ca.pem;
const rekor = await testRekorLog();
const trustedRoot = trustedRootFromPems({ fulcio: caPem, rekor: rekor.publicKeyPem });
const leaf = await fulcioLeaf(ca, { uri: IDENTITY.subject, oidcIssuer: IDENTITY.issuer });
const attestation = await signedAttestation(leaf.privateKey, { repo: REPO, digest: DIGEST });

/** No Rekor and no CT log can exist for made certificates: the offline options cosign would need. */
const OFFLINE: JudgeAttestationsOptions = {
  trustedRoot,
  identities: [IDENTITY],
  ignoreTlog: true,
  ignoreSct: true,
};
/** With tlog evidence: only the SCT is waived. */
const LOGGED: JudgeAttestationsOptions = { trustedRoot, identities: [IDENTITY], ignoreSct: true };

function evidenceOf(layer: Descriptor, blob: Uint8Array = attestation.blob): ImageEvidence {
  return { digest: DIGEST, classic: [{ kind: 'classic-layer', layer, payload: blob }] };
}

const layer = keylessAttestationLayer(attestation, { certificate: leaf.pem, chain: caPem });

/** The reason of the first failure, or 'ok'; `about` must be in its message when given. */
function reasonOf(evidence: ImageEvidence, options: JudgeAttestationsOptions, about?: RegExp): string {
  try {
    verifyAttestationEvidence(evidence, options);
    return 'ok';
  } catch (error) {
    if (!(error instanceof VerificationError)) throw error;
    if (about !== undefined) expect(error.failures[0]?.message).toMatch(about);
    return error.failures[0]?.reason ?? 'none';
  }
}

describe('a keyless classic attestation, without tlog', () => {
  it('verifies and names who signed: the identity entry and the certificate', () => {
    const verified = verifyAttestationEvidence(evidenceOf(layer), {
      ...OFFLINE,
      identities: [{ issuer: 'https://accounts.google.com' }, IDENTITY],
    });
    expect(verified).toEqual([
      expect.objectContaining({
        format: 'simple-signing',
        keyIndex: -1,
        identityIndex: 1,
        digest: DIGEST,
        predicateType: 'https://slsa.dev/provenance/v1',
      }),
    ]);
    expect(verified[0]?.certificate?.subjectAltNames).toEqual([{ type: 'uri', value: IDENTITY.subject }]);
    expect(verified[0]?.certificate?.extensions.issuerV2).toBe(IDENTITY.issuer);
    expect(verified[0]?.statement.subject[0]?.name).toBe(REPO);
  });

  it('is judged per candidate too, with the same outcome', () => {
    const judged = judgeAttestations(evidenceOf(layer), OFFLINE);
    expect(judged.outcomes).toEqual([
      expect.objectContaining({ ok: expect.objectContaining({ keyIndex: -1, identityIndex: 0 }) }),
    ]);
  });

  it('another identity or another issuer is identity-mismatch', () => {
    const other = 'https://github.com/acme/other/.github/workflows/release.yml@refs/heads/main';
    expect(reasonOf(evidenceOf(layer), { ...OFFLINE, identities: [{ ...IDENTITY, subject: other }] })).toBe(
      'identity-mismatch',
    );
    expect(
      reasonOf(evidenceOf(layer), {
        ...OFFLINE,
        identities: [{ ...IDENTITY, issuer: 'https://gitlab.com' }],
      }),
    ).toBe('identity-mismatch');
    // cosign's classic rule: the regexp is unanchored and matches any subject alternative name.
    expect(
      reasonOf(evidenceOf(layer), {
        ...OFFLINE,
        identities: [{ subjectRegExp: 'acme/app', issuer: IDENTITY.issuer }],
      }),
    ).toBe('ok');
  });

  it('a tampered envelope is refused: not the blob the layer names, or no longer signed', async () => {
    const edited = new TextEncoder().encode(
      new TextDecoder().decode(attestation.blob).replace(/"payload":"[^"]+"/, `"payload":"${btoa('{}')}"`),
    );
    expect(reasonOf(evidenceOf(layer, edited), OFFLINE)).toBe('digest-mismatch');
    // Described anew, as an attacker re-pushing the layer would: the signature no longer verifies.
    const redescribed = {
      ...layer,
      digest: signatureLayerDescriptor({ payload: edited, signature: '' }).digest,
      size: edited.length,
    };
    expect(
      reasonOf(evidenceOf(redescribed, edited), OFFLINE, /does not verify with the certificate key/),
    ).toBe('wrong-key');
  });

  it('a certificate from a CA the trusted root does not hold is certificate-invalid', async () => {
    // Another CA of the same name: only its signature tells it apart.
    const stranger = reissuingCa(mkdtempSync(join(dir, 'stranger-')));
    const foreign = await fulcioLeaf(stranger, { uri: IDENTITY.subject, oidcIssuer: IDENTITY.issuer });
    const signed = await signedAttestation(foreign.privateKey, { repo: REPO, digest: DIGEST });
    const foreignLayer = keylessAttestationLayer(signed, { certificate: foreign.pem });
    expect(reasonOf(evidenceOf(foreignLayer, signed.blob), OFFLINE)).toBe('certificate-invalid');
  });

  it('an expired certificate without tlog is checked now, and refused (cosign: "expected a signed timestamp")', async () => {
    const expired = await fulcioLeaf(ca, {
      uri: IDENTITY.subject,
      oidcIssuer: IDENTITY.issuer,
      notBefore: new Date(Date.now() - 3_600_000),
      notAfter: new Date(Date.now() - 3_000_000),
    });
    const signed = await signedAttestation(expired.privateKey, { repo: REPO, digest: DIGEST });
    const expiredLayer = keylessAttestationLayer(signed, { certificate: expired.pem });
    expect(reasonOf(evidenceOf(expiredLayer, signed.blob), OFFLINE)).toBe('certificate-invalid');
  });

  it('needs an SCT unless ignoreSct: the trusted root has no CT log to check one against', () => {
    expect(reasonOf(evidenceOf(layer), { ...OFFLINE, ignoreSct: false })).toBe('sct-invalid');
  });

  it('does not count for a caller who trusts only keys', async () => {
    const { publicKey } = await generateKeyPair();
    expect(reasonOf(evidenceOf(layer), { keys: [publicKey], ignoreTlog: true })).toBe('wrong-key');
  });

  it('an envelope whose second signature is the certificate key verifies, as cosign’s DSSE verifier accepts any', async () => {
    const other = await generateKeyPair();
    const statement = parseDsseEnvelope(attestation.blob).payload;
    const first = await signDsse(createSigner(other.privateKey), IN_TOTO_PAYLOAD_TYPE, statement);
    const blob = encodeDsseEnvelope({
      ...first,
      signatures: [...first.signatures, { sig: attestation.signature }],
    });
    const both: SignedAttestation = { ...attestation, blob };
    const bothLayer = keylessAttestationLayer(both, { certificate: leaf.pem });
    expect(reasonOf(evidenceOf(bothLayer, blob), OFFLINE)).toBe('ok');
  });
});

describe('a keyless classic attestation with its Rekor entry', () => {
  it.each(['intoto/0.0.1', 'intoto/0.0.2', 'dsse/0.0.1'] as const)(
    'a %s entry logging the envelope and the certificate verifies',
    async (kind) => {
      const bundle = await rekor.bundle(attestationEntryBody(kind, attestation, leaf.pem));
      const logged = keylessAttestationLayer(attestation, { certificate: leaf.pem, bundle });
      expect(verifyAttestationEvidence(evidenceOf(logged), LOGGED)).toEqual([
        expect.objectContaining({ keyIndex: -1, identityIndex: 0, digest: DIGEST }),
      ]);
    },
  );

  it('the certificate is checked at the integrated time: one before its window is certificate-invalid', async () => {
    const early = Math.floor(Date.now() / 1000) - 600;
    const bundle = await rekor.bundle(attestationEntryBody('intoto/0.0.1', attestation, leaf.pem), early);
    const logged = keylessAttestationLayer(attestation, { certificate: leaf.pem, bundle });
    const at = new RegExp(`certificate at ${new Date(early * 1000).toISOString()}`);
    expect(reasonOf(evidenceOf(logged), LOGGED, at)).toBe('certificate-invalid');
    // The same layer, tlog ignored, is checked now and verifies.
    expect(reasonOf(evidenceOf(logged), OFFLINE)).toBe('ok');
  });

  it('an entry about another envelope, another certificate, two signatures or another kind is tlog-invalid', async () => {
    const another = await signedAttestation(leaf.privateKey, {
      repo: REPO,
      digest: DIGEST,
      predicate: { other: true },
    });
    const stranger = await fulcioLeaf(ca, { uri: IDENTITY.subject, oidcIssuer: IDENTITY.issuer });
    const dsse = attestationEntryBody('dsse/0.0.1', attestation, leaf.pem) as {
      spec: { signatures: object[] };
    };
    const bodies: [object, RegExp][] = [
      [attestationEntryBody('dsse/0.0.1', another, leaf.pem), /another envelope/],
      [attestationEntryBody('intoto/0.0.1', attestation, stranger.pem), /another signer/],
      [
        { ...dsse, spec: { ...dsse.spec, signatures: [...dsse.spec.signatures, ...dsse.spec.signatures] } },
        /more than one signature/,
      ],
      // Rekor v2 dsse: sigstore-go refuses the kind (pkg/tlog/entry_test.go).
      [
        { ...attestationEntryBody('dsse/0.0.1', attestation, leaf.pem), apiVersion: '0.0.2' },
        /not one cosign logs/,
      ],
      [
        { ...attestationEntryBody('intoto/0.0.1', attestation, leaf.pem), kind: 'rekord' },
        /not one cosign logs/,
      ],
    ];
    for (const [body, why] of bodies) {
      const bundle = await rekor.bundle(body);
      const logged = keylessAttestationLayer(attestation, { certificate: leaf.pem, bundle });
      expect(reasonOf(evidenceOf(logged), LOGGED, why), String(why)).toBe('tlog-invalid');
    }
  });

  it('an entry signed by a log the trusted root does not hold is tlog-invalid; none at all leaves no signing time', async () => {
    const elsewhere = await testRekorLog();
    const bundle = await elsewhere.bundle(attestationEntryBody('intoto/0.0.1', attestation, leaf.pem));
    const logged = keylessAttestationLayer(attestation, { certificate: leaf.pem, bundle });
    expect(reasonOf(evidenceOf(logged), LOGGED, /not in the trusted root/)).toBe('tlog-invalid');
    expect(reasonOf(evidenceOf(layer), LOGGED)).toBe('timestamp-missing');
  });
});

describe('a classic attestation signed with a key, with its Rekor entry', () => {
  it('is held to the same rule: the entry logs the envelope and names the key, of any kind cosign writes', async () => {
    const { privateKey, publicKey } = await generateKeyPair();
    const signed = await signedAttestation(privateKey, { repo: REPO, digest: DIGEST });
    const keyPem = exportPublicKeyPem(publicKey);
    const options = { keys: [publicKey], rekorPublicKeys: [rekor.publicKeyPem] };
    for (const kind of ['intoto/0.0.1', 'intoto/0.0.2', 'dsse/0.0.1'] as const) {
      const bundle = await rekor.bundle(attestationEntryBody(kind, signed, keyPem));
      const keyLayer = signatureLayerDescriptor({
        payload: signed.blob,
        mediaType: DSSE_MEDIA_TYPE,
        signature: '',
        bundle,
      });
      expect(reasonOf(evidenceOf(keyLayer, signed.blob), options), kind).toBe('ok');
    }
    const another = await signedAttestation(privateKey, {
      repo: REPO,
      digest: DIGEST,
      predicate: { other: true },
    });
    const bundle = await rekor.bundle(attestationEntryBody('dsse/0.0.1', another, keyPem));
    const misLogged = signatureLayerDescriptor({
      payload: signed.blob,
      mediaType: DSSE_MEDIA_TYPE,
      signature: '',
      bundle,
    });
    expect(reasonOf(evidenceOf(misLogged, signed.blob), options)).toBe('tlog-invalid');
  });
});
