/**
 * The X.509 extensions Fulcio writes under 1.3.6.1.4.1.57264.1 (fulcio `docs/oid-info.md`), their
 * names, and how each is decoded: `.1.1`–`.1.6` are raw UTF-8 bytes (no DER, as cosign's
 * `CertExtensions` and sigstore-go's `ParseExtensions` read them), `.1.8`–`.1.24` a DER UTF8String
 * with nothing after it (sigstore-go's `ParseDERString`).
 *
 * Deliberately not here: which extension a verifier compares with what (`identity-match.ts`), or
 * anything about `.1.7`, which is not an extension but the otherName type of a subject alternative
 * name (`subject-alt-names.ts`). OIDs under the arc that Fulcio does not define are left unread.
 */
import * as asn1js from 'asn1js';
import { CertificateError } from '../../errors/verify.js';

/** The arc of every Fulcio extension. */
export const FULCIO_OID_ARC = '1.3.6.1.4.1.57264.1';

/**
 * Every Fulcio extension by its last OID number (under 1.3.6.1.4.1.57264.1), named as sigstore-go's `Extensions` fields in
 * camelCase (`issuerV1`/`issuerV2` for the two issuer extensions sigstore-go folds into one `Issuer`).
 */
export const FULCIO_EXTENSIONS = [
  [1, 'issuerV1'],
  [2, 'githubWorkflowTrigger'],
  [3, 'githubWorkflowSha'],
  [4, 'githubWorkflowName'],
  [5, 'githubWorkflowRepository'],
  [6, 'githubWorkflowRef'],
  [8, 'issuerV2'],
  [9, 'buildSignerUri'],
  [10, 'buildSignerDigest'],
  [11, 'runnerEnvironment'],
  [12, 'sourceRepositoryUri'],
  [13, 'sourceRepositoryDigest'],
  [14, 'sourceRepositoryRef'],
  [15, 'sourceRepositoryIdentifier'],
  [16, 'sourceRepositoryOwnerUri'],
  [17, 'sourceRepositoryOwnerIdentifier'],
  [18, 'buildConfigUri'],
  [19, 'buildConfigDigest'],
  [20, 'buildTrigger'],
  [21, 'runInvocationUri'],
  [22, 'sourceRepositoryVisibilityAtSigning'],
  [23, 'deploymentEnvironment'],
  [24, 'tokenSubject'],
] as const;

/** The names of the Fulcio extensions, in OID order (`issuerV1` is `.1.1`, `tokenSubject` `.1.24`). */
export const FULCIO_EXTENSION_NAMES = FULCIO_EXTENSIONS.map(([, name]) => name);

/** One of {@link FULCIO_EXTENSION_NAMES}. */
export type FulcioExtensionName = (typeof FULCIO_EXTENSIONS)[number][1];

/** Each extension's full OID, by name. */
export const FULCIO_EXTENSION_OIDS: Readonly<Record<FulcioExtensionName, string>> = Object.fromEntries(
  FULCIO_EXTENSIONS.map(([n, name]) => [name, `${FULCIO_OID_ARC}.${n}`]),
) as Record<FulcioExtensionName, string>;

const BY_OID: ReadonlyMap<string, { readonly name: FulcioExtensionName; readonly raw: boolean }> = new Map(
  FULCIO_EXTENSIONS.map(([n, name]) => [`${FULCIO_OID_ARC}.${n}`, { name, raw: n <= 6 }]),
);

/** One Fulcio extension of a certificate, decoded. */
export interface FulcioExtension {
  /** Its OID, e.g. `1.3.6.1.4.1.57264.1.8`. */
  readonly oid: string;
  /** Its name, e.g. `issuerV2`. */
  readonly name: FulcioExtensionName;
  /** The text: the raw bytes as UTF-8 (`.1.1`–`.1.6`), or the DER UTF8String's (`.1.8` on). */
  readonly value: string;
  /**
   * False only for a raw value (`.1.1`–`.1.6`) that is not valid UTF-8: `value` then shows U+FFFD
   * where bytes were invalid, and no expected string can equal it (Go compares the bytes).
   */
  readonly wellFormed: boolean;
}

const strictUtf8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** UTF-8 text, or undefined when the bytes are not valid UTF-8. */
export function strictUtf8Text(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The text of one DER UTF8String spanning all of `bytes`, or undefined when it is not one: another
 * type or tag class, the constructed form, an indefinite or needlessly long length, trailing bytes,
 * invalid UTF-8 (Go's `encoding/asn1` refuses each of these).
 */
export function derUtf8String(bytes: Uint8Array): string | undefined {
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(bytes, { maxDepth: 2, maxNodes: 4 });
  } catch {
    return undefined;
  }
  return parsed.offset === bytes.length ? utf8StringNode(parsed.result) : undefined;
}

/** The text of an already parsed node when it is a primitive, DER-length UTF8String. */
export function utf8StringNode(node: asn1js.AsnType): string | undefined {
  if (!(node instanceof asn1js.Utf8String)) return undefined;
  const { idBlock, lenBlock } = node;
  if (idBlock.tagClass !== 1 || idBlock.tagNumber !== 12 || idBlock.isConstructed) return undefined;
  if (lenBlock.isIndefiniteForm || lenBlock.warnings.length > 0) return undefined;
  return strictUtf8Text(node.valueBlock.valueHexView);
}

/**
 * Decodes one extension when its OID is a Fulcio extension's; undefined for any other OID. Throws
 * {@link CertificateError} naming the OID when a `.1.8`+ value is not a DER UTF8String.
 */
export function decodeFulcioExtension(oid: string, value: Uint8Array): FulcioExtension | undefined {
  const known = BY_OID.get(oid);
  if (known === undefined) return undefined;
  if (known.raw) {
    const text = strictUtf8Text(value);
    return {
      oid,
      name: known.name,
      value: text ?? lenientUtf8.decode(value),
      wellFormed: text !== undefined,
    };
  }
  const text = derUtf8String(value);
  if (text === undefined)
    throw new CertificateError(`the Fulcio extension ${known.name} (${oid}) is not a DER UTF8String`, {
      oid,
    });
  return { oid, name: known.name, value: text, wellFormed: true };
}
