/**
 * Keyless material made here, for what no real vector shows (a classic keyless `.att` layer): a
 * Fulcio-like signing certificate for a key we hold — the extensions Fulcio writes (critical URI
 * or email subject alternative name, codeSigning, the issuer as raw `.1.1` and DER `.1.8`), any
 * validity window — issued by a test CA (`fulcio-reissue.ts`); a private Rekor log that signs entry timestamps; the
 * Rekor entry bodies cosign logs an attestation as (rekor `pkg/types/{intoto,dsse}`); and the
 * `.att` layer cosign writes for it.
 */
import { createHash, randomBytes, sign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createSigner, exportPublicKeyPem, generateKeyPair, type PrivateKey } from '../../src/keys/index.js';
import { encodePem } from '../../src/keys/pem.js';
import { encodeDsseEnvelope, IN_TOTO_PAYLOAD_TYPE, signDsse } from '../../src/payload/dsse.js';
import { encodeAttestationStatement } from '../../src/payload/intoto.js';
import type { Descriptor } from '../../src/payload/oci.js';
import {
  DSSE_MEDIA_TYPE,
  type RekorBundle,
  SignatureAnnotation,
  signatureLayerDescriptor,
} from '../../src/payload/signature-layer.js';
import { derUtf8, ekuExtension, extension, fulcioExtension, raw, san, sanExtension } from './fulcio-certs.js';
import type { ReissuingCa } from './fulcio-reissue.js';

/** ecdsa-with-SHA256: the CAs `reissuingCa` makes are P-256. */
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

/** Who the certificate is for, and when it is valid (default: from a minute ago for ten minutes). */
export interface LeafOptions {
  readonly uri?: string;
  readonly email?: string;
  /** The OIDC issuer, written as Fulcio writes it: `.1.1` raw and `.1.8` DER. */
  readonly oidcIssuer: string;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

/** A leaf certificate and the key it certifies. */
export interface FulcioLeaf {
  readonly pem: string;
  readonly der: Uint8Array;
  readonly privateKey: PrivateKey;
}

/**
 * A Fulcio-like leaf for a fresh P-256 key, issued by `ca` (`reissuingCa` from
 * `fulcio-reissue.ts`, which re-issues real leaves whose key nobody here holds; this one's key is
 * ours, so it can sign).
 */
export async function fulcioLeaf(ca: ReissuingCa, options: LeafOptions): Promise<FulcioLeaf> {
  const { privateKey, publicKey } = await generateKeyPair();
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  cert.serialNumber = new asn1js.Integer({ valueHex: serial });
  cert.issuer = ca.subject;
  cert.notBefore.value = notBefore;
  cert.notAfter.value = options.notAfter ?? new Date(notBefore.getTime() + 10 * 60_000);
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(publicKey.toDer());
  const names = [
    ...(options.uri === undefined ? [] : [san.uri(options.uri)]),
    ...(options.email === undefined ? [] : [san.email(options.email)]),
  ];
  cert.extensions = [
    // keyUsage digitalSignature (critical), as Fulcio's template.
    extension('2.5.29.15', new Uint8Array([0x03, 0x02, 0x07, 0x80]), true),
    ekuExtension([CODE_SIGNING]),
    sanExtension(names),
    fulcioExtension(1, raw(options.oidcIssuer)),
    fulcioExtension(8, derUtf8(options.oidcIssuer)),
  ];
  cert.signature = new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_WITH_SHA256 });
  cert.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_WITH_SHA256 });
  const tbs = Buffer.from(cert.encodeTBS().toBER());
  cert.signatureValue = new asn1js.BitString({ valueHex: sign('sha256', tbs, ca.key) });
  const der = new Uint8Array(cert.toSchema(true).toBER());
  return { pem: encodePem('CERTIFICATE', der), der, privateKey };
}

const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');
const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A private Rekor log: its public key (for `trustedRootFromPems`) and the bundle annotations it signs. */
export interface TestRekorLog {
  readonly publicKeyPem: string;
  /** The `dev.sigstore.cosign/bundle` value logging `body` (a Rekor entry body), its SET signed. */
  bundle(body: object, integratedTime?: number): Promise<RekorBundle>;
}

/** A fresh Rekor log (P-256 key). Its log ID is the SHA-256 of its key's DER, as Rekor's. */
export async function testRekorLog(): Promise<TestRekorLog> {
  const { privateKey, publicKey } = await generateKeyPair();
  const logID = sha256Hex(publicKey.toDer());
  const signer = createSigner(privateKey);
  let logIndex = 0;
  return {
    publicKeyPem: exportPublicKeyPem(publicKey),
    async bundle(body, integratedTime = Math.floor(Date.now() / 1000)) {
      const Payload = { body: b64(JSON.stringify(body)), integratedTime, logID, logIndex: logIndex++ };
      // RFC 8785 of these four members is sorted, compact JSON: the order written here.
      const set = await signer.sign(new TextEncoder().encode(JSON.stringify(Payload)));
      return { SignedEntryTimestamp: b64(set), Payload };
    },
  };
}

/** A DSSE envelope over an attestation statement about `digest`, as cosign stores it in a `.att` layer. */
export interface SignedAttestation {
  /** The layer blob: the envelope JSON. */
  readonly blob: Uint8Array;
  /** Its one signature (base64). */
  readonly signature: string;
  readonly predicateType: string;
}

/** Signs an attestation statement about `digest` (in `repo`) with `key` into an envelope. */
export async function signedAttestation(
  key: PrivateKey,
  statement: { repo: string; digest: string; predicateType?: string; predicate?: unknown },
): Promise<SignedAttestation> {
  const predicateType = statement.predicateType ?? 'https://slsa.dev/provenance/v1';
  const payload = encodeAttestationStatement({
    subjectName: statement.repo,
    digest: statement.digest,
    predicateType,
    predicate: statement.predicate ?? { buildDefinition: { buildType: 'test' } },
  });
  const envelope = await signDsse(createSigner(key), IN_TOTO_PAYLOAD_TYPE, payload);
  return {
    blob: encodeDsseEnvelope(envelope),
    signature: envelope.signatures[0]?.sig ?? '',
    predicateType,
  };
}

/**
 * The Rekor entry body cosign's upload of `attestation` by `certPem` yields, of each kind it can
 * log one as (`cosign attest --rekor-entry-type`, rekor `pkg/types/intoto/v0.0.{1,2}`,
 * `dsse/v0.0.1`): each logs the hash of the envelope as uploaded and the certificate.
 */
export function attestationEntryBody(
  kind: 'intoto/0.0.1' | 'intoto/0.0.2' | 'dsse/0.0.1',
  attestation: SignedAttestation,
  certPem: string,
): object {
  const envelope = JSON.parse(Buffer.from(attestation.blob).toString('utf8'));
  const hash = { algorithm: 'sha256', value: sha256Hex(attestation.blob) };
  const payloadHash = { algorithm: 'sha256', value: sha256Hex(Buffer.from(envelope.payload, 'base64')) };
  if (kind === 'intoto/0.0.1')
    return {
      apiVersion: '0.0.1',
      kind: 'intoto',
      spec: { content: { hash, payloadHash }, publicKey: b64(certPem) },
    };
  if (kind === 'intoto/0.0.2')
    return {
      apiVersion: '0.0.2',
      kind: 'intoto',
      spec: {
        content: {
          envelope: {
            payloadType: envelope.payloadType,
            signatures: [{ publicKey: b64(certPem), sig: b64(attestation.signature) }],
          },
          hash,
          payloadHash,
        },
      },
    };
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: hash,
      payloadHash,
      signatures: [{ signature: attestation.signature, verifier: b64(certPem) }],
    },
  };
}

/** The `.att` layer cosign writes for a keyless attestation: empty signature, certificate, chain. */
export function keylessAttestationLayer(
  attestation: SignedAttestation,
  options: { certificate: string; chain?: string; bundle?: RekorBundle },
): Descriptor {
  return signatureLayerDescriptor({
    payload: attestation.blob,
    mediaType: DSSE_MEDIA_TYPE,
    signature: '',
    certificate: options.certificate,
    chain: options.chain ?? '',
    ...(options.bundle === undefined ? {} : { bundle: options.bundle }),
    annotations: { [SignatureAnnotation.predicateType]: attestation.predicateType },
  });
}
