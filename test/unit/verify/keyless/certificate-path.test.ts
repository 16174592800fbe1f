/**
 * cosign's legacy chain rules (`certificate-path.ts`, the internal `LEGACY_CHAIN` opt-in that the
 * policy engine sets for Kyverno's `type: Cosign`), judged offline on a made CA → intermediate →
 * leaf: the intermediate that appears only in the layer's `chain` annotation counts only when the
 * verification asks for it (cosign 3's default with a trusted root ignores the annotation); every
 * certificate given is an anchor (an intermediate without its root too); the annotation's last
 * certificate and any self-signed one are never trusted; and the path is held to Go's rules — CA
 * flag, path length, extended key usage, validity at the leaf's notBefore and at the signing time,
 * the anchor's window — with a hostile annotation refused, never thrown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VerificationError } from '../../../../src/errors/index.js';
import { encodePem } from '../../../../src/keys/pem.js';
import { parseTrustedRoot, type TrustedRoot, trustedRootFromPems } from '../../../../src/sigstore/index.js';
import {
  type ImageEvidence,
  type JudgeSignaturesOptions,
  verifySignatureEvidence,
} from '../../../../src/verify/index.js';
import { LEGACY_CHAIN } from '../../../../src/verify/keyless/keyless-trust.js';
import { intermediateCa, keylessSignatureLayer, type MadeCa, rootCa } from '../../../helpers/ca-chain.js';
import { fulcioLeaf, testRekorLog } from '../../../helpers/fulcio-leaf.js';

const dir = mkdtempSync(join(tmpdir(), 'ocisign-legacy-chain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SUBJECT = 'https://ci.example.com/acme/app/release';
const ISSUER = 'https://issuer.example.com';
const REPO = 'registry.example/acme/app';
const DIGEST = `sha256:${'c4'.repeat(32)}`;

const root = rootCa(dir, 'root');
const intermediate = intermediateCa(dir, 'intermediate', root);

/** A leaf under `issuer`, valid from now for ten minutes (never before its CA: openssl made it now). */
const leafUnder = (issuer: MadeCa, notBefore = new Date()) =>
  fulcioLeaf(issuer, { uri: SUBJECT, oidcIssuer: ISSUER, notBefore });

/** The evidence of one `.sig` layer signed by a leaf under `issuer`, with `chain` as its annotation. */
async function signedUnder(issuer: MadeCa, chain: string, notBefore?: Date): Promise<ImageEvidence> {
  const leaf = await leafUnder(issuer, notBefore);
  const { layer, payload } = await keylessSignatureLayer(leaf, { repo: REPO, digest: DIGEST, chain });
  return { digest: DIGEST, classic: [{ kind: 'classic-layer', layer, payload }] };
}

/** Options with no Rekor and no CT log (none exists for made certificates): checked now. */
function offline(
  trustedRoot: TrustedRoot,
  legacy: boolean,
): JudgeSignaturesOptions & { readonly [LEGACY_CHAIN]?: boolean } {
  const options = { trustedRoot, anyIdentity: true, ignoreTlog: true, ignoreSct: true };
  return legacy ? { ...options, [LEGACY_CHAIN]: true } : options;
}

/** 'ok', or the first failure's reason; `about` must then be in its message. */
function outcome(evidence: ImageEvidence, options: JudgeSignaturesOptions, about?: RegExp): string {
  try {
    const result = verifySignatureEvidence(evidence, options);
    expect(result.signatures[0]?.certificate?.subjectAltNames).toEqual([{ type: 'uri', value: SUBJECT }]);
    return 'ok';
  } catch (error) {
    if (!(error instanceof VerificationError)) throw error;
    if (about !== undefined) expect(error.failures[0]?.message).toMatch(about);
    return error.failures[0]?.reason ?? 'none';
  }
}

const rootOnly = trustedRootFromPems({ fulcio: root.pem });
const fullChain = `${intermediate.pem}${root.pem}`;

describe('an intermediate only in the chain annotation', () => {
  it('counts with the legacy opt-in, and not by default (cosign 3 with a trusted root ignores the annotation)', async () => {
    const evidence = await signedUnder(intermediate, fullChain);
    expect(outcome(evidence, offline(rootOnly, true))).toBe('ok');
    expect(outcome(evidence, offline(rootOnly, false), /certificate/i)).toBe('certificate-invalid');
    // The same chain given as trust material verifies by default.
    expect(outcome(evidence, offline(trustedRootFromPems({ fulcio: fullChain }), false))).toBe('ok');
  });

  it("the annotation's last certificate is where cosign writes the root: never taken as an intermediate", async () => {
    // One certificate: cosign reads it as the root and takes no intermediate from it.
    expect(outcome(await signedUnder(intermediate, intermediate.pem), offline(rootOnly, true))).toBe(
      'certificate-invalid',
    );
    expect(outcome(await signedUnder(intermediate, ''), offline(rootOnly, true))).toBe('certificate-invalid');
    // In first place it counts, whatever comes last.
    expect(
      outcome(
        await signedUnder(intermediate, `${intermediate.pem}${intermediate.pem}`),
        offline(rootOnly, true),
      ),
    ).toBe('ok');
  });

  it('a self-signed certificate of the annotation is never trusted: only the anchors given are', async () => {
    const attacker = rootCa(dir, 'attacker-root');
    const evidence = await signedUnder(attacker, `${attacker.pem}${root.pem}`);
    expect(outcome(evidence, offline(rootOnly, true), /no path/)).toBe('certificate-invalid');
    // Given as an anchor, the same certificate is trusted.
    expect(outcome(evidence, offline(trustedRootFromPems({ fulcio: attacker.pem }), true))).toBe('ok');
  });

  it('chains only to the anchors given: an intermediate of another root does not help', async () => {
    const other = rootCa(dir, 'other-root');
    const otherIntermediate = intermediateCa(dir, 'other-intermediate', other);
    const evidence = await signedUnder(otherIntermediate, `${otherIntermediate.pem}${other.pem}`);
    expect(outcome(evidence, offline(rootOnly, true), /no path/)).toBe('certificate-invalid');
  });
});

describe('every certificate given is an anchor', () => {
  it('roots holding an intermediate without its root: the intermediate anchors (legacy only)', async () => {
    const intermediateOnly = trustedRootFromPems({ fulcio: intermediate.pem });
    const evidence = await signedUnder(intermediate, '');
    expect(outcome(evidence, offline(intermediateOnly, true))).toBe('ok');
    expect(outcome(evidence, offline(intermediateOnly, false))).toBe('certificate-invalid');
    // A leaf directly under the root does not chain to the intermediate.
    expect(outcome(await signedUnder(root, ''), offline(intermediateOnly, true))).toBe('certificate-invalid');
  });

  it("an anchor counts only inside its CA entry's window", async () => {
    const json = rootOnly.json as { certificateAuthorities: Array<Record<string, unknown>> };
    const windowed = (start: string, end: string) =>
      parseTrustedRoot({
        ...json,
        certificateAuthorities: json.certificateAuthorities.map((ca) => ({
          ...ca,
          validFor: { start, end },
        })),
      });
    const evidence = await signedUnder(intermediate, fullChain);
    const ended = windowed('2020-01-01T00:00:00Z', '2021-01-01T00:00:00Z');
    expect(outcome(evidence, offline(ended, true), /no path/)).toBe('certificate-invalid');
    expect(outcome(evidence, offline(windowed('2020-01-01T00:00:00Z', '2999-01-01T00:00:00Z'), true))).toBe(
      'ok',
    );
  });
});

describe("the path is held to Go's x509 rules", () => {
  it('an issuer that is no CA is refused', async () => {
    const notCa = intermediateCa(dir, 'not-a-ca', root, ['basicConstraints=critical,CA:FALSE']);
    const evidence = await signedUnder(notCa, `${notCa.pem}${root.pem}`);
    expect(outcome(evidence, offline(rootOnly, true), /not a CA/)).toBe('certificate-invalid');
  });

  it("a root's path length of 0 allows no intermediate under it", async () => {
    const strict = rootCa(dir, 'pathlen-root', [
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    const under = intermediateCa(dir, 'under-pathlen', strict);
    const evidence = await signedUnder(under, `${under.pem}${strict.pem}`);
    const anchors = trustedRootFromPems({ fulcio: strict.pem });
    expect(outcome(evidence, offline(anchors, true), /path length/)).toBe('certificate-invalid');
    // A leaf right under it is fine.
    expect(outcome(await signedUnder(strict, ''), offline(anchors, true))).toBe('ok');
  });

  it('an intermediate whose extended key usage leaves out code signing is refused, on either path', async () => {
    const tls = intermediateCa(dir, 'tls-intermediate', root, [
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign',
      'extendedKeyUsage=serverAuth',
    ]);
    const evidence = await signedUnder(tls, `${tls.pem}${root.pem}`);
    expect(outcome(evidence, offline(rootOnly, true), /code signing/)).toBe('certificate-invalid');
    const trusted = trustedRootFromPems({ fulcio: `${tls.pem}${root.pem}` });
    expect(outcome(evidence, offline(trusted, false), /code signing/)).toBe('certificate-invalid');
  });

  it("checked at the leaf's notBefore as well (cosign's TrustedCert): a leaf older than its intermediate fails", async () => {
    const hourAgo = new Date(Date.now() - 3_600_000);
    const leaf = await fulcioLeaf(intermediate, {
      uri: SUBJECT,
      oidcIssuer: ISSUER,
      notBefore: hourAgo,
      notAfter: new Date(Date.now() + 3_600_000),
    });
    const { layer, payload } = await keylessSignatureLayer(leaf, {
      repo: REPO,
      digest: DIGEST,
      chain: fullChain,
    });
    const evidence: ImageEvidence = { digest: DIGEST, classic: [{ kind: 'classic-layer', layer, payload }] };
    expect(outcome(evidence, offline(rootOnly, true), /not valid at/)).toBe('certificate-invalid');
  });

  it('checked at the Rekor entry time: an intermediate no longer valid then fails', async () => {
    const log = await testRekorLog();
    const trustedRoot = trustedRootFromPems({ fulcio: root.pem, rekor: log.publicKeyPem });
    const now = Date.now();
    // The leaf lives 60 days, its intermediate 30: logged on day 40, the intermediate has expired.
    const leaf = await fulcioLeaf(intermediate, {
      uri: SUBJECT,
      oidcIssuer: ISSUER,
      notBefore: new Date(now),
      notAfter: new Date(now + 60 * 86_400_000),
    });
    const loggedAt = async (ms: number): Promise<ImageEvidence> => {
      const integratedTime = Math.floor(ms / 1000);
      const { layer, payload } = await keylessSignatureLayer(leaf, {
        repo: REPO,
        digest: DIGEST,
        chain: fullChain,
        rekor: { log, integratedTime },
      });
      return { digest: DIGEST, classic: [{ kind: 'classic-layer', layer, payload }] };
    };
    const logged = { trustedRoot, anyIdentity: true, ignoreSct: true, [LEGACY_CHAIN]: true };
    expect(outcome(await loggedAt(now + 60_000), logged)).toBe('ok');
    const day40 = new Date(Math.floor((now + 40 * 86_400_000) / 1000) * 1000);
    expect(
      outcome(await loggedAt(day40.getTime()), logged, new RegExp(`not valid at ${day40.toISOString()}`)),
    ).toBe('certificate-invalid');
  });
});

describe('a hostile chain annotation', () => {
  it('is refused with the legacy opt-in (cosign fails an annotation it cannot parse), ignored by default', async () => {
    const trusted = trustedRootFromPems({ fulcio: fullChain });
    const key = encodePem('PRIVATE KEY', new Uint8Array([1, 2, 3]));
    const tooMany = Array.from({ length: 12 }, () => intermediate.pem).join('');
    for (const [chain, about] of [
      ['not PEM at all', /no PEM certificate/],
      [`${key}${root.pem}`, /not a CERTIFICATE/],
      [
        encodePem('CERTIFICATE', new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])) + root.pem,
        /not a certificate/,
      ],
      [tooMany, /more than the 11 read/],
    ] as const) {
      const evidence = await signedUnder(intermediate, chain);
      expect(outcome(evidence, offline(trusted, true), about), chain.slice(0, 40)).toBe('malformed');
      expect(outcome(evidence, offline(trusted, false)), chain.slice(0, 40)).toBe('ok');
    }
  });
});
