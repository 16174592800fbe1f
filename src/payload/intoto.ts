/**
 * in-toto statements as cosign writes them: v0.1 attestation statements (in both field orders cosign
 * has used), the v1 statement `cosign sign --new-bundle-format` signs for images, cosign's
 * `--type` → predicate URI table, and a parser. Signed statements are verified as stored bytes;
 * these encoders exist to produce new ones.
 */

import { InvalidArgumentError } from '../errors/base.js';
import { ClaimMismatchError, PayloadFormatError } from '../errors/payload.js';
import { utf8 } from '../internal/bytes.js';
import { checkDigest } from '../internal/reference.js';
import { encodeGoJson, goStruct } from './go-json.js';
import {
  type ProtoType,
  pBytes,
  pField,
  pList,
  pMap,
  pMessage,
  pString,
  pStruct,
  readProtoJson,
} from './protojson.js';

/** The `_type` of in-toto statements v0.1 (what cosign 2 writes for attestations). */
export const STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';
/** The `_type` of in-toto statements v1. */
export const STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
/** The predicate type of the statement cosign 3 signs for `cosign sign`. */
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';

/** cosign's `--type` shorthands and the predicate type URI each stands for. */
export const PREDICATE_TYPES: Readonly<Record<string, string>> = {
  custom: 'https://cosign.sigstore.dev/attestation/v1',
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  link: 'https://in-toto.io/Link/v1',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
};

/** `custom` → its URI; an absolute URI is itself; anything else is refused, as cosign refuses it. */
export function predicateTypeFor(typeOrUri: string): string {
  const mapped = PREDICATE_TYPES[typeOrUri];
  if (mapped !== undefined) return mapped;
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/.test(typeOrUri)) return typeOrUri;
  throw new InvalidArgumentError(
    `Unknown predicate type "${typeOrUri}": use one of ${Object.keys(PREDICATE_TYPES).join(', ')} or an absolute URI`,
  );
}

/** The `custom` predicate: `{"Data": <file as string>, "Timestamp": <RFC 3339 UTC>}`. */
export function customPredicate(
  data: string,
  timestamp: Date = new Date(),
): { Data: string; Timestamp: string } {
  return { Data: data, Timestamp: `${timestamp.toISOString().slice(0, 19)}Z` };
}

/**
 * What an in-toto statement is made from: the subject digest and name, the predicate type and the
 * predicate.
 */
export interface StatementInput {
  /** `registry/repository` of the image (cosign's subject name). */
  readonly subjectName: string;
  /** `sha256:<hex>` of the image manifest. */
  readonly digest: string;
  readonly predicateType: string;
  readonly predicate: unknown;
}

function subjectDigest(digest: string): Record<string, string> {
  checkDigest(digest);
  const [algorithm, hex] = digest.split(':') as [string, string];
  return { [algorithm]: hex };
}

/**
 * An in-toto v0.1 statement for `cosign attest`. `form`: `protojson` (cosign ≥ 3.0.6: `_type,
 * subject, predicateType, predicate`, no HTML escaping) or `in-toto-golang` (cosign ≤ 3.0.5:
 * `_type, predicateType, subject, predicate`, HTML-escaped).
 */
export function encodeAttestationStatement(
  input: StatementInput,
  form: 'protojson' | 'in-toto-golang' = 'protojson',
): Uint8Array {
  const subject = [
    goStruct([
      ['name', input.subjectName],
      ['digest', subjectDigest(input.digest)],
    ]),
  ];
  const predicate = input.predicate ?? {};
  if (form === 'in-toto-golang') {
    return utf8(
      encodeGoJson(
        goStruct([
          ['_type', STATEMENT_V01],
          ['predicateType', input.predicateType],
          ['subject', subject],
          ['predicate', predicate],
        ]),
      ),
    );
  }
  return utf8(
    encodeGoJson(
      goStruct([
        ['_type', STATEMENT_V01],
        ['subject', subject],
        ['predicateType', input.predicateType],
        ['predicate', predicate],
      ]),
      {
        escapeHtml: false,
      },
    ),
  );
}

/**
 * The v1 statement `cosign sign --new-bundle-format` signs for an image. `form` picks the cosign
 * version's shape: `v3.0.5` (current: annotations and an empty predicate), `v3.0.3` (annotations,
 * no predicate), `v2.6` (neither).
 */
export function encodeCosignSignStatement(
  digest: string,
  annotations: Readonly<Record<string, string>> | null = null,
  form: 'v3.0.5' | 'v3.0.3' | 'v2.6' = 'v3.0.5',
): Uint8Array {
  const subject = goStruct([
    ['digest', subjectDigest(digest)],
    ['annotations', form === 'v2.6' ? undefined : (annotations ?? {})],
  ]);
  return utf8(
    encodeGoJson(
      goStruct([
        ['_type', STATEMENT_V1],
        ['subject', [subject]],
        ['predicateType', COSIGN_SIGN_PREDICATE_TYPE],
        ['predicate', form === 'v3.0.5' ? {} : undefined],
      ]),
      { escapeHtml: false },
    ),
  );
}

/** A parsed in-toto statement. */
export interface Statement {
  readonly _type: string;
  readonly subject: ReadonlyArray<{
    readonly name?: string;
    readonly digest: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, unknown>>;
  }>;
  readonly predicateType: string;
  readonly predicate?: unknown;
}

const resourceDescriptor = pMessage('ResourceDescriptor', {
  name: pField(pString),
  uri: pField(pString),
  digest: pField(pMap(pString)),
  content: pField(pBytes),
  downloadLocation: pField(pString),
  mediaType: pField(pString),
  annotations: pField(pStruct),
});

/** in-toto's `Statement` message, with cosign's legacy string predicate as an alternative. */
function statementShape(legacy: boolean) {
  const predicate: ProtoType<unknown> = legacy
    ? {
        expected: 'an object or a string',
        read: (value, path, facts) => (typeof value === 'string' ? value : pStruct.read(value, path, facts)),
      }
    : pStruct;
  return pMessage('Statement', {
    _type: pField(pString, { proto: 'type' }),
    subject: pField(pList(resourceDescriptor)),
    predicateType: pField(pString),
    predicate: pField(predicate),
  });
}
const STATEMENT = /* @__PURE__ */ statementShape(false);
const LEGACY_STATEMENT = /* @__PURE__ */ statementShape(true);

/**
 * Parses a statement (v0.1 or v1) as sigstore-go does (protojson into in-toto's `Statement`: every
 * member of the right type, none unknown, `predicate` an object), then checks what verifiers rely
 * on: a known `_type`, a non-empty `predicateType`, at least one subject, each with a digest map of
 * strings. `legacyStringPredicate` also accepts a string `predicate`, as cosign does for `.att`
 * layers. Throws PayloadFormatError.
 */
export function parseStatement(
  bytes: Uint8Array,
  options: { readonly legacyStringPredicate?: boolean } = {},
): Statement {
  const d = readProtoJson(
    bytes,
    options.legacyStringPredicate === true ? LEGACY_STATEMENT : STATEMENT,
    'in-toto statement',
    (message, cause) => new PayloadFormatError(message, { cause }),
  );
  if (d._type !== STATEMENT_V01 && d._type !== STATEMENT_V1)
    throw new PayloadFormatError(`Unknown in-toto statement type ${JSON.stringify(d._type ?? '')}`);
  if (d.predicateType === undefined || d.predicateType === '')
    throw new PayloadFormatError('in-toto statement: predicateType must be a non-empty string');
  const subject = d.subject ?? [];
  if (subject.length === 0)
    throw new PayloadFormatError('in-toto statement: subject must be a non-empty list');
  return {
    _type: d._type,
    subject: subject.map((s, i) => {
      if (s.digest === undefined)
        throw new PayloadFormatError(`in-toto statement: subject[${i}] needs a digest map of strings`);
      return {
        digest: s.digest,
        ...(s.name === undefined ? {} : { name: s.name }),
        ...(s.annotations === undefined ? {} : { annotations: s.annotations }),
      };
    }),
    predicateType: d.predicateType,
    ...(d.predicate === undefined ? {} : { predicate: d.predicate }),
  };
}

/** Does some subject name this digest (`sha256:<hex>`)? cosign's `IntotoSubjectClaimVerifier` check. */
export function statementCoversDigest(statement: Statement, digest: string): boolean {
  return subjectNaming(statement, digest) !== undefined;
}

function subjectNaming(statement: Statement, digest: string): Statement['subject'][number] | undefined {
  // As `digest.split(':')` gives its first two parts, without the array.
  const colon = digest.indexOf(':');
  const algorithm = colon === -1 ? digest : digest.slice(0, colon);
  const next = colon === -1 ? -1 : digest.indexOf(':', colon + 1);
  const hex = colon === -1 ? undefined : digest.slice(colon + 1, next === -1 ? undefined : next);
  return statement.subject.find((s) => s.digest[algorithm] === hex);
}

/**
 * The subject that names this digest (its annotations are what the signer signed about it); throws
 * ClaimMismatchError (claim `digest`) when none does.
 */
export function statementSubjectFor(statement: Statement, digest: string): Statement['subject'][number] {
  const subject = subjectNaming(statement, digest);
  if (subject === undefined)
    throw new ClaimMismatchError(`the statement's subject is not ${digest}`, { claim: 'digest' });
  return subject;
}
