/**
 * The `ocisign policy test --fixtures` file: recorded evidence per normalized image, read into
 * what `fixtureBackend` takes. Key signatures name public key files; keyless signatures (and
 * keyless attestations) record what their certificate and evidence would show, naming the root
 * CA, the Rekor and CT log keys and the TSA by PEM file — or `"public-good"` — relative to the
 * fixtures file. Everything is checked where it enters: a member of the wrong type, a member a
 * keyless record does not have (a misspelt `subjectAltNames` must not silently mean "none"), an
 * extension key that names no Fulcio extension, or a file that cannot be read or holds no PEM is
 * a `PolicyValidationError` naming the member.
 *
 * Deliberately not here: what the evidence means (`fixture-backend.ts`, `fixture-keyless.ts`).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PolicyValidationError } from '../errors/index.js';
import {
  array,
  boolean,
  fail,
  type Infer,
  isJsonObject,
  object,
  oneOf,
  optional,
  readShape,
  record,
  type Shape,
  string,
  unknownValue,
} from '../internal/shape.js';
import { decodeFirstPemBlock } from '../keys/pem.js';
import { recordedExtensionName } from '../policy/common/fixture-keyless.js';
import { type ImageEvidence, type KeylessSignatureEvidence, PUBLIC_GOOD } from '../policy/index.js';

/** A JSON pointer segment (RFC 6901), as the shapes write paths. */
const pointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/** `inner`, refusing members it does not declare: in a record of evidence, a typo is not "absent". */
function closed<T>(inner: Shape<T>, members: readonly string[]): Shape<T> {
  return {
    expected: inner.expected,
    check(value, path) {
      if (isJsonObject(value))
        for (const key of Object.keys(value))
          if (!members.includes(key))
            fail(`${path}/${pointer(key)}`, `left out: the members here are ${members.join(', ')}`);
      return inner.check(value, path);
    },
  };
}

/** Fulcio extension values by Kyverno's name, OID or ocisign's name; any other key is refused. */
const extensionValues: Shape<Record<string, string>> = {
  expected: 'an object of Fulcio extension values',
  check(value, path) {
    const checked = record(string).check(value, path);
    for (const key of Object.keys(checked))
      if (recordedExtensionName(key) === undefined)
        fail(
          `${path}/${pointer(key)}`,
          'left out: the keys here name Fulcio extensions (oidcIssuer, githubWorkflowRef, an OID 1.3.6.1.4.1.57264.1.N, sourceRepositoryRef, …)',
        );
    return checked;
  },
};

const KEYLESS_MEMBERS = [
  'chainsTo',
  'subjectAltNames',
  'san',
  'issuerExt',
  'extensions',
  'tlog',
  'sct',
  'timestamp',
  'validNow',
] as const;

/** One keyless signature as the file records it (PEM members are file names, or `public-good`). */
const keylessRecord = closed(
  object(
    {
      chainsTo: string,
      subjectAltNames: optional(array(string)),
      san: optional(string),
      issuerExt: optional(string),
      extensions: optional(extensionValues),
      tlog: optional(oneOf(boolean, string)),
      sct: optional(oneOf(boolean, string)),
      timestamp: optional(string),
      validNow: optional(boolean),
    },
    'a keyless signature record {"chainsTo": …}',
  ),
  KEYLESS_MEMBERS,
);

const attestationRecord = object(
  { type: string, signedBy: optional(string), keyless: optional(keylessRecord), predicate: unknownValue },
  'an attestation record {"type": …, "signedBy" or "keyless": …, "predicate": …}',
);

const fixturesFile = object(
  {
    images: record(
      object({
        digest: string,
        signatures: optional(array(string)),
        tlog: optional(boolean),
        keyless: optional(array(keylessRecord)),
        attestations: optional(array(attestationRecord)),
      }),
    ),
  },
  'an object {"images": {"<image>": {"digest": …}}}',
);
type FixturesFile = Infer<typeof fixturesFile>;
type KeylessRecord = Infer<typeof keylessRecord>;

/** Reads the fixtures file at `path` (see the module comment); PEM files are read relative to it. */
export function readFixturesFile(path: string): Record<string, ImageEvidence> {
  const what = `(fixtures ${path})`;
  const invalid = (problem: string) => new PolicyValidationError(what, [problem]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw invalid(`the file is not JSON: ${error.message}`);
  }
  const raw: FixturesFile = readShape(parsed, fixturesFile, 'the fixtures', (m) => invalid(m));
  const base = dirname(path);
  /** The PEM text of the file `member` names. */
  const pem = (file: string, member: string): string => {
    let text: string;
    try {
      text = readFileSync(resolve(base, file), 'utf8');
    } catch (error) {
      throw invalid(`${member}: cannot read ${file}: ${(error as Error).message}`);
    }
    if (decodeFirstPemBlock(text) === undefined) throw invalid(`${member}: ${file} holds no PEM block`);
    return text;
  };
  const pemOrPublicGood = (value: string, member: string) =>
    value === PUBLIC_GOOD ? PUBLIC_GOOD : pem(value, member);
  const logEvidence = (value: boolean | string | undefined, member: string) =>
    typeof value === 'string' ? pem(value, member) : value;
  const keyless = (r: KeylessRecord, at: string): KeylessSignatureEvidence => {
    const tlog = logEvidence(r.tlog, `${at}/tlog`);
    const sct = logEvidence(r.sct, `${at}/sct`);
    return {
      chainsTo: pemOrPublicGood(r.chainsTo, `${at}/chainsTo`),
      ...(r.subjectAltNames === undefined ? {} : { subjectAltNames: r.subjectAltNames }),
      ...(r.san === undefined ? {} : { san: r.san }),
      ...(r.issuerExt === undefined ? {} : { issuerExt: r.issuerExt }),
      ...(r.extensions === undefined ? {} : { extensions: r.extensions }),
      ...(tlog === undefined ? {} : { tlog }),
      ...(sct === undefined ? {} : { sct }),
      ...(r.timestamp === undefined ? {} : { timestamp: pemOrPublicGood(r.timestamp, `${at}/timestamp`) }),
      ...(r.validNow === undefined ? {} : { validNow: r.validNow }),
    };
  };
  const out: Record<string, ImageEvidence> = Object.create(null);
  for (const [image, evidence] of Object.entries(raw.images)) {
    const at = `/images/${pointer(image)}`;
    const attestations = (evidence.attestations ?? []).map((a, i) => {
      const where = `${at}/attestations/${i}`;
      if ((a.signedBy === undefined) === (a.keyless === undefined))
        throw invalid(`${where} must name its signer: "signedBy" (a key file) or "keyless", one of them`);
      return {
        type: a.type,
        predicate: a.predicate,
        ...(a.signedBy === undefined ? {} : { signedBy: pem(a.signedBy, `${where}/signedBy`) }),
        ...(a.keyless === undefined ? {} : { keyless: keyless(a.keyless, `${where}/keyless`) }),
      };
    });
    out[image] = {
      digest: evidence.digest,
      ...(evidence.tlog === undefined ? {} : { tlog: evidence.tlog }),
      ...(evidence.signatures === undefined
        ? {}
        : { signatures: evidence.signatures.map((f, i) => pem(f, `${at}/signatures/${i}`)) }),
      ...(evidence.keyless === undefined
        ? {}
        : { keyless: evidence.keyless.map((r, i) => keyless(r, `${at}/keyless/${i}`)) }),
      ...(evidence.attestations === undefined ? {} : { attestations }),
    };
  }
  return out;
}
