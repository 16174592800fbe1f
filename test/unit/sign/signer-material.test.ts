/**
 * How a signer's identity is stored: a key's hint, or a keyless signer's certificate chain — the
 * classic certificate and chain annotations, a bundle's certificate, the Rekor verifier — and the
 * chains refused: empty, not DER, or a leaf that does not certify the signer's key.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors/index.js';
import { createSigner, generateKeyPair, importPrivateKey, publicKeyHint } from '../../../src/keys/index.js';
import { decodeFirstPemBlock } from '../../../src/keys/pem.js';
import type { Signer } from '../../../src/keys/signer.js';
import { parseBundle } from '../../../src/payload/bundle.js';
import { createBundle } from '../../../src/payload/bundle-create.js';
import { signerMaterial } from '../../../src/sign/signer-material.js';

const dir = mkdtempSync(join(tmpdir(), 'ocisign-material-'));
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
    '-subj',
    '/CN=leaf',
    '-days',
    '1',
  ],
  { stdio: 'ignore' },
);
const leaf = decodeFirstPemBlock(readFileSync(join(dir, 'cert.pem'), 'utf8'))?.bytes as Uint8Array;
const leafKey = await importPrivateKey(readFileSync(join(dir, 'key.pem'), 'utf8'));

const keyless = (chain: unknown, key = leafKey): Signer => ({
  ...createSigner(key),
  certificateChain: async () => chain as Uint8Array[],
});

describe('signerMaterial', () => {
  it('a key signer: the key, its hint, no certificates', async () => {
    const { privateKey, publicKey } = await generateKeyPair();
    const material = await signerMaterial(createSigner(privateKey), undefined);
    expect(material.bundleIdentity).toEqual({ publicKeyHint: publicKeyHint(publicKey) });
    expect(material.layerCertificates).toEqual({});
    expect(material.verifier).toEqual({ publicKey });
  });

  it('a keyless signer: the leaf everywhere, the rest in the chain annotation', async () => {
    const material = await signerMaterial(keyless([leaf, leaf]), undefined);
    expect(material.verifier).toEqual({ certificate: leaf });
    expect(material.layerCertificates.certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(material.layerCertificates.chain?.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    const bundle = parseBundle(
      createBundle({
        ...material.bundleIdentity,
        messageSignature: { signature: new Uint8Array([1, 2, 3]) },
      }),
    );
    expect(Buffer.from(bundle.certificate ?? []).equals(Buffer.from(leaf))).toBe(true);
  });

  it.each([
    ['no certificate', []],
    ['not DER bytes', ['MIIB']],
    ['bytes that are not a certificate', [new Uint8Array([0x30, 0x03, 1, 2, 3])]],
  ])('refuses a chain with %s', async (_what, chain) => {
    await expect(signerMaterial(keyless(chain), undefined)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('refuses a leaf that does not certify the signer’s key', async () => {
    const other = (await generateKeyPair()).privateKey;
    await expect(signerMaterial(keyless([leaf], other), undefined)).rejects.toThrow(/does not certify/);
  });

  it('createBundle wants exactly one of a key hint and a certificate', () => {
    const messageSignature = { signature: new Uint8Array([1]) };
    expect(() => createBundle({ messageSignature })).toThrow(/exactly one of publicKeyHint and certificate/);
    expect(() => createBundle({ publicKeyHint: 'x', certificate: leaf, messageSignature })).toThrow(
      /exactly one/,
    );
  });
});
