/**
 * Made CA chains for keyless chain tests, with openssl: a root and intermediates under it, each
 * with the extensions a test needs (a path length, an extended key usage, no CA flag at all), each
 * usable as the issuer of Fulcio-like leaves (`fulcioLeaf` in `fulcio-leaf.ts`), and a classic
 * keyless `.sig` layer signed by such a leaf, logged (or not) in a test Rekor log.
 */

import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { createSigner } from '../../src/keys/index.js';
import type { Descriptor } from '../../src/payload/oci.js';
import { signatureLayerDescriptor } from '../../src/payload/signature-layer.js';
import { encodeSimpleSigningPayload } from '../../src/payload/simple-signing.js';
import type { CertificateFiles } from './certs.js';
import { pemToDer } from './fulcio-certs.js';
import type { FulcioLeaf, TestRekorLog } from './fulcio-leaf.js';
import type { ReissuingCa } from './fulcio-reissue.js';

/** A made CA: the issuer `fulcioLeaf` takes, and its files (to issue certificates under it). */
export interface MadeCa extends ReissuingCa {
  readonly files: CertificateFiles;
}

const CA_EXTENSIONS = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'];

function madeCa(files: CertificateFiles): MadeCa {
  const pem = readFileSync(files.certPath, 'utf8');
  return {
    pem,
    subject: pkijs.Certificate.fromBER(pemToDer(pem)).subject,
    key: createPrivateKey(readFileSync(files.keyPath)),
    files,
  };
}

/** A self-signed P-256 root; `extensions` (openssl `-addext` values) replace the CA defaults. */
export function rootCa(dir: string, name: string, extensions: readonly string[] = CA_EXTENSIONS): MadeCa {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  // biome-ignore format: one openssl option a line
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '30', '-subj', `/O=ocisign-test/CN=${name}`,
    ...extensions.flatMap((e) => ['-addext', e]),
  ], { stdio: 'ignore' });
  return madeCa({ keyPath, certPath });
}

/**
 * A P-256 certificate `issuer` signs, with `extensions` (openssl extension lines; default: a CA
 * that may sign certificates) — an intermediate, or with other extensions something that only
 * looks like one.
 */
export function intermediateCa(
  dir: string,
  name: string,
  issuer: MadeCa,
  extensions: readonly string[] = CA_EXTENSIONS,
): MadeCa {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  const csrPath = join(dir, `${name}.csr`);
  const extPath = join(dir, `${name}.ext`);
  // biome-ignore format: one openssl option a line
  execFileSync('openssl', [
    'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', keyPath, '-out', csrPath, '-subj', `/O=ocisign-test/CN=${name}`,
  ], { stdio: 'ignore' });
  writeFileSync(extPath, `${extensions.join('\n')}\n`);
  // biome-ignore format: one openssl option a line
  execFileSync('openssl', [
    'x509', '-req', '-in', csrPath, '-CA', issuer.files.certPath, '-CAkey', issuer.files.keyPath,
    '-CAcreateserial', '-out', certPath, '-days', '30', '-extfile', extPath,
  ], { stdio: 'ignore' });
  return madeCa({ keyPath, certPath });
}

/**
 * The hashedrekord v0.0.1 entry body cosign logs for a `.sig` layer: the signature, the SHA-256 of
 * the payload, and `verifierPem` (the certificate, or a key) as base64 PEM.
 */
export function hashedRekordBody(signature: string, payload: Uint8Array, verifierPem: string): object {
  return {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') } },
      signature: { content: signature, publicKey: { content: Buffer.from(verifierPem).toString('base64') } },
    },
  };
}

/** Where a made `.sig` layer is logged: the log, when, and who the entry names (default: the leaf). */
export interface LoggedIn {
  readonly log: TestRekorLog;
  readonly integratedTime?: number;
  readonly verifierPem?: string;
}

/**
 * A simple-signing payload for `repo@digest` and the classic `.sig` layer `leaf` signed it into,
 * with `chain` as its chain annotation and, with `rekor`, a Rekor bundle annotation.
 */
export async function keylessSignatureLayer(
  leaf: FulcioLeaf,
  options: { repo: string; digest: string; chain: string; rekor?: LoggedIn },
): Promise<{ payload: Uint8Array; layer: Descriptor; signature: string }> {
  const payload = encodeSimpleSigningPayload({
    dockerReference: options.repo,
    manifestDigest: options.digest,
  });
  const signature = Buffer.from(await createSigner(leaf.privateKey).sign(payload)).toString('base64');
  const { rekor } = options;
  const bundle =
    rekor === undefined
      ? undefined
      : await rekor.log.bundle(
          hashedRekordBody(signature, payload, rekor.verifierPem ?? leaf.pem),
          rekor.integratedTime,
        );
  const layer = signatureLayerDescriptor({
    payload,
    signature,
    certificate: leaf.pem,
    chain: options.chain,
    ...(bundle === undefined ? {} : { bundle }),
  });
  return { payload, layer, signature };
}
