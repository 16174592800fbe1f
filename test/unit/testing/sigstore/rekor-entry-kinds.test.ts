import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { json } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { fromUtf8, toBase64, utf8 } from '../../../../src/internal/bytes.js';
import { importPublicKey } from '../../../../src/keys/import.js';
import { encodePem } from '../../../../src/keys/pem.js';
import { preAuthEncoding } from '../../../../src/payload/dsse.js';
import { readRekorBody } from '../../../../src/sigstore/tlog/rekor-body.js';
import { attestationEntryMatches, entryMatches } from '../../../../src/sigstore/tlog/tlog-entry.js';
import {
  type CanonicalEntry,
  canonicalizeProposedEntry,
} from '../../../../src/testing/sigstore/rekor/entry-kinds.js';
import { RekorRefusal } from '../../../../src/testing/sigstore/rekor/refusal.js';
import { caCertificate, issuedCertificate } from '../../../helpers/certs.js';
import { spkiPem } from '../../../helpers/keys.js';
import { hashedRekordV1 } from '../../../helpers/sigstore-doubles.js';
import { readVectors } from '../../../helpers/vectors.js';

interface Bundle {
  verificationMaterial: {
    certificate?: { rawBytes: string };
    x509CertificateChain?: { certificates: { rawBytes: string }[] };
    tlogEntries: { canonicalizedBody: string }[];
  };
  messageSignature?: { messageDigest: { digest: string }; signature: string };
  dsseEnvelope?: { payload: string; payloadType: string; signatures: { sig: string; keyid?: string }[] };
}

const b64 = (text: string) => toBase64(utf8(text));
const hex = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('hex');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();
const bodyOf = (bundle: Bundle) =>
  fromUtf8(Buffer.from(bundle.verificationMaterial.tlogEntries[0]?.canonicalizedBody ?? '', 'base64'));
const leafDer = (bundle: Bundle) =>
  bundle.verificationMaterial.certificate?.rawBytes ??
  bundle.verificationMaterial.x509CertificateChain?.certificates[0]?.rawBytes ??
  '';
const certPem = (derBase64: string) => encodePem('CERTIFICATE', Buffer.from(derBase64, 'base64'));

const hashedrekord = (signature: Uint8Array, pem: string, digest: Uint8Array, algorithm = 'sha256') =>
  hashedRekordV1({ digest, signature, publicKeyPem: pem, algorithm });

function refusal(proposed: unknown): RekorRefusal {
  try {
    canonicalizeProposedEntry(proposed);
  } catch (error) {
    if (error instanceof RekorRefusal) return error;
    throw error;
  }
  throw new Error('the entry was accepted');
}

function p256(): { privateKey: KeyObject; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, pem: spkiPem(publicKey) };
}

function signedEnvelope(privateKey: KeyObject, statement = '{"_type":"https://in-toto.io/Statement/v1"}') {
  const payloadType = 'application/vnd.in-toto+json';
  const payload = utf8(statement);
  const sig = toBase64(sign('sha256', preAuthEncoding(payloadType, payload), privateKey));
  return { payload: toBase64(payload), payloadType, signatures: [{ sig }] };
}

describe('canonicalized bodies: byte for byte what the public Rekor logged', () => {
  it('hashedrekord 0.0.1 from a Fulcio-signed bundle (sigstore-conformance happy path)', () => {
    const bundle = readVectors<Bundle>('keyless/conf-happy-path-v0.3/bundle.sigstore.json');
    const { messageDigest, signature } = bundle.messageSignature ?? {
      messageDigest: { digest: '' },
      signature: '',
    };
    const entry = canonicalizeProposedEntry(
      hashedrekord(
        Buffer.from(signature, 'base64'),
        certPem(leafDer(bundle)),
        Buffer.from(messageDigest.digest, 'base64'),
      ),
    );
    expect(fromUtf8(entry.body)).toBe(bodyOf(bundle));
    expect([entry.kind, entry.apiVersion]).toEqual(['hashedrekord', '0.0.1']);
  });

  it('hashedrekord 0.0.1 from a classic cosign keyless signature (cosign as the client)', () => {
    const layer = readVectors<{ annotations: Record<string, string> }>(
      'keyless/classic-github-actions/layer.json',
    );
    const annotations = layer.annotations;
    const rekorBundle = JSON.parse(annotations['dev.sigstore.cosign/bundle'] as string);
    const digest = Buffer.from(
      JSON.parse(fromUtf8(Buffer.from(rekorBundle.Payload.body, 'base64'))).spec.data.hash.value,
      'hex',
    );
    const entry = canonicalizeProposedEntry(
      hashedrekord(
        Buffer.from(annotations['dev.cosignproject.cosign/signature'] as string, 'base64'),
        annotations['dev.sigstore.cosign/certificate'] as string,
        digest,
      ),
    );
    expect(toBase64(entry.body)).toBe(rekorBundle.Payload.body);
  });

  it('dsse 0.0.1 from cosign 3 (key) and from a Fulcio-signed bundle', () => {
    const real = readVectors<{
      newBundleReferrer: {
        bundle: string;
        publicKeyPem: string;
        rekorEntry: { canonicalizedBodyDecoded: string };
      };
    }>('cosign/real-cosign-artifacts.json').newBundleReferrer;
    const cases: [Bundle, string, string][] = [
      [JSON.parse(real.bundle), real.publicKeyPem, real.rekorEntry.canonicalizedBodyDecoded],
    ];
    const keyless = readVectors<Bundle>('keyless/conf-happy-path-intoto-in-dsse-v3/bundle.sigstore.json');
    cases.push([keyless, certPem(leafDer(keyless)), bodyOf(keyless)]);
    for (const [bundle, verifierPem, body] of cases) {
      const { payload, payloadType, signatures } = bundle.dsseEnvelope ?? {
        payload: '',
        payloadType: '',
        signatures: [],
      };
      const envelope = JSON.stringify({ payload, payloadType, signatures });
      const entry = canonicalizeProposedEntry({
        apiVersion: '0.0.1',
        kind: 'dsse',
        spec: { proposedContent: { envelope, verifiers: [b64(verifierPem)] } },
      });
      expect(fromUtf8(entry.body)).toBe(body);
    }
  });

  it('intoto 0.0.2 from sigstore-js 2 (npm provenance)', () => {
    const bundle = readVectors<Bundle>('keyless/sgo-npm-provenance-sigstore-js-2.0.0/bundle.sigstore.json');
    const envelope = bundle.dsseEnvelope ?? { payload: '', payloadType: '', signatures: [] };
    const signature = envelope.signatures[0] ?? { sig: '' };
    // sigstore-js writes the certificate PEM without a trailing newline, and hashes the envelope itself.
    const publicKey = certPem(leafDer(bundle)).trimEnd();
    const dsse = {
      payloadType: envelope.payloadType,
      payload: envelope.payload,
      signatures: [{ sig: signature.sig, publicKey }],
    };
    const canonical = json.canonicalize(dsse);
    const entry = canonicalizeProposedEntry({
      apiVersion: '0.0.2',
      kind: 'intoto',
      spec: {
        content: {
          envelope: {
            payloadType: envelope.payloadType,
            payload: b64(envelope.payload),
            signatures: [{ sig: b64(signature.sig), publicKey: b64(publicKey) }],
          },
          hash: { algorithm: 'sha256', value: hex(sha256(utf8(canonical))) },
          payloadHash: { algorithm: 'sha256', value: hex(sha256(Buffer.from(envelope.payload, 'base64'))) },
        },
      },
    });
    expect(fromUtf8(entry.body)).toBe(bodyOf(bundle));
  });
});

describe('entries the double logs read as our verifier expects', () => {
  it('hashedrekord: the logged key is the canonical PEM, whatever PEM was proposed', () => {
    const { privateKey, pem } = p256();
    const payload = utf8('{"critical":{}}');
    const signature = sign('sha256', payload, privateKey);
    // Proposed with CRLF line ends and surrounding blanks: Rekor trims and re-encodes it.
    const messy = `\n  ${pem.replaceAll('\n', '\r\n')}  \n`;
    const entry = canonicalizeProposedEntry(hashedrekord(signature, messy, sha256(payload)));
    const read = readRekorBody(toBase64(entry.body));
    if (!read.ok) throw new Error(read.message);
    expect(
      entryMatches(read.body, { signature: toBase64(signature), key: importPublicKey(pem), payload }),
    ).toEqual({
      ok: true,
      message: 'ok',
    });
    const logged = JSON.parse(fromUtf8(entry.body)).spec.signature.publicKey.content;
    expect(fromUtf8(Buffer.from(logged, 'base64'))).toBe(pem);
  });

  it('dsse and intoto 0.0.1: the hashes cosign checks for an attestation layer', () => {
    const { privateKey, pem } = p256();
    const envelope = JSON.stringify(signedEnvelope(privateKey));
    const entries: CanonicalEntry[] = [
      canonicalizeProposedEntry({
        apiVersion: '0.0.1',
        kind: 'dsse',
        spec: { proposedContent: { envelope, verifiers: [b64(pem)] } },
      }),
      canonicalizeProposedEntry({
        apiVersion: '0.0.1',
        kind: 'intoto',
        spec: { content: { envelope }, publicKey: b64(pem) },
      }),
    ];
    const signerDer = importPublicKey(pem).toDer();
    for (const entry of entries) {
      const read = readRekorBody(toBase64(entry.body));
      if (!read.ok) throw new Error(read.message);
      const check = attestationEntryMatches(read.body, utf8(envelope), (der) =>
        Buffer.from(der).equals(signerDer),
      );
      expect(check, entry.kind).toEqual({ ok: true, message: 'ok' });
    }
  });

  it('accepts Ed25519 as Ed25519ph over a SHA-512 digest, and RSA 2048 with SHA-256', () => {
    const secret = ed25519ph.utils.randomSecretKey();
    const message = utf8('artifact');
    const edPem = encodePem(
      'PUBLIC KEY',
      Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), ed25519ph.getPublicKey(secret)]),
    );
    const digest = createHash('sha512').update(message).digest();
    expect(() =>
      canonicalizeProposedEntry(hashedrekord(ed25519ph.sign(message, secret), edPem, digest, 'sha512')),
    ).not.toThrow();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaEntry = hashedrekord(
      sign('sha256', message, rsa.privateKey),
      spkiPem(rsa.publicKey),
      sha256(message),
    );
    expect(() => canonicalizeProposedEntry(rsaEntry)).not.toThrow();
  });
});

describe('certificate chains (Rekor reads up to ten concatenated certificates)', () => {
  it('logs a leaf-and-CA chain whose links verify, with the leaf key, and refuses a broken one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rekor-chain-'));
    try {
      const ca = caCertificate(dir, 'ca', '/CN=chain CA', 'P-256');
      const leaf = issuedCertificate(dir, 'leaf', { subject: '/CN=signer', issuer: ca });
      const stranger = caCertificate(dir, 'stranger', '/CN=other CA', 'P-256');
      const [leafPem, caPem, strangerPem] = [leaf, ca, stranger].map((c) => readFileSync(c.certPath, 'utf8'));
      const key = createPrivateKey(readFileSync(leaf.keyPath));
      const message = utf8('artifact');
      const entry = canonicalizeProposedEntry(
        hashedrekord(sign('sha256', message, key), `${leafPem}${caPem}`, sha256(message)),
      );
      const logged = JSON.parse(fromUtf8(entry.body)).spec.signature.publicKey.content;
      expect(fromUtf8(Buffer.from(logged, 'base64'))).toBe(`${leafPem}${caPem}`);
      const broken = refusal(
        hashedrekord(sign('sha256', message, key), `${leafPem}${strangerPem}`, sha256(message)),
      );
      expect([broken.status, broken.message]).toEqual([
        400,
        'error processing entry: x509: certificate signed by unknown authority',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('refusals, as Rekor gives them', () => {
  const { privateKey, pem } = p256();
  const payload = utf8('payload');
  const good = () => hashedrekord(sign('sha256', payload, privateKey), pem, sha256(payload));

  it('a signature that does not verify with the proposed key: 400', () => {
    const other = p256();
    for (const proposed of [
      hashedrekord(sign('sha256', payload, other.privateKey), pem, sha256(payload)),
      hashedrekord(sign('sha256', payload, privateKey), pem, sha256(utf8('other'))),
    ]) {
      const r = refusal(proposed);
      expect([r.status, r.code]).toEqual([400, 400]);
      expect(r.message).toMatch(/^error processing entry: verifying signature/);
    }
  });

  it('a kind Rekor does not know: 422; one it knows but this log does not take, or an unknown version: 400', () => {
    expect([
      refusal({ ...good(), kind: 'nonsense' }).status,
      refusal({ ...good(), kind: 'nonsense' }).message,
    ]).toEqual([422, 'invalid kind value: "nonsense"']);
    expect(refusal({ ...good(), kind: 'rekord' }).message).toMatch(/not enabled for submission/);
    const version = refusal({ ...good(), apiVersion: '0.0.9' });
    expect([version.status, version.message]).toEqual([
      400,
      "error processing entry: hashedrekord implementation for version '0.0.9' not found: unable to locate entry for version 0.0.9",
    ]);
    const { apiVersion: _, ...noVersion } = good() as Record<string, unknown>;
    expect(refusal(noVersion).message).toBe('error processing entry: api version cannot be nil');
    expect([
      refusal({ apiVersion: '0.0.1', spec: {} }).status,
      refusal({ apiVersion: '0.0.1', spec: {} }).code,
    ]).toEqual([422, 602]);
    expect(refusal(['not', 'an', 'object']).status).toBe(500);
  });

  it('an algorithm outside the default registry: 400 after the signature verified', () => {
    const sha384 = createHash('sha384').update(payload).digest();
    const r = refusal(hashedrekord(sign('sha384', payload, privateKey), pem, sha384, 'sha384'));
    expect(r.message).toBe('error processing entry: entry algorithms are not allowed');
    const secret = ed25519ph.utils.randomSecretKey();
    const edPem = encodePem(
      'PUBLIC KEY',
      Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), ed25519ph.getPublicKey(secret)]),
    );
    expect(refusal(hashedrekord(ed25519ph.sign(payload, secret), edPem, sha256(payload))).status).toBe(400);
  });

  it('malformed hashedrekord specs: 400', () => {
    const spec = (good() as { spec: Record<string, Record<string, unknown>> }).spec;
    const variants: [object, RegExp][] = [
      [{ ...spec, data: { hash: { algorithm: 'sha256', value: 'abcd' } } }, /invalid value for hash/],
      [{ ...spec, data: { hash: { algorithm: 'md5', value: hex(sha256(payload)) } } }, /should be one of/],
      [
        { ...spec, signature: { ...spec.signature, publicKey: { content: b64('not pem') } } },
        /failure decoding PEM/,
      ],
      [{ ...spec, signature: { ...spec.signature, content: '!!' } }, /base64/],
      [{ data: spec.data }, /signature in body is required/],
      [{ ...spec, data: {} }, /missing hash/],
    ];
    for (const [variant, message] of variants) {
      const r = refusal({ apiVersion: '0.0.1', kind: 'hashedrekord', spec: variant });
      expect(r.status, JSON.stringify(variant)).toBe(400);
      expect(r.message).toMatch(message);
    }
    expect(refusal({ apiVersion: '0.0.1', kind: 'hashedrekord', spec: 'x' }).message).toMatch(/DecodeEntry/);
  });

  it('DSSE envelopes whose signatures do not all verify with the proposed keys: 400', () => {
    const other = p256();
    const envelope = signedEnvelope(privateKey);
    const twoSigned = {
      ...envelope,
      signatures: [...envelope.signatures, ...signedEnvelope(other.privateKey).signatures],
    };
    const dsse = (env: object, verifiers: string[]) => ({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: { proposedContent: { envelope: JSON.stringify(env), verifiers: verifiers.map(b64) } },
    });
    expect(refusal(dsse(envelope, [other.pem])).message).toMatch(
      /accepted signatures do not match threshold/,
    );
    expect(refusal(dsse(twoSigned, [pem])).message).toMatch(
      /all signatures must have a key that verifies it/,
    );
    expect(refusal(dsse({ ...envelope, signatures: [] }, [pem])).message).toMatch(/1 or more signatures/);
    expect(refusal(dsse(envelope, [])).status).toBe(400);
    // Both signatures, both keys: logged, sorted by signature.
    const both = canonicalizeProposedEntry(dsse(twoSigned, [other.pem, pem]));
    const sigs = JSON.parse(fromUtf8(both.body)).spec.signatures.map(
      (s: { signature: string }) => s.signature,
    );
    expect(sigs).toEqual(twoSigned.signatures.map((s) => s.sig).sort());
    const intoto = (env: object, key: string) => ({
      apiVersion: '0.0.1',
      kind: 'intoto',
      spec: { content: { envelope: JSON.stringify(env) }, publicKey: b64(key) },
    });
    expect(refusal(intoto(envelope, other.pem)).status).toBe(400);
    expect(
      refusal({ apiVersion: '0.0.1', kind: 'intoto', spec: { publicKey: b64(pem), content: {} } }).message,
    ).toMatch(/missing envelope content/);
  });

  it('intoto 0.0.2 without the client’s envelope hash: the 500 Rekor answers', () => {
    const envelope = signedEnvelope(privateKey);
    const sig = envelope.signatures[0]?.sig ?? '';
    const r = refusal({
      apiVersion: '0.0.2',
      kind: 'intoto',
      spec: {
        content: {
          envelope: {
            payloadType: envelope.payloadType,
            payload: b64(envelope.payload),
            signatures: [{ sig: b64(sig), publicKey: b64(pem) }],
          },
        },
      },
    });
    expect([r.status, r.message]).toEqual([500, 'error generating canonicalized entry']);
  });
});
