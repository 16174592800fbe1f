/**
 * Error codes are a closed, documented set: docs/errors.md lists exactly the codes of the `const`
 * lists in src/errors (with the right class and CLI exit status), every code literal in src/ is in
 * a list, and an unknown code does not compile (the `@ts-expect-error` lines below are checked by
 * `tsc`, which compiles test/).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { exitCodeFor } from '../../../src/cli/exit-codes.js';
import * as errors from '../../../src/errors/index.js';
import {
  type CandidateFailure,
  type COMMON_ERROR_CODES,
  FAILURE_REASONS,
  type FailureReason,
  type KEYS_ERROR_CODES,
  type KMS_ERROR_CODES,
  NotFoundError,
  OcisignError,
  type OcisignErrorCode,
  type PAYLOAD_ERROR_CODES,
  type POLICY_ERROR_CODES,
  type REGISTRY_ERROR_CODES,
  RegistryAuthError,
  RegistryError,
  type RegistryErrorCode,
  type SIGN_VERIFY_ERROR_CODES,
  type SIGSTORE_ERROR_CODES,
  type VerificationError,
} from '../../../src/errors/index.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const SRC = join(ROOT, 'src');

/** Every exported list: the layers' `…_ERROR_CODES` and the failure reasons. */
const LISTS: Record<string, readonly string[]> = {};
for (const [name, value] of Object.entries(errors) as [string, unknown][])
  if (/^[A-Z_]+_ERROR_CODES$|^FAILURE_REASONS$/.test(name) && Array.isArray(value)) LISTS[name] = value;
const ERROR_CODES = new Set(
  Object.entries(LISTS)
    .filter(([name]) => name !== 'FAILURE_REASONS')
    .flatMap(([, codes]) => codes),
);
const REASONS = new Set<string>(FAILURE_REASONS);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const sources = sourceFiles(SRC).map((path) => ({
  path: relative(ROOT, path),
  text: readFileSync(path, 'utf8'),
}));

/** `class X extends OcisignError<'CODE'>` (or `RegistryError<'CODE'>`) in src/errors: each class's code. */
const CLASS_CODES = new Map(
  sources
    .filter((s) => s.path.startsWith('src/errors/'))
    .flatMap((s) => [...s.text.matchAll(/class (\w+) extends (?:OcisignError|RegistryError)<'([A-Z_]+)'>/g)])
    .map((m) => [m[1] as string, m[2] as string]),
);

interface Row {
  readonly cells: readonly string[];
}

/** docs/errors.md as `## … — \`LIST\`` sections, each with its table rows (header rows left out). */
function documentedSections(markdown: string): Map<string, Row[]> {
  const sections = new Map<string, Row[]>();
  let current: Row[] | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^## .*`([A-Z_]+)`\s*$/.exec(line);
    if (heading) {
      current = [];
      sections.set(heading[1] as string, current);
      continue;
    }
    if (line.startsWith('## ')) current = undefined;
    if (current === undefined || !line.startsWith('| `')) continue;
    current.push({
      cells: line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    });
  }
  return sections;
}

/** The text between the backticks of a cell (`` `NOT_FOUND` `` → `NOT_FOUND`). */
function literal(cell: string | undefined): string {
  const match = /^`([^`]+)`$/.exec(cell ?? '');
  if (match === null) throw new Error(`expected one \`literal\` in the cell, got ${JSON.stringify(cell)}`);
  return match[1] as string;
}

describe('docs/errors.md', () => {
  const sections = documentedSections(readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8'));

  it('has one section per exported list, and no other', () => {
    expect([...sections.keys()].sort()).toEqual(Object.keys(LISTS).sort());
  });

  it.each(Object.keys(LISTS))('documents exactly the codes of %s, each once', (name) => {
    const documented = (sections.get(name) ?? []).map((row) => literal(row.cells[0]));
    expect(documented.length, `${name} documents a code twice`).toBe(new Set(documented).size);
    expect([...documented].sort()).toEqual([...(LISTS[name] ?? [])].sort());
  });

  it('names the class that carries each code', () => {
    for (const [name, rows] of sections) {
      if (name === 'FAILURE_REASONS') continue;
      for (const row of rows) {
        const code = literal(row.cells[0]);
        const className = literal(row.cells[1]);
        const exported = (errors as Record<string, unknown>)[className];
        expect(typeof exported, `${className} is not exported from src/errors`).toBe('function');
        // A subclass narrows to one code; only the generic RegistryError carries several.
        const own = CLASS_CODES.get(className);
        if (own === undefined) expect(className, code).toBe('RegistryError');
        else expect(own, `${className} carries ${own}, not ${code}`).toBe(code);
      }
    }
  });

  it('gives the exit status the CLI really exits with', () => {
    for (const [name, rows] of sections) {
      if (name === 'FAILURE_REASONS') continue;
      for (const row of rows) {
        const code = literal(row.cells[0]) as OcisignErrorCode;
        expect(row.cells[4], code).toBe(String(exitCodeFor(new OcisignError(code, 'x'))));
      }
    }
  });

  it('fills every cell', () => {
    for (const rows of sections.values())
      for (const row of rows) for (const cell of row.cells) expect(cell, row.cells[0]).not.toBe('');
  });
});

describe('the code lists', () => {
  it('share no code between layers', () => {
    const all = Object.entries(LISTS)
      .filter(([name]) => name !== 'FAILURE_REASONS')
      .flatMap(([, codes]) => codes);
    expect(all.length).toBe(ERROR_CODES.size);
  });

  it('every class in src/errors narrows its code', () => {
    for (const { path, text } of sources.filter((s) => s.path.startsWith('src/errors/'))) {
      for (const m of text.matchAll(/class (\w+) extends (OcisignError|RegistryError)\b(?!<)/g))
        expect.fail(`${path}: ${m[1]} extends ${m[2]} without naming its code`);
    }
    expect(CLASS_CODES.size).toBeGreaterThan(20);
    for (const [className, code] of CLASS_CODES) expect(ERROR_CODES, className).toContain(code);
  });
});

describe('code literals in src/', () => {
  /** `super('CODE'`, `new SomeError('CODE'`: a code passed where an error is made. */
  const ERROR_CODE_LITERAL = /(?:\bsuper|\bnew \w*Error)\(\s*'([A-Z][A-Z0-9_]*)'/g;
  /** `reason: 'x'` and `fail(candidate, 'x'`: a candidate failure's reason. */
  const REASON_LITERAL = /\breason: '([a-z][a-z-]*)'|\bfail(?:ed)?\(\s*\w+,\s*'([a-z][a-z-]*)'/g;

  it('every code an error is made with is in a list', () => {
    const found = sources.flatMap(({ path, text }) =>
      [...text.matchAll(ERROR_CODE_LITERAL)].map((m) => ({ path, code: m[1] as string })),
    );
    expect(found.length).toBeGreaterThan(20);
    for (const { path, code } of found) expect(ERROR_CODES, path).toContain(code);
  });

  it('every candidate failure reason is in FAILURE_REASONS', () => {
    const found = sources.flatMap(({ path, text }) =>
      [...text.matchAll(REASON_LITERAL)].map((m) => ({ path, reason: (m[1] ?? m[2]) as string })),
    );
    expect(found.length).toBeGreaterThan(5);
    for (const { path, reason } of found) expect(REASONS, path).toContain(reason);
  });
});

describe('types', () => {
  it('OcisignErrorCode is the union of every list', () => {
    expectTypeOf<OcisignErrorCode>().toEqualTypeOf<
      | (typeof COMMON_ERROR_CODES)[number]
      | (typeof KEYS_ERROR_CODES)[number]
      | (typeof KMS_ERROR_CODES)[number]
      | (typeof PAYLOAD_ERROR_CODES)[number]
      | (typeof POLICY_ERROR_CODES)[number]
      | (typeof REGISTRY_ERROR_CODES)[number]
      | (typeof SIGSTORE_ERROR_CODES)[number]
      | (typeof SIGN_VERIFY_ERROR_CODES)[number]
    >();
    expectTypeOf<CandidateFailure['reason']>().toEqualTypeOf<(typeof FAILURE_REASONS)[number]>();
  });

  it('each class narrows code, and instanceof keeps the narrowing', () => {
    expectTypeOf<NotFoundError['code']>().toEqualTypeOf<'NOT_FOUND'>();
    expectTypeOf<VerificationError['code']>().toEqualTypeOf<'VERIFICATION_FAILED'>();
    expectTypeOf<RegistryError['code']>().toEqualTypeOf<Exclude<RegistryErrorCode, 'INVALID_REFERENCE'>>();
    const thrown: unknown = new RegistryAuthError('denied', { status: 403 });
    if (thrown instanceof OcisignError) expectTypeOf(thrown.code).toEqualTypeOf<OcisignErrorCode>();
    if (thrown instanceof RegistryError)
      expectTypeOf(thrown.code).toEqualTypeOf<Exclude<RegistryErrorCode, 'INVALID_REFERENCE'>>();
    if (thrown instanceof RegistryAuthError) expectTypeOf(thrown.code).toEqualTypeOf<'REGISTRY_AUTH'>();
    // The run-time test is the ordinary one.
    expect(thrown instanceof RegistryError && thrown instanceof OcisignError && thrown instanceof Error).toBe(
      true,
    );
    expect(thrown instanceof NotFoundError).toBe(false);
    expect({ code: 'REGISTRY_AUTH' } instanceof OcisignError).toBe(false);
  });

  it('an unknown code or reason does not compile', () => {
    // Each line below must be a type error; tsc fails on an unused @ts-expect-error.
    // @ts-expect-error 'REGISTRY_UNAVAILABLE' is no RegistryError code
    const unknownRegistry = new RegistryError('REGISTRY_UNAVAILABLE', 'busy');
    // @ts-expect-error INVALID_REFERENCE is InvalidReferenceError's, never a RegistryError's
    const notARegistryCode = new RegistryError('INVALID_REFERENCE', 'bad');
    // @ts-expect-error a free string is not a code
    const unknownBase = new OcisignError('SOMETHING_ELSE', 'x');
    // @ts-expect-error not a failure reason
    const reason: FailureReason = 'bad-signature';
    const error = new NotFoundError('gone');
    // @ts-expect-error a NotFoundError's code is never REGISTRY_AUTH
    const compared = error.code === 'REGISTRY_AUTH';
    // At run time they are made as written: the compiler is the guard.
    expect([unknownRegistry.code, notARegistryCode.code, unknownBase.code, reason, compared]).toEqual([
      'REGISTRY_UNAVAILABLE',
      'INVALID_REFERENCE',
      'SOMETHING_ELSE',
      'bad-signature',
      false,
    ]);
  });
});
