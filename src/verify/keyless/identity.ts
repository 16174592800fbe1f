/**
 * Certificate identities as callers give them (cosign's `--certificate-identity[-regexp]`,
 * `--certificate-oidc-issuer[-regexp]`, `--certificate-github-workflow-*`, and any Fulcio
 * extension), validated and compiled once, before any certificate is looked at. Regexps are Go RE2
 * through re2js, never JavaScript's `RegExp` (which reads `(?i:…)`, `\d`, `$` and more differently),
 * and they are **unanchored**: `test` is Go's `MatchString`, true when the pattern matches anywhere.
 * A regexp that is not written `^…$` draws a warning, because `…@refs/tags/v1.0` also matches
 * `…@refs/tags/v1.0.1`.
 *
 * Deliberately not here: what an identity means for each signature format (`identity-match.ts`).
 * This module accepts an exact value and a regexp for the same field together: each format gives
 * that its own meaning (cosign's classic path uses the regexp, sigstore-go requires both); only the
 * cosign CLI refuses `--certificate-identity` with `--certificate-identity-regexp`, and that is the
 * CLI's to refuse.
 */
import { RE2JS } from 're2js';
import { InvalidArgumentError } from '../../errors/base.js';
import {
  fail,
  isJsonObject,
  nonEmptyString,
  object,
  optional,
  readShape,
  type Shape,
} from '../../internal/shape.js';
import { FULCIO_EXTENSION_NAMES, type FulcioExtensionName } from './fulcio-extensions.js';

/** The GitHub Actions workflow fields cosign's `--certificate-github-workflow-*` flags compare. */
export interface GithubWorkflowIdentity {
  /** The event that triggered the workflow (`push`), extension 1.3.6.1.4.1.57264.1.2. */
  readonly trigger?: string;
  /** The commit SHA the workflow ran on, extension `.1.3`. */
  readonly sha?: string;
  /** The workflow's name (`Release`), extension `.1.4`. */
  readonly name?: string;
  /** The repository, `owner/repo`, extension `.1.5`. */
  readonly repository?: string;
  /** The git ref (`refs/tags/v1.0.0`), extension `.1.6`. */
  readonly ref?: string;
}

/**
 * One identity a keyless signature's certificate may have. Every field given must hold; a field
 * left out is not checked. Exact values compare as strings, without any normalisation; regexps are
 * Go RE2 and unanchored (write `^…$` and escape dots). What one entry means differs per signature
 * format exactly as cosign's flags do (docs/verifying.md); several entries mean any of them.
 */
export interface CertificateIdentity {
  /** The OIDC issuer, exactly (`https://token.actions.githubusercontent.com`). */
  readonly issuer?: string;
  /** The OIDC issuer as a Go RE2 regexp, unanchored. */
  readonly issuerRegExp?: string;
  /** A subject alternative name (the workflow URI, the email, the username), exactly. */
  readonly subject?: string;
  /** A subject alternative name as a Go RE2 regexp, unanchored. */
  readonly subjectRegExp?: string;
  /** GitHub Actions workflow fields (the deprecated extensions `.1.2`–`.1.6`), exactly. */
  readonly github?: GithubWorkflowIdentity;
  /** Any Fulcio extensions, by name (`sourceRepositoryRef`, `runnerEnvironment`, …), exactly. */
  readonly extensions?: Readonly<Partial<Record<FulcioExtensionName, string>>>;
}

/** The stable codes that open the warnings {@link compileIdentities} gives. */
export const IDENTITY_WARNING_CODES = [
  'UNANCHORED_REGEXP',
  'NO_ISSUER',
  'NO_SUBJECT',
  'EXACT_AND_REGEXP',
] as const;

/** One of {@link IDENTITY_WARNING_CODES}. */
export type IdentityWarningCode = (typeof IDENTITY_WARNING_CODES)[number];

/** A Go RE2 regexp, compiled. */
export interface CompiledRegExp {
  /** The pattern as given. */
  readonly source: string;
  /** Go's `MatchString`: whether the pattern matches anywhere in `text` (unanchored). */
  test(text: string): boolean;
}

/** An exact extension value an identity requires, and the check it is reported as. */
export interface ExtensionRequirement {
  /** How a mismatch names it: `github workflow ref`, `extension sourceRepositoryRef`. */
  readonly check: string;
  readonly name: FulcioExtensionName;
  readonly expected: string;
}

/** One identity, validated and compiled. */
export interface CompiledIdentity {
  /** Its index in the list given, which a match reports. */
  readonly index: number;
  readonly subject: string | undefined;
  readonly subjectRegExp: CompiledRegExp | undefined;
  readonly issuer: string | undefined;
  readonly issuerRegExp: CompiledRegExp | undefined;
  /** The GitHub fields first (cosign checks them first), then `extensions` in OID order. */
  readonly extensions: readonly ExtensionRequirement[];
}

/** The GitHub fields and the extension each one is. */
const GITHUB_EXTENSIONS = {
  trigger: 'githubWorkflowTrigger',
  sha: 'githubWorkflowSha',
  name: 'githubWorkflowName',
  repository: 'githubWorkflowRepository',
  ref: 'githubWorkflowRef',
} as const satisfies Record<keyof GithubWorkflowIdentity, FulcioExtensionName>;

const IDENTITY_FIELDS = ['issuer', 'issuerRegExp', 'subject', 'subjectRegExp', 'github', 'extensions'];

/** A lone surrogate: a string holding one has no UTF-8 form, so it can equal no certificate's bytes. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A non-empty, well-formed string (Go's `""` means "not set": here a field is left out instead). */
const text: Shape<string> = {
  expected: 'a non-empty string',
  check(value, path) {
    const checked = nonEmptyString.check(value, path);
    return LONE_SURROGATE.test(checked) ? fail(path, 'a string without lone surrogates') : checked;
  },
};

const githubShape = object(
  Object.fromEntries(Object.keys(GITHUB_EXTENSIONS).map((key) => [key, optional(text)])),
  'an object of GitHub workflow fields',
);
const extensionsShape = object(
  Object.fromEntries(FULCIO_EXTENSION_NAMES.map((name) => [name, optional(text)])),
  'an object of Fulcio extension values',
);
const identityShape = object(
  {
    issuer: optional(text),
    issuerRegExp: optional(text),
    subject: optional(text),
    subjectRegExp: optional(text),
    github: optional(githubShape),
    extensions: optional(extensionsShape),
  },
  'an identity object',
);

function invalid(message: string, cause?: unknown): InvalidArgumentError {
  return new InvalidArgumentError(message, cause === undefined ? undefined : { cause });
}

/** Refuses a member the type does not have: a misspelt constraint must not silently mean "any". */
function refuseUnknownKeys(value: unknown, known: readonly string[], path: string): void {
  if (!isJsonObject(value)) return;
  for (const key of Object.keys(value))
    if (!known.includes(key))
      throw invalid(`${path} has no field ${JSON.stringify(key)} (known: ${known.join(', ')})`);
}

/**
 * Compiles a Go RE2 regexp through re2js (never JavaScript's `RegExp`): `test` is Go's
 * `MatchString`, **unanchored**. `path` names the field in the error. Shared with the Kyverno
 * matcher in `ocisign/policy`, which compiles `subjectRegExp` / `issuerRegExp` the same way.
 *
 * @throws InvalidArgumentError naming `path` and RE2's reason when RE2 refuses the pattern.
 */
export function compileRegExp(pattern: string, path: string): CompiledRegExp {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(`${path} is not a valid Go RE2 regexp: ${reason}`, error);
  }
  return { source: pattern, test: (value: string) => compiled.test(value) };
}

/** Skips one `\Q…\E` block or escape starting at `i` (a backslash); returns the index after it. */
function skipEscape(pattern: string, i: number): number {
  if (pattern[i + 1] !== 'Q') return i + 2;
  const end = pattern.indexOf('\\E', i + 2);
  return end < 0 ? pattern.length : end + 2;
}

/** Whether the pattern has a `|` outside every group and character class. */
function hasTopLevelAlternation(pattern: string): boolean {
  let depth = 0;
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i];
    if (c === '\\') {
      i = skipEscape(pattern, i);
      continue;
    }
    if (c === '[') {
      // A class: `]` right after `[` or `[^` is literal; `[:name:]` is a POSIX class inside it.
      i += pattern[i + 1] === '^' ? 2 : 1;
      if (pattern[i] === ']') i++;
      while (i < pattern.length && pattern[i] !== ']') {
        if (pattern[i] === '\\') i = skipEscape(pattern, i);
        else if (pattern.startsWith('[:', i)) i = Math.max(pattern.indexOf(':]', i + 2) + 2, i + 1);
        else i++;
      }
      i++;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
    i++;
  }
  return false;
}

/**
 * Whether a Go regexp is anchored at both ends: it starts with `^` or `\A` (after flag groups such
 * as `(?i)`, none turning on `m`, which makes `^` and `$` match at every line) and ends with an
 * unescaped `$` or `\z`, with no `|` at the top level (`^a|b$` is two half-anchored patterns).
 */
export function isAnchoredRegExp(pattern: string): boolean {
  let rest = pattern;
  for (let flags = /^\(\?([a-zA-Z]*)(?:-[a-zA-Z]*)?\)/.exec(rest); flags !== null; ) {
    if (flags[1]?.includes('m')) return false;
    rest = rest.slice(flags[0].length);
    flags = /^\(\?([a-zA-Z]*)(?:-[a-zA-Z]*)?\)/.exec(rest);
  }
  if (!rest.startsWith('^') && !rest.startsWith('\\A')) return false;
  const backslashesBefore = (end: number) => {
    let n = 0;
    while (end - 1 - n >= 0 && rest[end - 1 - n] === '\\') n++;
    return n;
  };
  const endsAnchored =
    (rest.endsWith('$') && backslashesBefore(rest.length - 1) % 2 === 0) ||
    (rest.endsWith('\\z') && backslashesBefore(rest.length - 2) % 2 === 0);
  return endsAnchored && rest.length > 1 && !hasTopLevelAlternation(rest);
}

function warnUnanchored(pattern: string, path: string, warn: (message: string) => void): void {
  if (isAnchoredRegExp(pattern)) return;
  warn(
    `UNANCHORED_REGEXP: ${path} ${JSON.stringify(pattern)} is not anchored (^…$): Go regexps match ` +
      'anywhere in the value, so it also accepts any value that merely contains a match',
  );
}

function compileOne(value: unknown, index: number, warn: (message: string) => void): CompiledIdentity {
  const path = `identities[${index}]`;
  if (!isJsonObject(value)) throw invalid(`${path} must be an identity object`);
  refuseUnknownKeys(value, IDENTITY_FIELDS, path);
  refuseUnknownKeys(value.github, Object.keys(GITHUB_EXTENSIONS), `${path}.github`);
  refuseUnknownKeys(value.extensions, FULCIO_EXTENSION_NAMES, `${path}.extensions`);
  const identity = readShape(value, identityShape, path, (message, cause) => invalid(message, cause));
  const extensions: ExtensionRequirement[] = [];
  for (const [field, name] of Object.entries(GITHUB_EXTENSIONS) as [
    keyof GithubWorkflowIdentity,
    FulcioExtensionName,
  ][]) {
    const expected = identity.github?.[field];
    if (expected !== undefined) extensions.push({ check: `github workflow ${field}`, name, expected });
  }
  for (const name of FULCIO_EXTENSION_NAMES) {
    const expected = (identity.extensions as Partial<Record<FulcioExtensionName, string>> | undefined)?.[
      name
    ];
    if (expected !== undefined) extensions.push({ check: `extension ${name}`, name, expected });
  }
  const { subject, subjectRegExp, issuer, issuerRegExp } = identity;
  const hasSubject = subject !== undefined || subjectRegExp !== undefined;
  const hasIssuer = issuer !== undefined || issuerRegExp !== undefined;
  if (!hasSubject && !hasIssuer && extensions.length === 0)
    throw invalid(`${path} is empty: give at least a subject or an issuer, exact or as a regexp`);
  const compiled: CompiledIdentity = {
    index,
    subject,
    subjectRegExp:
      subjectRegExp === undefined ? undefined : compileRegExp(subjectRegExp, `${path}.subjectRegExp`),
    issuer,
    issuerRegExp:
      issuerRegExp === undefined ? undefined : compileRegExp(issuerRegExp, `${path}.issuerRegExp`),
    extensions,
  };
  if (subjectRegExp !== undefined) warnUnanchored(subjectRegExp, `${path}.subjectRegExp`, warn);
  if (issuerRegExp !== undefined) warnUnanchored(issuerRegExp, `${path}.issuerRegExp`, warn);
  if (!hasIssuer)
    warn(
      `NO_ISSUER: ${path} names no issuer, so a certificate from any OIDC issuer Fulcio trusts is accepted`,
    );
  if (!hasSubject)
    warn(
      `NO_SUBJECT: ${path} names no subject, so any identity${hasIssuer ? ' of that issuer' : ''} is accepted`,
    );
  for (const [exact, regexp, field] of [
    [subject, subjectRegExp, 'subject'],
    [issuer, issuerRegExp, 'issuer'],
  ] as const) {
    if (exact !== undefined && regexp !== undefined)
      warn(
        `EXACT_AND_REGEXP: ${path} gives ${field} and ${field}RegExp: cosign's classic signatures are ` +
          'matched with the regexp alone, Sigstore bundles (sigstore-go) must match both',
      );
  }
  return compiled;
}

/**
 * The identity that accepts **every** certificate: no subject, issuer or extension is checked.
 * Only `TrustOptions.anyIdentity: true` puts it in a verification (Kyverno matches identities
 * itself, after cosign verified the chain); `compileIdentities` never makes it, since an entry
 * with no constraint is refused there. Its index is 0.
 */
export const ANY_IDENTITY: CompiledIdentity = Object.freeze({
  index: 0,
  subject: undefined,
  subjectRegExp: undefined,
  issuer: undefined,
  issuerRegExp: undefined,
  extensions: Object.freeze([]) as readonly ExtensionRequirement[],
});

/**
 * Validates and compiles certificate identities, before any certificate is read. Throws
 * {@link InvalidArgumentError} for an entry that is not an identity object, has a field it does
 * not know (a misspelt constraint would otherwise mean "any"), an empty or non-string value, no
 * constraint at all, or a regexp Go's RE2 refuses (the message names the field and gives RE2's
 * reason). Calls `onWarning` with a message opening with one of {@link IDENTITY_WARNING_CODES}:
 * a regexp not anchored `^…$`, an entry with no issuer or no subject, an exact value and a regexp
 * for the same field. An empty list compiles to one that no certificate matches.
 */
export function compileIdentities(
  identities: readonly CertificateIdentity[],
  onWarning?: (message: string) => void,
): readonly CompiledIdentity[] {
  if (!Array.isArray(identities)) throw invalid('identities must be an array of identity objects');
  const warn = onWarning ?? (() => {});
  return identities.map((identity, index) => compileOne(identity, index, warn));
}
