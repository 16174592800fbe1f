/**
 * A strict DER reader and a few writers over asn1js, for the key structures this layer handles.
 *
 * asn1js parses BER; Go's `encoding/asn1` and `cryptobyte` (which decide what cosign accepts) demand
 * DER. So after parsing we refuse indefinite lengths, non-minimal lengths and integers, and trailing
 * bytes. Every failure is a `KeyFormatError` naming what was being read. Not a general ASN.1 toolkit.
 */
import * as asn1js from 'asn1js';
import { KeyFormatError } from '../errors/keys.js';
import { bytesEqual } from '../internal/bytes.js';

const UNIVERSAL = 1;
const CONTEXT = 3;

/** Limits for untrusted input: keys are small and shallow. */
const PARSE_LIMITS = { maxDepth: 16, maxNodes: 512, maxContentLength: 64 * 1024 };

/**
 * Warnings asn1js raises for BER that is not DER. (Its "Needlessly long format of SID encoding" is
 * left out: asn1js raises it for valid OIDs such as P-384's; the re-encoding check covers SIDs.)
 */
const NON_DER_WARNINGS = new Set([
  'Needlessly long format',
  'Needlessly long encoded length',
  'Unnecessary usage of long length form',
  'Boolean value encoded in more then 1 octet',
  'Non-zero length of value block for Null type',
  'No EndOfContent block encoded',
]);

function checkDer(node: asn1js.AsnType, what: string): void {
  const block = node as asn1js.BaseBlock & {
    lenBlock: { isIndefiniteForm: boolean };
    valueBlock: { value?: unknown };
  };
  if (block.lenBlock?.isIndefiniteForm)
    throw new KeyFormatError(`${what}: indefinite-length encoding is not DER`);
  for (const part of [block, block.idBlock, block.lenBlock, block.valueBlock] as Array<
    { warnings?: string[] } | undefined
  >) {
    for (const warning of part?.warnings ?? []) {
      if (NON_DER_WARNINGS.has(warning))
        throw new KeyFormatError(`${what}: not DER (${warning.toLowerCase()})`);
    }
  }
  // Only constructed values hold DER children. asn1js also tries to read the content of a primitive
  // OCTET or BIT STRING as ASN.1; random key bytes may look like BER there, and whatever a string
  // holds is read (strictly, with its own parseDer) only where it is meant to be ASN.1.
  const children = block.idBlock?.isConstructed ? block.valueBlock?.value : undefined;
  if (Array.isArray(children)) for (const child of children) checkDer(child as asn1js.AsnType, what);
}

/**
 * asn1js.fromBER, made total: asn1js throws (rather than reporting) on some malformed values, such
 * as a GeneralizedTime that is not a time — found by our fuzz tests.
 */
export function fromBerSafe(der: Uint8Array): ReturnType<typeof asn1js.fromBER> | undefined {
  try {
    return asn1js.fromBER(der, PARSE_LIMITS);
  } catch {
    return undefined;
  }
}

/** Parses exactly one DER value spanning all of `der`. */
export function parseDer(der: Uint8Array, what: string): asn1js.AsnType {
  if (der.length === 0) throw new KeyFormatError(`${what}: no bytes to parse`);
  const parsed = fromBerSafe(der);
  if (parsed === undefined) throw new KeyFormatError(`${what}: malformed ASN.1`);
  if (parsed.offset === -1)
    throw new KeyFormatError(`${what}: malformed ASN.1 (${parsed.result.error || 'unreadable'})`);
  if (parsed.offset !== der.length)
    throw new KeyFormatError(
      `${what}: ${der.length - parsed.offset} bytes of trailing data after the ASN.1 structure`,
    );
  checkDer(parsed.result, what);
  let reencoded: Uint8Array;
  try {
    reencoded = new Uint8Array(parsed.result.toBER());
  } catch {
    throw new KeyFormatError(`${what}: malformed ASN.1`);
  }
  if (!bytesEqual(reencoded, der)) throw new KeyFormatError(`${what}: encoding is BER but not canonical DER`);
  return parsed.result;
}

function isUniversal(node: asn1js.AsnType, tag: number): boolean {
  return node.idBlock.tagClass === UNIVERSAL && node.idBlock.tagNumber === tag;
}

/** The children of a SEQUENCE, checking their count. */
export function sequence(
  node: asn1js.AsnType | undefined,
  what: string,
  min: number,
  max = min,
): asn1js.AsnType[] {
  if (node === undefined || !(node instanceof asn1js.Sequence))
    throw new KeyFormatError(`${what}: expected a SEQUENCE`);
  const items = node.valueBlock.value as asn1js.AsnType[];
  if (items.length < min || items.length > max)
    throw new KeyFormatError(
      `${what}: SEQUENCE has ${items.length} elements, expected ${min === max ? min : `${min} to ${max}`}`,
    );
  return items;
}

/** A non-negative INTEGER as a bigint. */
export function unsignedInteger(node: asn1js.AsnType | undefined, what: string): bigint {
  if (node === undefined || !(node instanceof asn1js.Integer) || !isUniversal(node, 2))
    throw new KeyFormatError(`${what}: expected an INTEGER`);
  const bytes = node.valueBlock.valueHexView;
  if (bytes.length === 0) throw new KeyFormatError(`${what}: empty INTEGER`);
  if ((bytes[0] as number) & 0x80) throw new KeyFormatError(`${what}: must not be negative`);
  return node.toBigInt();
}

/** A small non-negative INTEGER (a version field) as a number. */
export function smallInteger(node: asn1js.AsnType | undefined, what: string): number {
  const value = unsignedInteger(node, what);
  if (value > 1000n) throw new KeyFormatError(`${what}: unexpected value ${value}`);
  return Number(value);
}

export function objectIdentifier(node: asn1js.AsnType | undefined, what: string): string {
  if (node === undefined || !(node instanceof asn1js.ObjectIdentifier))
    throw new KeyFormatError(`${what}: expected an OBJECT IDENTIFIER`);
  return node.valueBlock.toString();
}

export function octetString(node: asn1js.AsnType | undefined, what: string): Uint8Array {
  if (node === undefined || !(node instanceof asn1js.OctetString) || node.idBlock.isConstructed)
    throw new KeyFormatError(`${what}: expected an OCTET STRING`);
  return new Uint8Array(node.valueBlock.valueHexView);
}

/** A BIT STRING's bytes; key material never has unused bits. */
export function bitStringBytes(node: asn1js.AsnType | undefined, what: string): Uint8Array {
  if (node === undefined || !(node instanceof asn1js.BitString) || node.idBlock.isConstructed)
    throw new KeyFormatError(`${what}: expected a BIT STRING`);
  if (node.valueBlock.unusedBits !== 0) throw new KeyFormatError(`${what}: BIT STRING has unused bits`);
  return new Uint8Array(node.valueBlock.valueHexView);
}

export function isNull(node: asn1js.AsnType | undefined): boolean {
  return node instanceof asn1js.Null;
}

/** A context-specific explicit tag `[n]` and its single inner value, or undefined when absent. */
export function explicitTag(
  node: asn1js.AsnType | undefined,
  tag: number,
  what: string,
): asn1js.AsnType | undefined {
  if (node === undefined || node.idBlock.tagClass !== CONTEXT || node.idBlock.tagNumber !== tag)
    return undefined;
  const inner = (node as asn1js.Constructed).valueBlock?.value;
  if (!node.idBlock.isConstructed || !Array.isArray(inner) || inner.length !== 1)
    throw new KeyFormatError(`${what}: malformed [${tag}] field`);
  return inner[0] as asn1js.AsnType;
}

// ---- writers -------------------------------------------------------------------------------------

export function encode(node: asn1js.AsnType): Uint8Array {
  return new Uint8Array(node.toBER());
}

export function derSequence(...items: asn1js.AsnType[]): asn1js.Sequence {
  return new asn1js.Sequence({ value: items });
}

export function derInteger(value: bigint | number): asn1js.Integer {
  return asn1js.Integer.fromBigInt(BigInt(value));
}

export function derOid(oid: string): asn1js.ObjectIdentifier {
  return new asn1js.ObjectIdentifier({ value: oid });
}

export function derNull(): asn1js.Null {
  return new asn1js.Null();
}

export function derOctetString(bytes: Uint8Array): asn1js.OctetString {
  return new asn1js.OctetString({ valueHex: bytes });
}

export function derBitString(bytes: Uint8Array): asn1js.BitString {
  return new asn1js.BitString({ valueHex: bytes, unusedBits: 0 });
}

export function derExplicit(tag: number, inner: asn1js.AsnType): asn1js.Constructed {
  return new asn1js.Constructed({ idBlock: { tagClass: CONTEXT, tagNumber: tag }, value: [inner] });
}
