/** RFC 6901 JSON pointers and the `add`/`replace` patches the engine produces (RFC 6902). */
import type { JsonPatchOperation } from './decision.js';
import { type Doc, isRecord } from './json-value.js';

/** One path segment escaped for a pointer (`~` → `~0`, `/` → `~1`). */
export function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function segments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function child(node: unknown, key: string): unknown {
  return Array.isArray(node) ? node[Number(key)] : isRecord(node) ? node[key] : undefined;
}

/** The value at a JSON pointer, or undefined. */
export function valueAtPointer(document: unknown, pointer: string): unknown {
  let node = document;
  for (const key of segments(pointer)) {
    node = child(node, key);
    if (node === undefined) return undefined;
  }
  return node;
}

/** A copy of `document` with `add`/`replace` operations applied (the target's parent must exist). */
export function applyPatches(document: Doc, patches: readonly JsonPatchOperation[]): Doc {
  const copy = structuredClone(document);
  for (const patch of patches) {
    const keys = segments(patch.path);
    const last = keys.pop() as string;
    let parent: unknown = copy;
    for (const key of keys) parent = child(parent, key);
    if (Array.isArray(parent)) parent[Number(last)] = structuredClone(patch.value);
    else if (isRecord(parent)) parent[last] = structuredClone(patch.value);
  }
  return copy;
}
