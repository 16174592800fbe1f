/**
 * fast-check arbitraries that mutate a real JSON document the way a careless or hostile author
 * would: delete a member, replace a value with another JSON type (or null), rename a key to an
 * Object.prototype member name (`toString`, `__proto__`, `constructor`, …). Used by the fuzz tests
 * of parsers that read user documents (policies, AdmissionReviews), so the fuzzer starts from
 * documents that nearly pass every check instead of random noise that fails the first one.
 */
import fc from 'fast-check';

type Json = unknown;

/** Keys that are inherited by every object: a lookup by user data must never find these. */
export const PROTOTYPE_KEYS = ['toString', 'valueOf', '__proto__', 'constructor', 'hasOwnProperty'] as const;

/** A deep copy that keeps own `__proto__` members as data (plain assignment would not). */
export function cloneJson(value: Json): Json {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) setMember(out, k, cloneJson(v));
  return out;
}

function setMember(target: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Every [container, key] pair in the tree (the root is not included). */
function slots(root: Json): Array<[Record<string, Json> | Json[], string | number]> {
  const out: Array<[Record<string, Json> | Json[], string | number]> = [];
  const walk = (node: Json) => {
    if (Array.isArray(node))
      node.forEach((child, i) => {
        out.push([node, i]);
        walk(child);
      });
    else if (typeof node === 'object' && node !== null)
      for (const [k, child] of Object.entries(node)) {
        out.push([node as Record<string, Json>, k]);
        walk(child);
      }
  };
  walk(root);
  return out;
}

/** One edit: where (an index into the document's slots, modulo their count) and what. */
interface Mutation {
  readonly at: number;
  readonly op: 'delete' | 'replace' | 'null' | 'rename' | 'wrap';
  readonly replacement: Json;
  readonly key: string;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('delete', 'replace', 'null', 'rename', 'wrap'),
  replacement: fc.oneof(
    fc.constantFrom(0, -1, 1.5, '', 'x', true, false, [], {}, [null], { toString: 1 }, '{{ a }}', '*'),
    fc.jsonValue({ maxDepth: 2 }),
  ),
  key: fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.constantFrom('', 'kinds', 'path', 'x'), fc.string()),
});

function apply(root: Json, m: Mutation): Json {
  const all = slots(root);
  if (all.length === 0) return m.op === 'replace' ? m.replacement : root;
  const [container, key] = all[m.at % all.length] as [Record<string, Json> | Json[], string | number];
  const current = (container as Record<string | number, Json>)[key];
  if (Array.isArray(container)) {
    const i = key as number;
    if (m.op === 'delete') container.splice(i, 1);
    else if (m.op === 'null') container[i] = null;
    else if (m.op === 'wrap') container[i] = [current];
    else if (m.op === 'rename') container[i] = { [m.key]: current };
    else container[i] = cloneJson(m.replacement);
    return root;
  }
  const k = key as string;
  if (m.op === 'delete') delete container[k];
  else if (m.op === 'null') setMember(container, k, null);
  else if (m.op === 'wrap') setMember(container, k, [current]);
  else if (m.op === 'rename') {
    delete container[k];
    setMember(container, m.key, current);
  } else setMember(container, k, cloneJson(m.replacement));
  return root;
}

/** `documents`, one picked and edited one to four times. */
export function mutatedDocument(documents: readonly Json[]): fc.Arbitrary<Json> {
  return fc
    .tuple(fc.nat({ max: documents.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([index, edits]) => edits.reduce(apply, cloneJson(documents[index])));
}
