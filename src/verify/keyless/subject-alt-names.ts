/**
 * The subject alternative names of a certificate as Go reads them, which decides what cosign and
 * sigstore-go compare identities with. pkijs enumerates the GeneralNames; the rules on top are Go's:
 * email, DNS and URI names must be ASCII (`x509: SAN … is malformed`), an IP address has 4 or 16
 * bytes and is written as `net.IP.String()` writes it, and an otherName counts only as sigstore's
 * `cryptoutils.UnmarshalOtherNameSAN` reads it: the only otherName of the certificate, of type
 * 1.3.6.1.4.1.57264.1.7 (Fulcio's username identity), holding a UTF8String.
 *
 * Deliberately not here: which names a verifier compares (`identity-match.ts`). Not Go-exact in one
 * place: a URI is kept as written, where Go re-serialises its parsed `url.URL` (the same text for
 * every URI Fulcio writes, which it also builds with `url.Parse`).
 */
import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { CertificateError } from '../../errors/verify.js';
import { FULCIO_OID_ARC, utf8StringNode } from './fulcio-extensions.js';

/** The OID of the subject alternative name extension. */
export const SUBJECT_ALT_NAME_OID = '2.5.29.17';

/** The otherName type Fulcio writes username identities with. */
export const FULCIO_OTHER_NAME_OID = `${FULCIO_OID_ARC}.7`;

/** The kinds of subject alternative name a Fulcio certificate can carry. */
export type SubjectAltNameType = 'email' | 'uri' | 'dns' | 'ip' | 'otherName';

/** One subject alternative name. */
export interface SubjectAltName {
  /** `email` (rfc822Name), `uri`, `dns`, `ip` (iPAddress) or `otherName` (Fulcio's username). */
  readonly type: SubjectAltNameType;
  /** The name as cosign prints and compares it (an IP address as Go's `net.IP.String()`). */
  readonly value: string;
}

const GENERAL_NAME_TYPE: Readonly<Record<number, SubjectAltNameType>> = {
  0: 'otherName',
  1: 'email',
  2: 'dns',
  6: 'uri',
  7: 'ip',
};

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** An IP address as Go's `net.IP.String()` writes it: dotted IPv4 (also when IPv4-mapped), RFC 5952 IPv6. */
export function formatIp(bytes: Uint8Array): string {
  const mapped =
    bytes.length === 16 &&
    bytes.subarray(0, 10).every((b) => b === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff;
  if (bytes.length === 4 || mapped) return [...bytes.subarray(bytes.length - 4)].join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  // The longest run of two or more zero groups (the first of equal runs) becomes "::".
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

/** The text of a Fulcio otherName (`[0] { type-id, [0] EXPLICIT UTF8String }`), or undefined. */
function otherNameValue(value: unknown): { oid: string; text: string | undefined } | undefined {
  const parts = (value as asn1js.Constructed | undefined)?.valueBlock?.value;
  if (!Array.isArray(parts) || parts.length !== 2) return undefined;
  const [typeId, wrapper] = parts as [asn1js.AsnType, asn1js.AsnType];
  if (!(typeId instanceof asn1js.ObjectIdentifier)) return undefined;
  const inner = (wrapper as asn1js.Constructed).valueBlock?.value;
  const text =
    Array.isArray(inner) && inner.length === 1 ? utf8StringNode(inner[0] as asn1js.AsnType) : undefined;
  return { oid: typeId.valueBlock.toString(), text };
}

/**
 * The names of a subject alternative name extension (as pkijs parsed it), in certificate order.
 * Throws {@link CertificateError} where Go's `x509.ParseCertificate` refuses the extension.
 */
export function readSubjectAltNames(parsed: pkijs.AltName): SubjectAltName[] {
  const names: SubjectAltName[] = [];
  const otherNames: ({ oid: string; text: string | undefined } | undefined)[] = [];
  let otherNameAt = -1;
  for (const name of parsed.altNames ?? []) {
    const type = GENERAL_NAME_TYPE[name.type];
    if (type === undefined) continue; // x400Address, directoryName, …: Go skips them too.
    if (type === 'otherName') {
      if (otherNames.length === 0) otherNameAt = names.length;
      otherNames.push(otherNameValue(name.value));
    } else if (type === 'ip') {
      const bytes = (name.value as asn1js.OctetString).valueBlock.valueHexView;
      if (bytes.length !== 4 && bytes.length !== 16)
        throw new CertificateError(
          `the subject alternative name has an IP address of ${bytes.length} bytes`,
          {
            oid: SUBJECT_ALT_NAME_OID,
          },
        );
      names.push({ type, value: formatIp(bytes) });
    } else {
      const value = name.value as string;
      if (typeof value !== 'string' || !isAscii(value))
        throw new CertificateError(`the subject alternative name has a ${type} name that is not ASCII`, {
          oid: SUBJECT_ALT_NAME_OID,
        });
      names.push({ type, value });
    }
  }
  // UnmarshalOtherNameSAN: exactly one otherName, of Fulcio's type, else none counts.
  const only = otherNames.length === 1 ? otherNames[0] : undefined;
  if (only?.oid === FULCIO_OTHER_NAME_OID && only.text !== undefined)
    names.splice(otherNameAt, 0, { type: 'otherName', value: only.text });
  return names;
}
