/**
 * The RFC 3161 `TimeStampResp` the double answers with, built as the real timestamp-authority
 * builds it (timestamp-authority `pkg/api/timestamp.go` `TimestampResponseHandler`, which fills a
 * digitorus/timestamp `Timestamp`; its `CreateResponseWithOpts`, `populateTSTInfo`,
 * `populateSigningCertificateV2Ext`, `generateSignedData`; the CMS by digitorus/pkcs7
 * `AddSignerChain`):
 *
 * - `TSTInfo`: version 1, the policy (the one asked for, else the default), the request's
 *   imprint (its hash algorithm with NULL parameters), a random 160-bit serial, `genTime` in whole
 *   seconds, accuracy 1 second, no ordering, the nonce when one was sent, and `tsa` = the signing
 *   certificate's subject as a directoryName.
 * - CMS `SignedData` version 3, digest SHA-256 (no parameters), content type id-ct-TSTInfo, one
 *   signer by issuer and serial with ecdsa-with-SHA256 and the signed attributes contentType,
 *   signingTime, messageDigest and signingCertificateV2 (one ESSCertIDv2: the signing
 *   certificate's hash under the *request's* hash algorithm, named only when not SHA-256, and its
 *   issuer and serial), in DER order.
 * - Certificates only when the request asks (`certReq` / `certificates`): the signing certificate,
 *   and with `includeChain` (`--include-chain-in-response`) the intermediate and root after it.
 *
 * Deliberately not here: reading requests (`tsa-request.ts`), HTTP (`tsa-api.ts`). Built with
 * pkijs over asn1js, signed through WebCrypto.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { TsaChain } from './tsa-ca.js';
import { HASH_OID, type TimestampHash, type TimestampRequest } from './tsa-request.js';

/** How one answer is made. */
export interface TimestampOptions {
  readonly chain: TsaChain;
  readonly engine: pkijs.ICryptoEngine;
  /** The time stamped (its milliseconds are dropped, as Go's GeneralizedTime drops them). */
  readonly genTime: Date;
  /** The policy when the request names none (`--default-policy-oid`). */
  readonly defaultPolicy: string;
  /** Add the intermediate and root after the signing certificate when certificates are asked for. */
  readonly includeChain: boolean;
  /** The digest stamped instead of the request's (the wrong-imprint fault); default the request's. */
  readonly hashedMessage?: Uint8Array;
}

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
} as const;

const SECOND = 1000;

function digest(hash: TimestampHash, bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(hash).update(bytes).digest());
}

function octets(bytes: Uint8Array): asn1js.OctetString {
  return new asn1js.OctetString({ valueHex: bytes });
}

/** A random positive serial of 20 octets' worth, as digitorus/timestamp draws it. */
function randomSerial(): asn1js.Integer {
  return asn1js.Integer.fromBigInt(BigInt(`0x${randomBytes(20).toString('hex')}`));
}

function tstInfoOf(request: TimestampRequest, options: TimestampOptions, genTime: Date): Uint8Array {
  const { leaf } = options.chain;
  const tstInfo = new pkijs.TSTInfo({
    version: 1,
    policy: request.policy ?? options.defaultPolicy,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: HASH_OID[request.hashAlgorithm],
        algorithmParams: new asn1js.Null(),
      }),
      hashedMessage: octets(options.hashedMessage ?? request.hashedMessage),
    }),
    serialNumber: randomSerial(),
    genTime,
    accuracy: new pkijs.Accuracy({ seconds: 1 }),
    ...(request.nonce === undefined ? {} : { nonce: asn1js.Integer.fromBigInt(request.nonce) }),
    tsa: new pkijs.GeneralName({ type: 4, value: leaf.certificate.subject }),
  });
  return new Uint8Array(tstInfo.toSchema().toBER(false));
}

/** The signingCertificateV2 attribute's value (RFC 5816): one ESSCertIDv2 for the signing certificate. */
function signingCertificateV2(hash: TimestampHash, options: TimestampOptions): asn1js.Sequence {
  const { leaf } = options.chain;
  const certId = new asn1js.Sequence({
    value: [
      // hashAlgorithm DEFAULT id-sha256: written only for other digests.
      ...(hash === 'sha256'
        ? []
        : [
            new pkijs.AlgorithmIdentifier({
              algorithmId: HASH_OID[hash],
              algorithmParams: new asn1js.Null(),
            }).toSchema(),
          ]),
      octets(digest(hash, leaf.der)),
      new pkijs.IssuerSerial({
        issuer: new pkijs.GeneralNames({
          names: [new pkijs.GeneralName({ type: 4, value: leaf.certificate.issuer })],
        }),
        serialNumber: leaf.certificate.serialNumber,
      }).toSchema(),
    ],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [certId] })] });
}

function attribute(type: string, value: asn1js.AsnType): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

function compareBytes(a: ArrayBuffer, b: ArrayBuffer): number {
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return x.length - y.length;
}

/** The signed attributes, sorted by their encodings as DER orders a SET OF. */
function signedAttributes(
  request: TimestampRequest,
  tstInfo: Uint8Array,
  genTime: Date,
  options: TimestampOptions,
): pkijs.SignedAndUnsignedAttributes {
  const attributes = [
    attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.tstInfo })),
    attribute(OID.signingTime, new asn1js.UTCTime({ valueDate: genTime })),
    attribute(OID.messageDigest, octets(digest('sha256', tstInfo))),
    attribute(OID.signingCertificateV2, signingCertificateV2(request.hashAlgorithm, options)),
  ]
    .map((a) => ({ a, der: a.toSchema().toBER(false) }))
    .sort((x, y) => compareBytes(x.der, y.der))
    .map(({ a }) => a);
  return new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes });
}

/** The DER `TimeStampResp` granting `request`. */
export async function createTimestampResponse(
  request: TimestampRequest,
  options: TimestampOptions,
): Promise<Uint8Array> {
  const { chain, engine } = options;
  const genTime = new Date(Math.floor(options.genTime.getTime() / SECOND) * SECOND);
  const tstInfo = tstInfoOf(request, options, genTime);
  const sha256 = () => new pkijs.AlgorithmIdentifier({ algorithmId: HASH_OID.sha256 });
  const certificates = request.certReq
    ? [chain.leaf, ...(options.includeChain ? [chain.intermediate, chain.root] : [])].map(
        (c) => c.certificate,
      )
    : undefined;
  const encapContentInfo = new pkijs.EncapsulatedContentInfo({ eContentType: OID.tstInfo });
  // Set after construction: pkijs's constructor turns an OCTET STRING into a constructed (BER)
  // one, which DER parsers (sigstore-js's among them) do not read as the TSTInfo.
  encapContentInfo.eContent = octets(tstInfo);
  const signedData = new pkijs.SignedData({
    version: 3,
    digestAlgorithms: [sha256()],
    encapContentInfo,
    ...(certificates === undefined ? {} : { certificates }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({
          issuer: chain.leaf.certificate.issuer,
          serialNumber: chain.leaf.certificate.serialNumber,
        }),
        signedAttrs: signedAttributes(request, tstInfo, genTime, options),
      }),
    ],
  });
  await signedData.sign(chain.leaf.privateKey, 0, 'SHA-256', undefined, engine);
  // pkijs writes NULL parameters here; Go's pkcs7 writes none. Outside the signed attributes.
  for (const signer of signedData.signerInfos) signer.digestAlgorithm = sha256();
  const response = new pkijs.TimeStampResp({
    status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }),
    timeStampToken: new pkijs.ContentInfo({
      contentType: OID.signedData,
      content: signedData.toSchema(true),
    }),
  });
  return new Uint8Array(response.toSchema().toBER(false));
}
