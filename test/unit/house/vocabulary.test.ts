/**
 * One OCI vocabulary (issue 12), enforced by reading src/ with the TypeScript parser (so comments
 * and doc strings do not count, only code):
 * - every media type and annotation key of the OCI, Docker, Sigstore, cosign, DSSE and in-toto
 *   formats is spelled in one src file, and every other file imports it by name;
 * - the small helpers that used to be copied from room to room are declared once: `isRecord` and
 *   its kin, `sleep` and its kin, the `fail` that throws a ShapeError, and the functions that hash
 *   bytes into a `sha256:<hex>` content digest;
 * - byte-size limits (`N * 1024 …`) in the payload, registry and internal layers are named
 *   constants with a comment, never inline numbers.
 *
 * Deliberately not a style checker: a room may still use a word such as `fail` for its own result
 * type; what fails here is a second declaration with the same name and the same types.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', '..', '..', 'src');

/** String literals starting with one of these are format vocabulary: one home each. */
const VOCABULARY_PREFIXES = [
  'application/vnd.oci.',
  'application/vnd.docker.',
  'application/vnd.dev.sigstore.',
  'application/vnd.dev.cosign.',
  'application/vnd.dsse.',
  'application/vnd.in-toto',
  'org.opencontainers.',
  'dev.sigstore.',
  'dev.cosignproject.',
];

/** Helpers with one home whatever their signature. */
const ONE_HOME = ['isRecord', 'isObject', 'isPlainObject', 'isJsonObject', 'sleep', 'delay'];
/** Helpers whose name is a common verb: a second one with the same parameter and return types is a copy. */
const ONE_HOME_PER_SIGNATURE = ['fail'];
/** Layers whose byte-size limits must be named constants. */
const NAMED_LIMIT_LAYERS = ['payload', 'registry', 'internal'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

interface Declared {
  readonly name: string;
  /** `(T1, T2) => R`, parameter names left out. */
  readonly signature: string;
  readonly node: ts.SignatureDeclaration;
}

interface Facts {
  readonly literals: Set<string>;
  readonly functions: Declared[];
  /** Line numbers of byte-size products that are not a named top-level constant. */
  readonly inlineLimits: number[];
}

function typeText(node: ts.TypeNode | undefined, file: ts.SourceFile): string {
  return node === undefined ? '?' : node.getText(file).replace(/\s+/g, ' ');
}

function signatureOf(fn: ts.SignatureDeclaration, file: ts.SourceFile): string {
  const params = fn.parameters.map((p) => typeText(p.type, file)).join(', ');
  return `(${params}) => ${typeText(fn.type, file)}`;
}

/** The outermost `a * b * …` chain a node belongs to. */
function outermostProduct(node: ts.BinaryExpression): ts.Node {
  let top: ts.Node = node;
  while (
    (ts.isBinaryExpression(top.parent) && top.parent.operatorToken.kind === ts.SyntaxKind.AsteriskToken) ||
    ts.isParenthesizedExpression(top.parent)
  )
    top = top.parent;
  return top;
}

function isNamedTopLevelConstant(node: ts.Node): boolean {
  const declaration = node.parent;
  if (!ts.isVariableDeclaration(declaration) || declaration.initializer !== node) return false;
  const list = declaration.parent;
  return (
    ts.isVariableDeclarationList(list) &&
    (list.flags & ts.NodeFlags.Const) !== 0 &&
    ts.isVariableStatement(list.parent) &&
    ts.isSourceFile(list.parent.parent)
  );
}

function factsOf(path: string): Facts {
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const facts: Facts = { literals: new Set(), functions: [], inlineLimits: [] };
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) facts.literals.add(node.text);
    if (ts.isTemplateExpression(node)) {
      facts.literals.add(node.head.text);
      for (const span of node.templateSpans) facts.literals.add(span.literal.text);
    }
    if (ts.isFunctionDeclaration(node) && node.name !== undefined)
      facts.functions.push({ name: node.name.text, signature: signatureOf(node, file), node });
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer !== undefined &&
      (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))
    )
      facts.functions.push({
        name: node.name.text,
        signature: signatureOf(node.initializer, file),
        node: node.initializer,
      });
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.AsteriskToken &&
      [node.left, node.right].some((side) => ts.isNumericLiteral(side) && Number(side.text) === 1024)
    ) {
      const product = outermostProduct(node);
      if (product === node && !isNamedTopLevelConstant(product))
        facts.inlineLimits.push(file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return facts;
}

/**
 * Whether a function hashes bytes into a content digest: its first parameter is a Uint8Array, it
 * calls a `digest`/`createHash`, and it builds `sha256:${…}` or `${algorithm}:${…}`.
 */
function isContentDigestHelper(fn: Declared): boolean {
  const first = fn.node.parameters[0];
  if (first?.type === undefined || !/^Uint8Array\b/.test(first.type.getText())) return false;
  let hashes = false;
  let formats = false;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee)
        ? callee.name.text
        : ts.isIdentifier(callee)
          ? callee.text
          : '';
      if (name === 'digest' || name === 'createHash') hashes = true;
    }
    if (ts.isTemplateExpression(node)) {
      const head = node.head.text;
      const next = node.templateSpans[0]?.literal.text ?? '';
      if (/^sha(?:256|384|512):$/.test(head) || (head === '' && next.startsWith(':'))) formats = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(fn.node);
  return hashes && formats;
}

const files = sourceFiles(SRC).map((path) => ({
  name: relative(SRC, path).split(sep).join('/'),
  facts: factsOf(path),
}));

/** Groups `key → files`, keeping only keys found in more than one file. */
function inSeveralFiles(pairs: Iterable<[string, string]>): Record<string, string[]> {
  const homes = new Map<string, Set<string>>();
  for (const [key, file] of pairs) {
    const set = homes.get(key) ?? new Set<string>();
    set.add(file);
    homes.set(key, set);
  }
  return Object.fromEntries(
    [...homes].filter(([, set]) => set.size > 1).map(([key, set]) => [key, [...set].sort()]),
  );
}

describe('one OCI vocabulary', () => {
  it('reads the source tree', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('spells each media type and annotation key in one src file', () => {
    const pairs = files.flatMap(({ name, facts }) =>
      [...facts.literals]
        .filter((text) => VOCABULARY_PREFIXES.some((prefix) => text.startsWith(prefix)))
        .map((text): [string, string] => [text, name]),
    );
    expect(inSeveralFiles(pairs)).toEqual({});
    // The check sees literals where they are: the OCI manifest type is spelled in payload/oci.ts.
    expect(pairs).toContainEqual(['application/vnd.oci.image.manifest.v1+json', 'payload/oci.ts']);
  });

  it('declares isRecord, sleep and their kin once', () => {
    const pairs = files.flatMap(({ name, facts }) =>
      facts.functions.filter((f) => ONE_HOME.includes(f.name)).map((f): [string, string] => [f.name, name]),
    );
    expect(inSeveralFiles(pairs)).toEqual({});
  });

  it('declares each `fail` signature once (one ShapeError thrower)', () => {
    const pairs = files.flatMap(({ name, facts }) =>
      facts.functions
        .filter((f) => ONE_HOME_PER_SIGNATURE.includes(f.name))
        .map((f): [string, string] => [`${f.name}${f.signature}`, name]),
    );
    expect(inSeveralFiles(pairs)).toEqual({});
    expect(pairs).toContainEqual(['fail(string, string) => never', 'internal/shape.ts']);
  });

  it('computes content digests in one module (payload/digest.ts)', () => {
    const helpers = files.flatMap(({ name, facts }) =>
      facts.functions.filter(isContentDigestHelper).map((f) => `${name} ${f.name}`),
    );
    const homes = [...new Set(helpers.map((helper) => helper.split(' ')[0]))];
    expect(homes, helpers.join('; ')).toEqual(['payload/digest.ts']);
  });

  it('names every byte-size limit of the payload, registry and internal layers', () => {
    const inline = files
      .filter(({ name }) => NAMED_LIMIT_LAYERS.includes(name.split('/')[0] as string))
      .flatMap(({ name, facts }) => facts.inlineLimits.map((line) => `${name}:${line}`));
    expect(inline).toEqual([]);
  });
});
