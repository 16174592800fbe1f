/**
 * Certificates made with the openssl CLI: self-signed P-256 ones for TLS and token-signing
 * fixtures, and CA chains (roots, intermediates, end-entity certificates) for trust fixtures.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function selfSignedCert(
  dir: string,
  name: string,
  options: { subject: string; subjectAltName?: string },
): { keyPath: string; certPath: string } {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  const args = [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '2',
    '-subj',
    options.subject,
  ];
  if (options.subjectAltName !== undefined) args.push('-addext', `subjectAltName=${options.subjectAltName}`);
  execFileSync('openssl', args, { stdio: 'ignore' });
  return { keyPath, certPath };
}

/** A key and certificate made by {@link caCertificate} or {@link issuedCertificate}, as file paths. */
export interface CertificateFiles {
  readonly keyPath: string;
  readonly certPath: string;
}

/** A self-signed CA certificate (basicConstraints CA:TRUE), for certificate-chain fixtures. */
export function caCertificate(dir: string, name: string, subject: string, curve = 'P-384'): CertificateFiles {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  // biome-ignore format: one openssl option a line
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '30', '-subj', subject,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ], { stdio: 'ignore' });
  return { keyPath, certPath };
}

/**
 * A certificate `issuer` signs: an intermediate CA (`ca: true`) or an end-entity certificate with
 * the extensions given (e.g. `extendedKeyUsage=critical,timeStamping` for a TSA).
 */
export function issuedCertificate(
  dir: string,
  name: string,
  options: { subject: string; issuer: CertificateFiles; ca?: boolean; extensions?: readonly string[] },
): CertificateFiles {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  const csrPath = join(dir, `${name}.csr`);
  const extPath = join(dir, `${name}.ext`);
  // biome-ignore format: one openssl option a line
  execFileSync('openssl', [
    'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', keyPath, '-out', csrPath, '-subj', options.subject,
  ], { stdio: 'ignore' });
  const extensions = options.ca
    ? ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign']
    : [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        ...(options.extensions ?? []),
      ];
  writeFileSync(extPath, `${extensions.join('\n')}\n`);
  // biome-ignore format: one openssl option a line
  execFileSync('openssl', [
    'x509', '-req', '-in', csrPath, '-CA', options.issuer.certPath, '-CAkey', options.issuer.keyPath,
    '-CAcreateserial', '-out', certPath, '-days', '30', '-extfile', extPath,
  ], { stdio: 'ignore' });
  return { keyPath, certPath };
}
