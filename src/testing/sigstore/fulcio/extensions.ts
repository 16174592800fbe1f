/**
 * Fulcio's certificate extensions as Fulcio renders them (fulcio `pkg/certificate/extensions.go`
 * `Extensions.Render`): `.1.1` the issuer as **raw** UTF-8, `.1.2`–`.1.6` (the deprecated GitHub
 * fields) raw when set, `.1.8` the issuer again as a DER UTF8String, then `.1.9`–`.1.24` as DER
 * UTF8Strings when set, always in this order; and the subject alternative names Fulcio's
 * principals write (`pkg/identity/*\/principal.go`): a URI, an email address, or an otherName
 * (`.1.7`, UTF8String) for usernames, always critical since the subject is empty (Go marks the SAN
 * critical then; `cryptoutils.MarshalOtherNameSAN(…, true)`).
 *
 * The table is Fulcio's own, written here from its source rather than imported from ocisign's
 * reader (`verify/keyless/fulcio-extensions.ts`), so that the double checks the reader instead of
 * sharing its mistakes.
 *
 * Deliberately not here: which claim feeds which extension (`principal.ts`).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { utf8 } from '../../../internal/bytes.js';
import { extensionOf, X509_OIDS } from '../x509.js';

/** The arc of Fulcio's extensions. */
const ARC = '1.3.6.1.4.1.57264.1';

/**
 * The fields of Fulcio's `certificate.Extensions`, in its struct (and `Render`) order, each with
 * its OID number and whether it is written raw (`.1.1`–`.1.6`) or as a DER UTF8String.
 */
export const FULCIO_EXTENSION_FIELDS = [
  ['Issuer', 1],
  ['GithubWorkflowTrigger', 2],
  ['GithubWorkflowSHA', 3],
  ['GithubWorkflowName', 4],
  ['GithubWorkflowRepository', 5],
  ['GithubWorkflowRef', 6],
  ['IssuerV2', 8],
  ['BuildSignerURI', 9],
  ['BuildSignerDigest', 10],
  ['RunnerEnvironment', 11],
  ['SourceRepositoryURI', 12],
  ['SourceRepositoryDigest', 13],
  ['SourceRepositoryRef', 14],
  ['SourceRepositoryIdentifier', 15],
  ['SourceRepositoryOwnerURI', 16],
  ['SourceRepositoryOwnerIdentifier', 17],
  ['BuildConfigURI', 18],
  ['BuildConfigDigest', 19],
  ['BuildTrigger', 20],
  ['RunInvocationURI', 21],
  ['SourceRepositoryVisibilityAtSigning', 22],
  ['DeploymentEnvironment', 23],
  ['Subject', 24],
] as const;

/** A field of Fulcio's `certificate.Extensions` (`IssuerV2` is the same `Issuer`, written again as `.1.8`). */
export type FulcioExtensionField = Exclude<(typeof FULCIO_EXTENSION_FIELDS)[number][0], 'IssuerV2'>;

/** The values of a certificate's Fulcio extensions; an empty or absent field is not written. */
export type FulcioExtensionValues = Readonly<Partial<Record<FulcioExtensionField, string>>> & {
  readonly Issuer: string;
};

/** The otherName type Fulcio writes usernames as. */
const OTHER_NAME_OID = `${ARC}.7`;

/** Why Fulcio refuses to render: the same words as its `Render`. */
export class RenderError extends Error {}

/**
 * The extensions for `values`, in Fulcio's order. Throws {@link RenderError} when the issuer is
 * empty ("extensions must have a non-empty issuer url"), as `Render` does.
 */
export function renderExtensions(values: FulcioExtensionValues): pkijs.Extension[] {
  if (values.Issuer === '') throw new RenderError('extensions must have a non-empty issuer url');
  const out: pkijs.Extension[] = [];
  for (const [field, n] of FULCIO_EXTENSION_FIELDS) {
    const value = field === 'IssuerV2' ? values.Issuer : values[field];
    if (value === undefined || value === '') continue;
    const content = n <= 6 ? utf8(value) : new asn1js.Utf8String({ value });
    out.push(extensionOf(`${ARC}.${n}`, content));
  }
  return out;
}

/** One subject alternative name of a Fulcio leaf. */
export type FulcioSubjectAltName =
  | { readonly type: 'uri'; readonly value: string }
  | { readonly type: 'email'; readonly value: string }
  | { readonly type: 'otherName'; readonly value: string };

function generalName(name: FulcioSubjectAltName): asn1js.AsnType {
  if (name.type !== 'otherName')
    return new pkijs.GeneralName({
      type: name.type === 'uri' ? 6 : 1,
      value: name.value,
    }).toSchema() as asn1js.AsnType;
  // otherName ::= [0] IMPLICIT SEQUENCE { type-id OID, value [0] EXPLICIT UTF8String } (pkijs's
  // GeneralName cannot build one: it wraps a single value).
  return new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: 0 },
    value: [
      new asn1js.ObjectIdentifier({ value: OTHER_NAME_OID }),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [new asn1js.Utf8String({ value: name.value })],
      }),
    ],
  });
}

/** The subject alternative name extension (critical) holding `names`. */
export function subjectAltNameExtension(names: readonly FulcioSubjectAltName[]): pkijs.Extension {
  return extensionOf(X509_OIDS.subjectAltName, new asn1js.Sequence({ value: names.map(generalName) }), true);
}
