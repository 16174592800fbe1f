/**
 * trustMaterialOf: the same trust material @sigstore/verify builds from the raw document itself
 * (on every shared vector root), made once per root, usable by its Verifier on a real public-good
 * bundle, and failures as our typed errors.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot as ProtoTrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, TrustedRootError } from '../../../src/errors/index.js';
import { parseTrustedRoot, shippedTrustedRoot, trustMaterialOf } from '../../../src/sigstore/index.js';
import { SHARED_DIR } from '../../helpers/vectors.js';

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
type Json = any;
const KEYLESS = join(SHARED_DIR, 'vectors', 'keyless');
const read = (name: string): Json => JSON.parse(readFileSync(join(KEYLESS, name), 'utf8'));
const SHARED = [
  'trusted-roots/public-good-sigstore-tuf-4.0.2.json',
  'trusted-roots/public-good-sigstore-tuf-3.1.1.json',
  'trusted-roots/public-good-4.0.2-without-ctlogs.json',
  'trusted-roots/sigstore-go-scaffolding.json',
  'trusted-roots/sigstore-js-verify-3.1.1-test-fixture.json',
  'conf-rekor2-happy-path/trusted_root.json',
];

/** What a verifier reads of trust material, comparable with toEqual. */
function summary(material: ReturnType<typeof trustMaterialOf>) {
  const authority = (a: (typeof material.certificateAuthorities)[number]) => ({
    chain: a.certChain.map((c) => Buffer.from(c.root.toDER()).toString('base64')),
    validFor: a.validFor,
  });
  const log = (l: (typeof material.tlogs)[number]) => ({
    logID: l.logID.toString('hex'),
    baseURL: l.baseURL,
    key: l.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    validFor: l.validFor,
  });
  return {
    certificateAuthorities: material.certificateAuthorities.map(authority),
    timestampAuthorities: material.timestampAuthorities.map(authority),
    tlogs: material.tlogs.map(log),
    ctlogs: material.ctlogs.map(log),
  };
}

describe('trustMaterialOf', () => {
  it.each(SHARED)('%s: what @sigstore/verify makes of the document itself', (name) => {
    const doc = read(name);
    expect(summary(trustMaterialOf(parseTrustedRoot(doc)))).toEqual(
      summary(toTrustMaterial(ProtoTrustedRoot.fromJSON(doc))),
    );
  });

  it('reads a root written with proto member names, on which protobuf-specs alone breaks', () => {
    const doc = read(SHARED[0] as string);
    const snakeCase = (value: Json): Json =>
      Array.isArray(value)
        ? value.map(snakeCase)
        : typeof value === 'object' && value !== null
          ? Object.fromEntries(
              Object.entries(value).map(([k, v]) => [
                k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
                snakeCase(v),
              ]),
            )
          : value;
    const snake = snakeCase(doc);
    expect(JSON.stringify(snake)).toContain('"cert_chain"');
    expect(() => toTrustMaterial(ProtoTrustedRoot.fromJSON(snake))).toThrow(TypeError);
    expect(summary(trustMaterialOf(parseTrustedRoot(snake)))).toEqual(
      summary(trustMaterialOf(parseTrustedRoot(doc))),
    );
  });

  it('is made once per root value', () => {
    const root = shippedTrustedRoot();
    expect(trustMaterialOf(root)).toBe(trustMaterialOf(root));
    const other = parseTrustedRoot(read(SHARED[0] as string));
    expect(trustMaterialOf(other)).not.toBe(trustMaterialOf(root));
  });

  it('verifies a real public-good v0.3 bundle with the shipped root', () => {
    const dir = join(KEYLESS, 'conf-happy-path-v0.3');
    const bundle = bundleFromJSON(JSON.parse(readFileSync(join(dir, 'bundle.sigstore.json'), 'utf8')));
    const entity = toSignedEntity(bundle, readFileSync(join(dir, 'artifact')));
    const signer = new Verifier(trustMaterialOf(shippedTrustedRoot())).verify(entity);
    expect(signer.identity?.subjectAlternativeName).toMatch(/extremely-dangerous-oidc-beacon/);
  });

  it('takes only parsed roots, and turns what @sigstore/verify refuses into TrustedRootError', () => {
    expect(() => trustMaterialOf(read(SHARED[0] as string))).toThrow(InvalidArgumentError);
    const doc = read(SHARED[0] as string);
    // A key @sigstore/verify cannot import (the bytes are base64 of a few zeros).
    doc.ctlogs[0].publicKey.rawBytes = 'AAAAAA==';
    const error = (() => {
      try {
        return trustMaterialOf(parseTrustedRoot(doc));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TrustedRootError);
    expect((error as Error).message).toMatch(/^the Sigstore verifier cannot use this trusted root: /);
  });

  it('an RSA key in SubjectPublicKeyInfo form with PKIX details is read as SPKI (not as @sigstore/verify 3.1.1 reads it)', () => {
    const doc = read('trusted-roots/sigstore-js-verify-3.1.1-test-fixture.json');
    const rsa = doc.ctlogs.find((l: Json) => l.publicKey.keyDetails === 'PKCS1_RSA_PKCS1V5');
    expect(rsa).toBeDefined();
    const spki = createPublicKey({
      key: Buffer.from(rsa.publicKey.rawBytes, 'base64'),
      format: 'der',
      type: 'pkcs1',
    })
      .export({ format: 'der', type: 'spki' })
      .toString('base64');
    rsa.publicKey = { ...rsa.publicKey, rawBytes: spki, keyDetails: 'PKIX_RSA_PKCS1V15_4096_SHA256' };
    expect(() => toTrustMaterial(ProtoTrustedRoot.fromJSON(doc))).toThrow();
    const material = trustMaterialOf(parseTrustedRoot(doc));
    const index = doc.ctlogs.indexOf(rsa);
    expect(material.ctlogs[index]?.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')).toBe(
      spki,
    );
  });
});
