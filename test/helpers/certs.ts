/** Self-signed P-256 certificates made with the openssl CLI, for TLS and token-signing fixtures. */
import { execFileSync } from 'node:child_process';
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
