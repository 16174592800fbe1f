/**
 * The 74 real verifyImages policies and the ImageValidatingPolicies of shared/vectors/kyverno/
 * real-policies (copied from kyverno/kyverno and kyverno/policies; read in place, never copied):
 * each loads when Kyverno admits it, is refused when Kyverno refuses it (SOURCES.md says which),
 * and every (Namespaced)ImageValidatingPolicy is refused with a typed error naming its kind.
 * Then fuzzing: mutated real policies (keys deleted, values of other JSON types, keys renamed to
 * Object.prototype members, null, bytes) give policies or a typed error, never another throw.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PolicyUnsupportedError, PolicyValidationError } from '../../../src/errors/index.js';
import { fixtureBackend, loadPolicies, PolicyEngine } from '../../../src/policy/index.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, typedOrResult, typedOrResultAsync } from '../../helpers/fuzz.js';
import { mutatedDocument } from '../../helpers/json-mutations.js';
import { readVectors, SHARED_DIR } from '../../helpers/vectors.js';

const dir = join(SHARED_DIR, 'vectors', 'kyverno', 'real-policies');
interface IndexedFile {
  file: string;
  path: string;
  documents: Array<{ index: number; kind: string; name: string; json: Record<string, unknown> }>;
}
const index = readVectors<{ verifyImagesPolicies: IndexedFile[]; imageValidatingPolicies: IndexedFile[] }>(
  'kyverno/real-policies/index.json',
);

/** SOURCES.md's table: `| repo | path | doc# | kind | name | Kyverno admits | evidence |`. */
function kyvernoAdmits(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(join(dir, 'SOURCES.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const admits = cells[6];
    if (cells.length < 8 || !['accepted', 'rejected', 'untested'].includes(admits ?? '')) continue;
    out.set(`${cells[1]}+${(cells[2] ?? '').replaceAll('`', '')}#${cells[3]}`, admits as string);
  }
  return out;
}
const admits = kyvernoAdmits();
const text = (f: IndexedFile) => readFileSync(join(dir, f.file), 'utf8');
const verifyImagesDocuments = index.verifyImagesPolicies.flatMap((f) =>
  f.documents.map((d) => ({
    ...d,
    file: f,
    repoPath: `${f.file.split('/')[0]?.replace('+', '/')}+${f.path}`,
  })),
);

describe('real verifyImages policies', () => {
  it('SOURCES.md says for every one whether Kyverno admits it', () => {
    expect(verifyImagesDocuments).toHaveLength(74);
    for (const d of verifyImagesDocuments)
      expect(admits.get(`${d.repoPath}#${d.index}`), d.repoPath).toBeDefined();
  });

  it.each(verifyImagesDocuments.map((d) => [`${d.file.file} #${d.index} ${d.name}`, d] as const))(
    '%s',
    (_name, d) => {
      const verdict = admits.get(`${d.repoPath}#${d.index}`);
      const load = () => loadPolicies(text(d.file));
      if (verdict === 'rejected') {
        expect(load).toThrow(PolicyValidationError);
        return;
      }
      if (verdict === 'untested') {
        // No Kyverno test says; several of these set Audit and leave mutateDigest at its default
        // (true), which Kyverno's admission refuses. Either way the answer is typed and named.
        try {
          load();
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyValidationError);
          expect((error as PolicyValidationError).problems.join('\n')).toMatch(/\(document \d+, line \d+\)/);
          return;
        }
      }
      const policies = load();
      const policy = policies.find((p) => p.name === d.name);
      expect(policy, policies.warnings.map((w) => w.message).join('\n')).toBeDefined();
      expect(policy?.rules.some((r) => r.verifyImages.length > 0)).toBe(true);
    },
  );
});

describe('real ImageValidatingPolicies', () => {
  it.each(index.imageValidatingPolicies.map((f) => [f.file, f] as const))(
    '%s is refused, naming its kind',
    (_f, f) => {
      const kind = f.documents[0]?.kind as string;
      expect(() => loadPolicies(text(f))).toThrow(PolicyUnsupportedError);
      expect(() => loadPolicies(text(f))).toThrow(`${kind} is not supported by ocisign yet`);
    },
  );
});

describe('fuzzing loadPolicies on mutated real policies', () => {
  const documents = verifyImagesDocuments.map((d) => d.json);
  it(
    'a result or a typed error, never another throw (JSON, YAML and bytes)',
    () => {
      fc.assert(
        fc.property(mutatedDocument(documents), fc.constantFrom('json', 'yaml', 'bytes'), (doc, form) => {
          const source = form === 'yaml' ? stringify(doc) : JSON.stringify(doc);
          const input = form === 'bytes' ? Buffer.from(source) : source;
          typedOrResult(() => loadPolicies(input));
        }),
        { numRuns: FUZZ_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  const resources = readVectors<{ cases: Array<{ resource: Record<string, unknown> }> }>(
    'kyverno/policies/cases.json',
  ).cases.map((c) => c.resource);
  const tekton = {
    apiVersion: 'tekton.dev/v1beta1',
    kind: 'Task',
    metadata: { name: 't', namespace: 'ci' },
    spec: { steps: [{ name: 's', image: 'ghcr.io/kyverno/test-verify-image:signed' }] },
  };
  it(
    'mutated policies that still load evaluate real resources to a decision or a typed error',
    async () => {
      const backend = fixtureBackend({});
      await fc.assert(
        fc.asyncProperty(
          mutatedDocument(documents),
          fc.constantFrom(...resources, tekton),
          async (doc, resource) => {
            const policies = typedOrResult(() => loadPolicies(JSON.stringify(doc)));
            if (policies instanceof Error || policies.length === 0) return;
            const engine = new PolicyEngine(policies, { backend, cache: false });
            const decision = await typedOrResultAsync(() => engine.evaluate(resource, { deadlineMs: 2000 }));
            if (!(decision instanceof Error)) expect(typeof decision.allowed).toBe('boolean');
          },
        ),
        { numRuns: FUZZ_RUNS, timeout: 5000 },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
