/**
 * What cosign adds to a keyless classic signature's printed payload (cosign v3.1.2
 * `cmd/cosign/cli/verify/common.go` `PrintVerification`, JSON output): the certificate's first
 * subject alternative name as `optional.Subject`, the issuer (extension `.1.1`) as `Issuer` and
 * under its OID, and each GitHub workflow extension (`.1.2`–`.1.6`) under its cosign name and its
 * OID, so that `jq '.[0].optional.Subject'` reads the same from both tools. Not added: cosign's
 * `Bundle` and `RFC3161Timestamp` members (the verifier does not hand back the raw annotations).
 */
import type { CertificateSummary, FulcioExtensionName, SubjectAltNameType } from '../verify/index.js';
import { FULCIO_EXTENSION_OIDS } from '../verify/keyless/fulcio-extensions.js';

/** cosign's `GetSubjectAlternateNames` order: DNS names, emails, IPs, URIs, then the otherName. */
const SAN_ORDER: readonly SubjectAltNameType[] = ['dns', 'email', 'ip', 'uri', 'otherName'];

/** The extensions cosign prints, under their names in cosign's `CertExtensionMap`. */
const PRINTED: readonly FulcioExtensionName[] = [
  'githubWorkflowTrigger',
  'githubWorkflowSha',
  'githubWorkflowName',
  'githubWorkflowRepository',
  'githubWorkflowRef',
];

/**
 * The payload with cosign's certificate members merged into its `optional` object (made when
 * absent). A payload that is not a JSON object is returned as it is.
 */
export function withCertificateFields(payload: unknown, certificate: CertificateSummary): unknown {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return payload;
  const record = payload as Record<string, unknown>;
  const optional = record.optional;
  const fields: Record<string, unknown> =
    typeof optional === 'object' && optional !== null && !Array.isArray(optional) ? { ...optional } : {};
  const first = SAN_ORDER.flatMap((type) => certificate.subjectAltNames.filter((n) => n.type === type))[0];
  fields.Subject = first?.value ?? '';
  const issuer = certificate.extensions.issuerV1;
  if (issuer !== undefined && issuer !== '') {
    fields.Issuer = issuer;
    fields[FULCIO_EXTENSION_OIDS.issuerV1] = issuer;
  }
  for (const name of PRINTED) {
    const value = certificate.extensions[name];
    if (value === undefined || value === '') continue;
    fields[name] = value;
    fields[FULCIO_EXTENSION_OIDS[name]] = value;
  }
  return { ...record, optional: fields };
}
