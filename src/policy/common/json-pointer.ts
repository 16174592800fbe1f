/** RFC 6901 JSON pointers and the `add`/`replace` patches the engine produces (RFC 6902). */

import { isJsonObject, own } from '../../internal/shape.js';
import type { JsonPatchOperation } from './decision.js';
import type { Doc } from './json-value.js';

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

/** A child by pointer segment: an own member only (a `__proto__` segment is data, never the prototype). */
function child(node: unknown, key: string): unknown {
  if (Array.isArray(node)) return /^(0|[1-9]\d*)$/.test(key) ? node[Number(key)] : undefined;
  return isJsonObject(node) ? own(node, key) : undefined;
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

const INDEX = /^(0|[1-9]\d*)$/;

/** Sets an own member (a `__proto__` key is data) or an array element; other targets are left alone. */
function setChild(parent: unknown, key: string, value: unknown): void {
  if (Array.isArray(parent)) {
    if (INDEX.test(key)) parent[Number(key)] = value;
  } else if (isJsonObject(parent))
    Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A shallow copy of an object or array, own members only. */
function shallowCopy(node: unknown): unknown {
  if (Array.isArray(node)) return [...node];
  if (!isJsonObject(node)) return node;
  const out: Doc = {};
  for (const [k, v] of Object.entries(node)) setChild(out, k, v);
  return out;
}

/**
 * A copy of `document` with `add`/`replace` operations applied (the target's parent must exist).
 * Copy-on-write along each patch path: the rest of the object is shared, never walked, so an
 * object nested a million levels deep costs nothing (and cannot overflow the stack).
 */
export function applyPatches(document: Doc, patches: readonly JsonPatchOperation[]): Doc {
  const root = shallowCopy(document) as Doc;
  const copied = new Set<unknown>([root]);
  for (const patch of patches) {
    const keys = segments(patch.path);
    const last = keys.pop() as string;
    let parent: unknown = root;
    for (const key of keys) {
      const next = child(parent, key);
      if (next === undefined) {
        parent = undefined;
        break;
      }
      const writable = copied.has(next) ? next : shallowCopy(next);
      if (writable !== next) {
        copied.add(writable);
        setChild(parent, key, writable);
      }
      parent = writable;
    }
    setChild(parent, last, structuredClone(patch.value));
    if (isJsonObject(patch.value) || Array.isArray(patch.value)) copied.add(child(parent, last));
  }
  return root;
}
