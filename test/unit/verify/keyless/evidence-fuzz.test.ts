/**
 * Fuzzing the keyless evidence parsers ({@link RUNS} runs each) through `verifyBlob`, on real
 * public-good artifacts: the embedded SCT list of a real Fulcio certificate (re-issued by a test CA
 * so the chain still verifies and the SCT check is reached), and the RFC 3161 timestamp of a real
 * bundle (DER edits aimed at one ASN.1 node). Every run verifies or fails with a typed
 * VerificationError whose reason names the check — never a TypeError, never a crash.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { VerificationError } from '../../../../src/errors/index.js';
import { parseTrustedRoot, trustedRootFromPems } from '../../../../src/sigstore/index.js';
import { verifyBlob } from '../../../../src/verify/verify-blob.js';
import { byteEdits, derNodeEdits } from '../../../helpers/der-mutations.js';
import { classicCertificatePem, pemToDer } from '../../../helpers/fulcio-certs.js';
import { reissue, reissuing, reissuingCa } from '../../../helpers/fulcio-reissue.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS } from '../../../helpers/fuzz.js';
import { SHARED_DIR } from '../../../helpers/vectors.js';

const KEYLESS = join(SHARED_DIR, 'vectors', 'keyless');
/**
 * Each run is a whole keyless verification (a re-signed certificate, the chain, the SCTs or the
 * timestamp through @sigstore/verify, several milliseconds each), so these take a tenth of the
 * runs the cheap parsers do.
 */
const RUNS = Math.max(1, Math.floor(FUZZ_RUNS / 10));
const runs = { numRuns: RUNS };
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const SCT_LIST = '1.3.6.1.4.1.11129.2.4.2';
const publicGood = parseTrustedRoot(
  readFileSync(join(KEYLESS, 'trusted-roots', 'public-good-sigstore-tuf-4.0.2.json'), 'utf8'),
);

const dir = mkdtempSync(join(tmpdir(), 'ocisign-evidence-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The reason of a typed failure, or `pass`; anything else thrown fails the property. */
function outcome(run: () => unknown): string {
  try {
    run();
    return 'pass';
  } catch (error) {
    if (!(error instanceof VerificationError)) throw error;
    const reason = error.failures[0]?.reason;
    expect(typeof reason).toBe('string');
    return reason as string;
  }
}

describe(`the embedded SCT list on ${RUNS} edits`, { timeout: FUZZ_TIMEOUT_MS }, () => {
  const ca = reissuingCa(dir);
  // Our CA with the public-good CT logs: the chain verifies, the SCTs are read and checked.
  const trustedRoot = trustedRootFromPems({ fulcio: ca.pem, base: publicGood });
  const leaf = pemToDer(classicCertificatePem('classic-github-actions'));
  const original = (() => {
    let value: Uint8Array | undefined;
    reissue(leaf, ca, (extensions) => {
      const sct = extensions.find((e) => e.extnID === SCT_LIST);
      value = sct === undefined ? undefined : new Uint8Array(sct.extnValue.getValue());
      return extensions;
    });
    if (value === undefined) throw new Error('the real certificate has no SCT list');
    return value;
  })();

  const withSct = reissuing(leaf, ca, SCT_LIST);
  const verifyWithSct = (value: Uint8Array, ignoreSct = false) => {
    const cert = withSct(value);
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { certificate: { rawBytes: b64(cert) }, tlogEntries: [] },
      messageSignature: {
        messageDigest: { algorithm: 'SHA2_256', digest: b64(new Uint8Array(32)) },
        signature: b64(new Uint8Array([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])),
      },
    };
    return outcome(() =>
      verifyBlob(
        { digest: `sha256:${'00'.repeat(32)}` },
        {
          bundle,
          identities: [{ issuerRegExp: '.*' }],
          trustedRoot,
          ignoreTlog: true,
          ignoreSct,
        },
      ),
    );
  };

  it('the re-issued certificate reaches the SCT check (its SCTs sign the real issuer, so they fail) and, past it, the signature', () => {
    expect(verifyWithSct(original)).toBe('sct-invalid');
    expect(verifyWithSct(original, true)).toBe('wrong-key');
  });

  it('an edited SCT list is an sct-invalid (or earlier) failure, never a crash', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(byteEdits(original), (value) => {
        const reason = verifyWithSct(value);
        expect(reason).not.toBe('pass');
        seen.add(reason);
      }),
      runs,
    );
    expect(seen.has('sct-invalid')).toBe(true);
  });
});

describe(`the RFC 3161 timestamp on ${RUNS} edits`, { timeout: FUZZ_TIMEOUT_MS }, () => {
  const caseDir = join(KEYLESS, 'blob-v03-rekor-and-tsa');
  const c = JSON.parse(readFileSync(join(caseDir, 'case.json'), 'utf8'));
  const bundle = JSON.parse(readFileSync(join(caseDir, c.files.bundle), 'utf8'));
  const stamps = bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps;
  const original = new Uint8Array(Buffer.from(stamps[0].signedTimestamp, 'base64'));
  const verifyWithTimestamp = (der: Uint8Array) =>
    outcome(() =>
      verifyBlob(
        { digest: `sha256:${c.artifactDigest.hex}` },
        {
          bundle: {
            ...bundle,
            verificationMaterial: {
              ...bundle.verificationMaterial,
              timestampVerificationData: { rfc3161Timestamps: [{ signedTimestamp: b64(der) }] },
            },
          },
          identities: [{ subject: c.verify.certificateIdentity, issuer: c.verify.certificateOidcIssuer }],
          trustedRoot: publicGood,
          useSignedTimestamps: true,
        },
      ),
    );

  it('the real timestamp verifies (so the edits start from one that passes)', () => {
    expect(verifyWithTimestamp(original)).toBe('pass');
  });

  it('an edited timestamp verifies or is a typed failure, never a crash', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(derNodeEdits([original]), (der) => {
        seen.add(verifyWithTimestamp(der));
      }),
      runs,
    );
    expect(seen.has('timestamp-invalid') || seen.has('malformed')).toBe(true);
  });
});
