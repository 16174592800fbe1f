/**
 * readFulcioCertificate on the real Fulcio certificates of ../shared/vectors/keyless (classic layer
 * annotations and bundles, holdout included), cross-checked with @sigstore/core's independent
 * parser, and on edited copies for what no real certificate shows: every SAN kind, each Fulcio
 * extension encoding Go refuses, duplicate extensions, missing or foreign extended key usage.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from '@sigstore/core';
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../../src/errors/base.js';
import { CertificateError } from '../../../../src/errors/verify.js';
import {
  type FulcioCertificate,
  readFulcioCertificate,
  readFulcioCertificatePem,
} from '../../../../src/verify/keyless/certificate.js';
import {
  FULCIO_EXTENSION_NAMES,
  FULCIO_EXTENSION_OIDS,
} from '../../../../src/verify/keyless/fulcio-extensions.js';
import { formatIp } from '../../../../src/verify/keyless/subject-alt-names.js';
import {
  bundleCertificateDer,
  classicCertificatePem,
  derUtf8,
  ekuExtension,
  extension,
  fulcioExtension,
  pemToDer,
  raw,
  san,
  sanExtension,
  withExtensions,
  without,
} from '../../../helpers/fulcio-certs.js';
import { SHARED_DIR } from '../../../helpers/vectors.js';

const KEYLESS = join(SHARED_DIR, 'vectors', 'keyless');
const F = '1.3.6.1.4.1.57264.1';
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const WORKFLOW =
  'https://github.com/salrashid123/go-bazel-github-workflow/.github/workflows/release.yaml@refs/tags/v0.0.30';

const githubPem = classicCertificatePem('classic-github-actions');
const githubDer = pemToDer(githubPem);
const github = readFulcioCertificatePem(githubPem);
const googleSa = readFulcioCertificatePem(classicCertificatePem('classic-google-service-account'));

function thrown(run: () => unknown): CertificateError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CertificateError);
    return error as CertificateError;
  }
  throw new Error('expected a CertificateError');
}

/** The certificate of every real case, classic and bundle, holdout included. */
function everyRealCertificate(): { name: string; cert: () => FulcioCertificate }[] {
  const found: { name: string; cert: () => FulcioCertificate }[] = [];
  for (const base of ['', 'holdout']) {
    for (const entry of readdirSync(join(KEYLESS, base), { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === 'trusted-roots' || entry.name === 'holdout') continue;
      const dir = join(base, entry.name);
      for (const file of readdirSync(join(KEYLESS, dir))) {
        if (file === 'layer.json' || /^layer.*\.json$/.test(file))
          found.push({
            name: `${dir}/${file}`,
            cert: () => readFulcioCertificatePem(classicCertificatePem(dir, file)),
          });
        else if (file.endsWith('.sigstore.json') || file === 'bundle.json')
          found.push({
            name: `${dir}/${file}`,
            cert: () => readFulcioCertificate(bundleCertificateDer(dir, file)),
          });
      }
    }
  }
  return found;
}

describe('readFulcioCertificate on real certificates', () => {
  it('reads classic-github-actions: validity, SAN, EKU and all of .1.1–.1.22 in order', () => {
    expect(github.notBefore.toISOString()).toBe('2026-02-27T18:20:46.000Z');
    expect(github.notAfter.toISOString()).toBe('2026-02-27T18:30:46.000Z');
    expect(github.subjectAltNames).toEqual([{ type: 'uri', value: WORKFLOW }]);
    expect(github.extendedKeyUsages).toEqual(['1.3.6.1.5.5.7.3.3']);
    expect(github.codeSigning).toBe(true);
    expect(github.unhandledCriticalExtensions).toEqual([]);
    expect(github.fulcioExtensions.map((e) => e.oid)).toEqual(
      [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22].map((n) => `${F}.${n}`),
    );
    expect(github.fulcioExtensions.every((e) => e.wellFormed)).toBe(true);
    expect(github.extensions).toMatchObject({
      issuerV1: GITHUB_ISSUER,
      githubWorkflowTrigger: 'push',
      githubWorkflowSha: '7624bd5f279fb5d4700ea72c1b2373ee33960700',
      githubWorkflowName: 'Release',
      githubWorkflowRepository: 'salrashid123/go-bazel-github-workflow',
      githubWorkflowRef: 'refs/tags/v0.0.30',
      issuerV2: GITHUB_ISSUER,
      buildSignerUri: WORKFLOW,
      runnerEnvironment: 'github-hosted',
      sourceRepositoryUri: 'https://github.com/salrashid123/go-bazel-github-workflow',
      sourceRepositoryRef: 'refs/tags/v0.0.30',
      sourceRepositoryIdentifier: '1150755799',
      buildTrigger: 'push',
      sourceRepositoryVisibilityAtSigning: 'public',
    });
    expect(github.extensions.deploymentEnvironment).toBeUndefined();
  });

  it('keeps the DER and the raw TBS, as @sigstore/core reads them', () => {
    const core = X509Certificate.parse(Buffer.from(githubDer));
    expect(Buffer.from(github.der).equals(Buffer.from(githubDer))).toBe(true);
    expect(github.tbs.length).toBe(1720);
    expect(Buffer.from(github.tbs).equals(core.tbsCertificate.toDER())).toBe(true);
    expect(github.notBefore.getTime()).toBe(core.notBefore.getTime());
    expect(github.notAfter.getTime()).toBe(core.notAfter.getTime());
    // Each .1.8+ value as @sigstore/core's raw extension bytes, decoded independently.
    for (const e of github.fulcioExtensions.filter((x) => Number(x.oid.split('.').pop()) >= 8)) {
      const value = core.extension(e.oid)?.value as Buffer;
      expect((asn1js.fromBER(value).result as asn1js.Utf8String).valueBlock.value, e.oid).toBe(e.value);
    }
  });

  it('reads the otherName SAN of sgo-othername-san, whose critical SAN Go leaves unhandled', () => {
    const cert = readFulcioCertificate(bundleCertificateDer('sgo-othername-san'));
    expect(cert.subjectAltNames).toEqual([{ type: 'otherName', value: 'foo!oidc.local' }]);
    expect(cert.extensions.issuerV1).toBe('http://oidc.local:8080');
    expect(cert.unhandledCriticalExtensions).toEqual(['2.5.29.17']);
  });

  it('reads a 2022 certificate with the v1 issuer only (sjs-2022-email-issuer-v1-only)', () => {
    const cert = readFulcioCertificate(bundleCertificateDer('sjs-2022-email-issuer-v1-only'));
    expect(cert.subjectAltNames).toEqual([{ type: 'email', value: 'brian@dehamer.com' }]);
    expect(cert.fulcioExtensions.map((e) => e.name)).toEqual(['issuerV1']);
    expect(cert.extensions).toEqual({ issuerV1: 'https://github.com/login/oauth' });
  });

  it('reads the email SAN of a Google service account (classic-google-service-account)', () => {
    expect(googleSa.subjectAltNames).toEqual([
      { type: 'email', value: 'cosign@cosign-test-384419.iam.gserviceaccount.com' },
    ]);
    expect(googleSa.extensions).toEqual({
      issuerV1: 'https://accounts.google.com',
      issuerV2: 'https://accounts.google.com',
    });
  });

  it('keeps the certificate order of .1.8 before .1.1 (conf-intoto-expired-certificate)', () => {
    const cert = readFulcioCertificate(bundleCertificateDer('conf-intoto-expired-certificate'));
    expect(cert.fulcioExtensions.map((e) => e.name)).toEqual(['issuerV2', 'issuerV1']);
  });

  const all = everyRealCertificate();
  it.each(all.map((c) => [c.name, c]))('reads %s', (_name, { cert }) => {
    const read = cert();
    expect(read.codeSigning).toBe(true);
    expect(read.subjectAltNames.length).toBe(1);
    expect(read.extensions.issuerV1).toMatch(/^https?:\/\//);
  });

  it('found the real certificates (classic, bundles and holdout)', () => {
    expect(all.length).toBeGreaterThanOrEqual(50);
    expect(all.some((c) => c.name.startsWith('holdout'))).toBe(true);
  });
});

describe('readFulcioCertificatePem', () => {
  it('skips text before the block, as Go pem.Decode does', () => {
    expect(readFulcioCertificatePem(`junk\n${githubPem}`).der).toEqual(githubDer);
  });

  it('refuses text with no PEM block, and a value that is not text', () => {
    expect(thrown(() => readFulcioCertificatePem('not a certificate')).code).toBe('CERTIFICATE_INVALID');
    expect(() => readFulcioCertificatePem(githubDer as unknown as string)).toThrow(InvalidArgumentError);
  });
});

describe('Fulcio extensions', () => {
  it('names every OID from .1.1 to .1.24 but .1.7', () => {
    expect(FULCIO_EXTENSION_NAMES).toHaveLength(23);
    expect(FULCIO_EXTENSION_OIDS.issuerV2).toBe(`${F}.8`);
    expect(FULCIO_EXTENSION_OIDS.tokenSubject).toBe(`${F}.24`);
  });

  it('reads .1.23 and .1.24, and leaves unknown OIDs of the arc unread', () => {
    const der = withExtensions(githubDer, (e) => [
      ...e,
      fulcioExtension(23, derUtf8('production')),
      fulcioExtension(24, derUtf8('repo:o/r:ref:refs/heads/main')),
      fulcioExtension(99, raw('whatever')),
    ]);
    const cert = readFulcioCertificate(der);
    expect(cert.extensions.deploymentEnvironment).toBe('production');
    expect(cert.extensions.tokenSubject).toBe('repo:o/r:ref:refs/heads/main');
    expect(cert.fulcioExtensions.some((e) => e.oid === `${F}.99`)).toBe(false);
  });

  const badStrings: [string, Uint8Array][] = [
    ['raw bytes', raw('https://token.actions.githubusercontent.com')],
    ['trailing bytes', new Uint8Array([...derUtf8('push'), 0])],
    ['a PrintableString', new Uint8Array(new asn1js.PrintableString({ value: 'push' }).toBER())],
    ['an IA5String', new Uint8Array(new asn1js.IA5String({ value: 'push' }).toBER())],
    ['a long-form length', new Uint8Array([0x0c, 0x81, 0x04, ...raw('push')])],
    ['invalid UTF-8', new Uint8Array([0x0c, 0x02, 0xc3, 0x28])],
    ['the constructed form', new Uint8Array([0x2c, 0x06, 0x0c, 0x04, ...raw('push')])],
    ['a context tag', new Uint8Array([0x8c, 0x04, ...raw('push')])],
    ['nothing', new Uint8Array()],
  ];
  it.each(badStrings)('refuses a .1.8+ value that is %s, naming the OID', (_what, value) => {
    const der = withExtensions(githubDer, (e) => [...without(`${F}.20`)(e), fulcioExtension(20, value)]);
    const error = thrown(() => readFulcioCertificate(der));
    expect(error.oid).toBe(`${F}.20`);
    expect(error.message).toContain(`buildTrigger (${F}.20)`);
  });

  it('keeps a raw .1.1–.1.6 value that is not UTF-8, marked not well-formed', () => {
    const der = withExtensions(githubDer, (e) => [
      ...without(`${F}.2`)(e),
      fulcioExtension(2, new Uint8Array([0x70, 0xff, 0x73])),
    ]);
    const trigger = readFulcioCertificate(der).fulcioExtensions.find(
      (e) => e.name === 'githubWorkflowTrigger',
    );
    expect(trigger).toMatchObject({ value: 'p\uFFFDs', wellFormed: false });
  });

  it('refuses a certificate with an extension twice, as Go does', () => {
    const der = withExtensions(githubDer, (e) => [...e, fulcioExtension(2, raw('push'))]);
    expect(thrown(() => readFulcioCertificate(der)).oid).toBe(`${F}.2`);
  });

  it('lists a critical extension Go does not handle', () => {
    const der = withExtensions(githubDer, (e) => [...e, extension('1.2.3.4', derUtf8('x'), true)]);
    expect(readFulcioCertificate(der).unhandledCriticalExtensions).toEqual(['1.2.3.4']);
  });
});

describe('subject alternative names', () => {
  function sans(...names: asn1js.AsnType[]) {
    return readFulcioCertificate(
      withExtensions(githubDer, (e) => [...without('2.5.29.17')(e), sanExtension(names)]),
    ).subjectAltNames;
  }

  it('reads every kind, in certificate order, IPs as Go writes them', () => {
    expect(
      sans(
        san.dns('example.com'),
        san.email('a@example.com'),
        san.ip([10, 0, 0, 1]),
        san.uri('spiffe://example.com/x'),
        san.ip([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
        san.otherName(`${F}.7`),
      ),
    ).toEqual([
      { type: 'dns', value: 'example.com' },
      { type: 'email', value: 'a@example.com' },
      { type: 'ip', value: '10.0.0.1' },
      { type: 'uri', value: 'spiffe://example.com/x' },
      { type: 'ip', value: '2001:db8::1' },
      { type: 'otherName', value: 'foo!oidc.local' },
    ]);
  });

  it('counts an otherName only when it is the only one, of Fulcio type, a UTF8String', () => {
    expect(sans(san.otherName(`${F}.7`), san.otherName(`${F}.7`))).toEqual([]);
    expect(sans(san.otherName('1.2.3.4'))).toEqual([]);
    expect(sans(san.otherName(`${F}.7`, new asn1js.PrintableString({ value: 'foo' })))).toEqual([]);
    expect(sans(san.email('a@b'), san.otherName(`${F}.7`))).toEqual([
      { type: 'email', value: 'a@b' },
      { type: 'otherName', value: 'foo!oidc.local' },
    ]);
  });

  it('refuses what Go refuses: non-ASCII names, IPs of another length, a malformed extension', () => {
    expect(thrown(() => sans(san.email('ü@example.com'))).oid).toBe('2.5.29.17');
    expect(thrown(() => sans(san.ip([1, 2, 3, 4, 5]))).message).toContain('5 bytes');
    const broken = withExtensions(githubDer, (e) => [
      ...without('2.5.29.17')(e),
      extension('2.5.29.17', raw('x')),
    ]);
    expect(thrown(() => readFulcioCertificate(broken)).oid).toBe('2.5.29.17');
  });

  it('formats IPv6 as net.IP.String(): the first longest zero run of two or more groups', () => {
    const v6 = (...groups: number[]) => formatIp(new Uint8Array(groups.flatMap((g) => [g >> 8, g & 0xff])));
    expect(v6(0, 0, 0, 0, 0, 0, 0, 0)).toBe('::');
    expect(v6(0, 0, 0, 0, 0, 0, 0, 1)).toBe('::1');
    expect(v6(1, 0, 0, 0, 1, 0, 0, 1)).toBe('1::1:0:0:1');
    expect(v6(1, 0, 0, 1, 0, 0, 1, 1)).toBe('1::1:0:0:1:1');
    expect(v6(1, 0, 1, 1, 1, 1, 1, 1)).toBe('1:0:1:1:1:1:1:1');
    expect(v6(0xfe80, 0, 0, 0, 0, 0, 0, 0)).toBe('fe80::');
    expect(v6(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201)).toBe('192.0.2.1');
  });
});

describe('extended key usage', () => {
  const eku = (...edit: Parameters<typeof withExtensions>[1][]) =>
    readFulcioCertificate(edit.reduce((der, e) => withExtensions(der, e), githubDer));

  it('reads no extension as any usage, as Go does', () => {
    const cert = eku(without('2.5.29.37'));
    expect(cert.extendedKeyUsages).toBeUndefined();
    expect(cert.codeSigning).toBe(true);
  });

  it('accepts anyExtendedKeyUsage and refuses other purposes', () => {
    const swap = (oids: string[]) => (e: Parameters<Parameters<typeof withExtensions>[1]>[0]) => [
      ...without('2.5.29.37')(e),
      ekuExtension(oids),
    ];
    expect(eku(swap(['2.5.29.37.0'])).codeSigning).toBe(true);
    expect(eku(swap(['1.3.6.1.5.5.7.3.1'])).codeSigning).toBe(false);
    expect(eku(swap(['1.3.6.1.5.5.7.3.1'])).extendedKeyUsages).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('refuses a malformed extension', () => {
    const der = withExtensions(githubDer, (e) => [
      ...without('2.5.29.37')(e),
      extension('2.5.29.37', raw('x')),
    ]);
    expect(thrown(() => readFulcioCertificate(der)).oid).toBe('2.5.29.37');
  });
});

describe('readFulcioCertificate on what is not a certificate', () => {
  it.each([
    ['empty', new Uint8Array()],
    ['garbage', raw('not a certificate at all')],
    ['truncated', githubDer.subarray(0, githubDer.length - 10)],
    ['followed by trailing bytes', new Uint8Array([...githubDer, 0])],
    ['a bare UTF8String', derUtf8('x')],
    ['larger than 64 KiB', new Uint8Array(65 * 1024)],
  ])('refuses DER that is %s', (_what, der) => {
    expect(thrown(() => readFulcioCertificate(der)).code).toBe('CERTIFICATE_INVALID');
  });

  it('refuses a value that is not bytes', () => {
    expect(() => readFulcioCertificate('MII' as unknown as Uint8Array)).toThrow(InvalidArgumentError);
  });

  it('copies the bytes it keeps', () => {
    const bytes = githubDer.slice();
    const cert = readFulcioCertificate(bytes);
    bytes.fill(0);
    expect(cert.der).toEqual(githubDer);
    expect(cert.tbs[0]).toBe(0x30);
  });
});
