/**
 * Fuzzing the certificate reader and the identity code ({@link FUZZ_RUNS} runs each), from real
 * Fulcio certificates: random bytes, and DER edits aimed at one ASN.1 node of a real certificate
 * (its tag, its length, its content, the node dropped or doubled), so that mutations reach the
 * extensions, the subject alternative names and the Fulcio strings inside a certificate that still
 * mostly parses. readFulcioCertificate returns a certificate or throws a typed OcisignError, never
 * anything else; the matchers and compileIdentities likewise, on whatever it returns.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FulcioCertificate, readFulcioCertificate } from '../../../../src/verify/keyless/certificate.js';
import {
  type CertificateIdentity,
  compileIdentities,
  isAnchoredRegExp,
} from '../../../../src/verify/keyless/identity.js';
import {
  matchBundle,
  matchClassic,
  summarizeCertificate,
} from '../../../../src/verify/keyless/identity-match.js';
import { asn1Nodes, derNodeEdits } from '../../../helpers/der-mutations.js';
import { bundleCertificateDer, classicCertificatePem, pemToDer } from '../../../helpers/fulcio-certs.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, typedOrResult } from '../../../helpers/fuzz.js';

const sources = [
  pemToDer(classicCertificatePem('classic-github-actions')),
  pemToDer(classicCertificatePem('classic-google-service-account')),
  bundleCertificateDer('sgo-othername-san'),
  bundleCertificateDer('sjs-2022-email-issuer-v1-only'),
];
const runs = { numRuns: FUZZ_RUNS };

const sourceNodes = sources.map((der) => asn1Nodes(der));

/** A real certificate with one ASN.1 node edited (and maybe a second, elsewhere). */
const editedDer = derNodeEdits(sources);

const identities = compileIdentities([
  { subjectRegExp: '^https://github\\.com/', issuer: 'https://token.actions.githubusercontent.com' },
  { subject: 'foo!oidc.local', issuerRegExp: '.*', github: { trigger: 'push' } },
  { subject: 'brian@dehamer.com', extensions: { issuerV2: 'x', buildTrigger: 'push' } },
]);

/** Everything downstream must take what the reader returns without throwing. */
function useAll(cert: FulcioCertificate): void {
  expect(cert.der.length).toBeGreaterThan(0);
  expect(cert.notBefore.getTime()).not.toBeNaN();
  for (const name of cert.subjectAltNames) expect(typeof name.value).toBe('string');
  for (const result of [matchClassic(identities, cert), matchBundle(identities, cert)])
    expect('index' in result || typeof result.mismatch === 'string').toBe(true);
  summarizeCertificate(cert);
}

describe(`readFulcioCertificate on ${FUZZ_RUNS} hostile inputs each`, { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('the real certificates read (so the edits start from certificates that pass)', () => {
    for (const der of sources) useAll(readFulcioCertificate(der));
    expect(sourceNodes.every((nodes) => nodes.length > 50)).toBe(true);
  });

  it('on real certificates with an ASN.1 node edited', () => {
    let read = 0;
    fc.assert(
      fc.property(editedDer, (der) => {
        const result = typedOrResult(() => readFulcioCertificate(der));
        if (!(result instanceof Error)) {
          read++;
          useAll(result);
        }
      }),
      runs,
    );
    // Some edits (inside an SCT, a signature, a name) leave a certificate that still reads.
    if (FUZZ_RUNS >= 1000) expect(read).toBeGreaterThan(0);
  });

  it('on random bytes, and random bytes behind a certificate header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, header) => {
        const der = header
          ? new Uint8Array([0x30, 0x82, bytes.length >> 8, bytes.length & 0xff, ...bytes])
          : bytes;
        const result = typedOrResult(() => readFulcioCertificate(der));
        if (!(result instanceof Error)) useAll(result);
      }),
      runs,
    );
  });
});

describe(`compileIdentities on ${FUZZ_RUNS} hostile identities`, { timeout: FUZZ_TIMEOUT_MS }, () => {
  const cert = readFulcioCertificate(sources[0] as Uint8Array);

  it('on arbitrary values: compiled, or an InvalidArgumentError', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const result = typedOrResult(() => compileIdentities([value as CertificateIdentity], () => {}));
        if (!(result instanceof Error)) matchClassic(result, cert);
      }),
      runs,
    );
  });

  it('on arbitrary patterns: a regexp that matches or not, or an InvalidArgumentError; the anchor check never throws', () => {
    const pattern = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.stringMatching(/^[\^$\\()[\]|?*+.{}:a-z0-9AzQE]{1,30}$/),
    );
    fc.assert(
      fc.property(pattern, pattern, (subjectRegExp, issuerRegExp) => {
        expect(typeof isAnchoredRegExp(subjectRegExp)).toBe('boolean');
        const result = typedOrResult(() => compileIdentities([{ subjectRegExp, issuerRegExp }], () => {}));
        if (!(result instanceof Error)) {
          matchClassic(result, cert);
          matchBundle(result, cert);
        }
      }),
      runs,
    );
  });
});
