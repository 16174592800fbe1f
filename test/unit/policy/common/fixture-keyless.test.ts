/**
 * fixtureBackend's keyless evidence judged as Kyverno would judge the real signature it stands for:
 * the root it chains to against `roots`/`certChain`, Rekor and CT evidence against `rekor.pubkey` /
 * `ctlog.pubkey` (or required from public-good), `ignoreTlog` needing a signed time or a certificate
 * still valid, TSA timestamps against `tsaCertChain`, identities through the same Kyverno matcher as
 * registryBackend, every attestation of the type matching, SigstoreBundle's identity rule, and the
 * bare key of `certificates.cert`.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Attestor } from '../../../../src/policy/index.js';
import { fixtureBackend, type ImageEvidence } from '../../../../src/policy/index.js';
import { caCertificate, issuedCertificate } from '../../../helpers/certs.js';

const dir = mkdtempSync(join(tmpdir(), 'ocisign-fixture-keyless-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ca = caCertificate(dir, 'ca', '/CN=Private CA');
const caPem = readFileSync(ca.certPath, 'utf8');
const otherCaPem = readFileSync(caCertificate(dir, 'other', '/CN=Other CA').certPath, 'utf8');
const leaf = issuedCertificate(dir, 'leaf', { subject: '/CN=signer', issuer: ca });
const leafPem = readFileSync(leaf.certPath, 'utf8');
/** The public key of the leaf certificate, as a recorded signer. */
const leafKeyPem = new X509Certificate(leafPem).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const pem = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
const rekorKey = pem();
const ctKey = pem();

const IMAGE = 'ghcr.io/acme/app:1.0';
const WORKFLOW = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1';
const ACTIONS = 'https://token.actions.githubusercontent.com';
const signature = {
  chainsTo: 'public-good',
  subjectAltNames: [WORKFLOW],
  extensions: {
    oidcIssuer: ACTIONS,
    '1.3.6.1.4.1.57264.1.6': 'refs/tags/v1',
    sourceRepositoryRef: 'refs/tags/v1',
  },
  tlog: true,
  sct: true,
};

function backendWith(evidence: Partial<ImageEvidence>) {
  return fixtureBackend({ [IMAGE]: { digest: `sha256:${'a'.repeat(64)}`, ...evidence } });
}
const signatures = (
  evidence: Partial<ImageEvidence>,
  attestor: Attestor,
  type: 'Cosign' | 'SigstoreBundle' = 'Cosign',
) =>
  backendWith(evidence).verifySignatures({
    image: IMAGE,
    attestor,
    type,
    signal: new AbortController().signal,
  });
const keyless = (extra: Record<string, unknown> = {}): Attestor => ({
  keyless: {
    subject: 'https://github.com/acme/*',
    issuer: ACTIONS,
    rekor: { url: 'https://rekor.sigstore.dev' },
    ...extra,
  },
});

describe('fixtureBackend, keyless signatures', () => {
  it('passes with the identity, public-good evidence and no roots', async () => {
    await expect(signatures({ keyless: [signature] }, keyless())).resolves.toEqual({
      digest: `sha256:${'a'.repeat(64)}`,
    });
  });

  it('fails on the identity with Kyverno wording, and on extensions by OID', async () => {
    await expect(
      signatures({ keyless: [signature] }, keyless({ subject: 'https://github.com/evil/*' })),
    ).rejects.toThrow(`subject mismatch: expected https://github.com/evil/*, received ${WORKFLOW}`);
    await expect(
      signatures(
        { keyless: [signature] },
        keyless({ additionalExtensions: { '1.3.6.1.4.1.57264.1.6': 'refs/heads/*' } }),
      ),
    ).rejects.toThrow('extension mismatch');
    await expect(
      signatures({ keyless: [signature] }, keyless({ additionalExtensions: { sourceRepositoryRef: '*' } })),
    ).rejects.toThrow('invalid certificate extension sourceRepositoryRef');
  });

  it('one matching signature among several is enough', async () => {
    const other = { ...signature, subjectAltNames: ['https://github.com/evil/x'] };
    await expect(signatures({ keyless: [other, signature] }, keyless())).resolves.toBeDefined();
  });

  it('roots: the certificate must chain to one of them; a public-good certificate does not', async () => {
    const mine = { ...signature, chainsTo: caPem };
    await expect(
      signatures({ keyless: [mine] }, keyless({ roots: `${otherCaPem}${caPem}` })),
    ).resolves.toBeDefined();
    await expect(signatures({ keyless: [mine] }, keyless({ roots: otherCaPem }))).rejects.toThrow(
      'unknown authority',
    );
    await expect(signatures({ keyless: [signature] }, keyless({ roots: caPem }))).rejects.toThrow(
      'unknown authority',
    );
    await expect(signatures({ keyless: [mine] }, keyless())).rejects.toThrow('unknown authority');
  });

  it('tlog: required; rekor.pubkey must be the key that signed the entry', async () => {
    await expect(signatures({ keyless: [{ ...signature, tlog: false }] }, keyless())).rejects.toThrow(
      'signature not found in transparency log',
    );
    const privateRekor = { ...signature, tlog: rekorKey };
    await expect(
      signatures({ keyless: [privateRekor] }, keyless({ rekor: { pubkey: rekorKey } })),
    ).resolves.toBeDefined();
    await expect(signatures({ keyless: [privateRekor] }, keyless())).rejects.toThrow('no trusted Rekor key');
    await expect(
      signatures({ keyless: [signature] }, keyless({ rekor: { pubkey: rekorKey } })),
    ).rejects.toThrow('no trusted Rekor key');
  });

  it('ignoreTlog: passes only with a certificate still valid, or a timestamp from tsaCertChain', async () => {
    const noTlog = keyless({ rekor: { ignoreTlog: true } });
    await expect(signatures({ keyless: [signature] }, noTlog)).rejects.toThrow(
      'expected a signed timestamp to verify an expired certificate',
    );
    await expect(signatures({ keyless: [{ ...signature, validNow: true }] }, noTlog)).resolves.toBeDefined();
    // Without a tsaCertChain, cosign's legacy path does not read timestamps at all.
    await expect(
      signatures({ keyless: [{ ...signature, timestamp: 'public-good' }] }, noTlog),
    ).rejects.toThrow('expected a signed timestamp');
    const withTsa = keyless({ rekor: { ignoreTlog: true }, ctlog: { tsaCertChain: caPem } });
    await expect(
      signatures({ keyless: [{ ...signature, timestamp: caPem }] }, withTsa),
    ).resolves.toBeDefined();
    await expect(signatures({ keyless: [{ ...signature, timestamp: otherCaPem }] }, withTsa)).rejects.toThrow(
      'RFC3161',
    );
  });

  it('SCT: required unless ignoreSCT; ctlog.pubkey must be the log that signed it', async () => {
    await expect(signatures({ keyless: [{ ...signature, sct: false }] }, keyless())).rejects.toThrow(
      'required embedded SCT',
    );
    await expect(
      signatures({ keyless: [{ ...signature, sct: false }] }, keyless({ ctlog: { ignoreSCT: true } })),
    ).resolves.toBeDefined();
    await expect(
      signatures({ keyless: [{ ...signature, sct: ctKey }] }, keyless({ ctlog: { pubkey: ctKey } })),
    ).resolves.toBeDefined();
    await expect(signatures({ keyless: [signature] }, keyless({ ctlog: { pubkey: ctKey } }))).rejects.toThrow(
      'error verifying embedded SCT',
    );
  });

  it('reads the shared vectors’ spelling (san, issuerExt, a placeholder root body)', async () => {
    const vector = { chainsTo: 'ROOT_CA', san: WORKFLOW, issuerExt: ACTIONS, tlog: true, sct: true };
    const roots = '-----BEGIN CERTIFICATE-----\nROOT_CA\n-----END CERTIFICATE-----';
    await expect(signatures({ keyless: [vector] }, keyless({ roots }))).resolves.toBeDefined();
    await expect(
      signatures({ keyless: [vector] }, keyless({ roots: roots.replace('ROOT_CA', 'ROOT_CB') })),
    ).rejects.toThrow();
  });
});

describe('fixtureBackend, certificates attestors', () => {
  it('certChain alone: any certificate chaining to it, no identity', async () => {
    const mine = { ...signature, chainsTo: caPem, subjectAltNames: ['anyone@example.com'] };
    await expect(
      signatures({ keyless: [mine] }, { certificates: { certChain: caPem } }),
    ).resolves.toBeDefined();
    await expect(
      signatures({ keyless: [signature] }, { certificates: { certChain: caPem } }),
    ).rejects.toThrow();
  });

  it('cert alone: the signature must verify with the certificate’s key', async () => {
    const bare = { certificates: { cert: leafPem, rekor: { ignoreTlog: true } } };
    await expect(signatures({ signatures: [leafKeyPem] }, bare)).resolves.toBeDefined();
    await expect(signatures({ signatures: [pem()] }, bare)).rejects.toThrow('no matching signatures');
    await expect(
      signatures({ signatures: [leafKeyPem] }, { certificates: { cert: leafPem } }),
    ).rejects.toThrow('transparency log');
  });

  it('cert with certChain never verifies', async () => {
    await expect(
      signatures({ signatures: [leafKeyPem] }, { certificates: { cert: leafPem, certChain: caPem } }),
    ).rejects.toThrow('never verifies');
  });
});

describe('fixtureBackend, keyless attestations and SigstoreBundle', () => {
  const TYPE = 'https://slsa.dev/provenance/v1';
  const attestations = (
    evidence: Partial<ImageEvidence>,
    attestor: Attestor,
    type: 'Cosign' | 'SigstoreBundle' = 'Cosign',
  ) =>
    backendWith(evidence).fetchAttestations({
      image: IMAGE,
      attestor,
      type,
      predicateType: TYPE,
      signal: new AbortController().signal,
    });

  it('every attestation of the type must have the identity; other types are not looked at', async () => {
    const good = { type: TYPE, keyless: signature, predicate: { ok: true } };
    const evil = {
      type: TYPE,
      keyless: { ...signature, subjectAltNames: ['https://github.com/evil/x'] },
      predicate: {},
    };
    const otherType = { type: 'https://example.com/other', keyless: evil.keyless, predicate: {} };
    await expect(attestations({ attestations: [good, otherType] }, keyless())).resolves.toMatchObject({
      statements: [{ predicateType: TYPE, predicate: { ok: true } }],
    });
    await expect(attestations({ attestations: [good, evil] }, keyless())).rejects.toThrow('subject mismatch');
  });

  it('the implicit attestor accepts any public-good certificate and skips SCTs', async () => {
    const unsigned = { type: TYPE, keyless: { ...signature, sct: false }, predicate: {} };
    await expect(attestations({ attestations: [unsigned] }, {})).resolves.toMatchObject({ statements: [{}] });
  });

  it('SigstoreBundle: both issuer and subject, exact, on the first name; no SCT needed', async () => {
    const exact = { keyless: { subject: WORKFLOW, issuer: ACTIONS } };
    const unsct = { ...signature, sct: false };
    await expect(signatures({ keyless: [unsct] }, exact, 'SigstoreBundle')).resolves.toBeDefined();
    // No wildcards on this path.
    await expect(signatures({ keyless: [unsct] }, keyless(), 'SigstoreBundle')).rejects.toThrow(
      'no matching signatures found',
    );
    await expect(
      signatures({ keyless: [unsct] }, { keyless: { subject: WORKFLOW } }, 'SigstoreBundle'),
    ).rejects.toThrow('both an issuer and a subject');
    await expect(
      attestations(
        { attestations: [{ type: TYPE, keyless: unsct, predicate: {} }] },
        exact,
        'SigstoreBundle',
      ),
    ).resolves.toMatchObject({ statements: [{}] });
  });

  it('type: Notary is refused, as by registryBackend', async () => {
    await expect(
      backendWith({}).verifySignatures({
        image: IMAGE,
        attestor: { certificates: { cert: leafPem } },
        type: 'Notary',
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow('type: Notary is not supported');
  });
});
