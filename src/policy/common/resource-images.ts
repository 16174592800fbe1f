/**
 * The images of a Kubernetes object as Kyverno extracts them (`pkg/utils/api/image.go`): Pods and
 * pod controllers (the pod-spec paths autogen uses) in the order initContainers, containers,
 * ephemeralContainers; other kinds through the rule's `imageExtractors` — `path` with `*` over
 * list items and map values, `value` the member holding the image (unset: the last segment of
 * `path`). Each image comes with the JSON pointer a digest patch replaces. A structure Kyverno
 * cannot walk (`*` over a scalar, a scalar where an object belongs) is an error, as in Kyverno —
 * never a silent "no images". Absent members are not errors: the image may not be there.
 *
 * Deliberately not here: `jmesPath` extractors (not evaluated; refused) and image parsing.
 */
import { InvalidArgumentError } from '../../errors/base.js';
import { isJsonObject, own } from '../../internal/shape.js';
import { escapePointer } from './json-pointer.js';
import type { ImageExtractor } from './types.js';

/** One image found in an object, with the JSON pointer a digest patch replaces. */
export interface ResourceImage {
  /** The image string as written in the object. */
  readonly image: string;
  /** JSON pointer of the field, e.g. `/spec/template/spec/containers/0/image`. */
  readonly pointer: string;
  /** Container name (the extractor's `key` member, for custom resources). */
  readonly name: string;
  /** The pod's `imagePullSecrets` names (Kyverno adds them to the registry credentials). */
  readonly pullSecrets: readonly string[];
}

/** Pod controllers autogen covers, and where each keeps its pod spec. */
const POD_SPEC_PATHS: ReadonlyMap<string, readonly string[]> = new Map([
  ['Pod', ['spec']],
  ['Deployment', ['spec', 'template', 'spec']],
  ['DaemonSet', ['spec', 'template', 'spec']],
  ['StatefulSet', ['spec', 'template', 'spec']],
  ['ReplicaSet', ['spec', 'template', 'spec']],
  ['ReplicationController', ['spec', 'template', 'spec']],
  ['Job', ['spec', 'template', 'spec']],
  ['CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec']],
]);

/** Where a kind Kyverno knows keeps its pod spec (`['spec', 'template', 'spec']`), or undefined. */
export function podSpecPath(kind: string): readonly string[] | undefined {
  return POD_SPEC_PATHS.get(kind);
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'];

/** Kyverno's `imageExtractor`: the fields to walk, the member holding the image, the key member. */
interface Walk {
  readonly fields: readonly string[];
  readonly value: string;
  readonly key?: string;
}

function extractionError(message: string): InvalidArgumentError {
  return new InvalidArgumentError(message);
}

function walkImages(resource: unknown, walk: Walk, out: ResourceImage[]): void {
  const visit = (
    node: unknown,
    fields: readonly string[],
    path: readonly string[],
    secrets: readonly string[],
  ) => {
    if (node === undefined || node === null) return;
    const pointer = path.map((p) => `/${escapePointer(p)}`).join('');
    if (fields[0] === '*') {
      if (Array.isArray(node))
        for (const [i, child] of node.entries()) visit(child, fields.slice(1), [...path, String(i)], secrets);
      else if (isJsonObject(node))
        for (const [k, child] of Object.entries(node)) visit(child, fields.slice(1), [...path, k], secrets);
      else throw extractionError(`invalid type at ${pointer || '/'} (a * needs a list or a map)`);
      return;
    }
    if (!isJsonObject(node))
      throw extractionError(`invalid image config at ${pointer || '/'} (an object was expected)`);
    const pullSecrets = own(node, 'imagePullSecrets');
    const found = Array.isArray(pullSecrets)
      ? pullSecrets.flatMap((s) => {
          const name = isJsonObject(s) ? own(s, 'name') : undefined;
          return typeof name === 'string' && name !== '' ? [name] : [];
        })
      : [];
    const here = found.length === 0 ? secrets : [...secrets, ...found];
    const [head, ...rest] = fields;
    if (head !== undefined) {
      visit(own(node, head), rest, [...path, head], here);
      return;
    }
    let name: string;
    if (walk.key !== undefined) {
      const key = own(node, walk.key);
      if (typeof key !== 'string')
        throw extractionError(`invalid key at ${pointer || '/'} (${walk.key} must be a string)`);
      name = key;
    } else {
      const n = own(node, 'name');
      name = typeof n === 'string' ? n : pointer;
    }
    const image = own(node, walk.value);
    // The image may not be present.
    if (typeof image !== 'string' || image.trim() === '') return;
    out.push({ image, pointer: `${pointer}/${escapePointer(walk.value)}`, name, pullSecrets: here });
  };
  visit(resource, walk.fields, [], []);
}

/** Kyverno's reading of an `imageExtractors` entry: trimmed non-empty segments; no value = the last one. */
function customWalk(extractor: ImageExtractor): Walk {
  if (typeof extractor.path !== 'string') throw extractionError('an image extractor path must be a string');
  const fields = extractor.path
    .split('/')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const given = typeof extractor.value === 'string' ? extractor.value : '';
  const value = given !== '' ? given : fields.pop();
  if (value === undefined)
    throw extractionError(`the image extractor path ${JSON.stringify(extractor.path)} names no field`);
  return {
    fields,
    value,
    ...(typeof extractor.key === 'string' && extractor.key !== '' ? { key: extractor.key } : {}),
  };
}

/**
 * The images of `resource`. `extractors` (a rule's `imageExtractors`, keyed by kind) replace the
 * built-in paths for the kinds they name. Throws InvalidArgumentError where Kyverno's extraction
 * fails ("invalid type", "invalid image config", "invalid key"), and for `jmesPath` extractors,
 * which ocisign does not evaluate.
 */
export function resourceImages(
  resource: Readonly<Record<string, unknown>>,
  extractors?: Readonly<Record<string, readonly ImageExtractor[]>>,
): ResourceImage[] {
  const kindValue = isJsonObject(resource) ? own(resource, 'kind') : undefined;
  const kind = typeof kindValue === 'string' ? kindValue : '';
  const custom = isJsonObject(extractors) ? own(extractors, kind) : undefined;
  const out: ResourceImage[] = [];
  if (custom !== undefined) {
    if (!Array.isArray(custom) || custom.length === 0)
      throw extractionError(`no extractors found for ${kind}`);
    for (const extractor of custom as readonly ImageExtractor[]) {
      if (!isJsonObject(extractor)) throw extractionError(`the image extractors for ${kind} must be objects`);
      if (extractor.jmesPath !== undefined)
        throw extractionError('jmesPath image extractors are not evaluated by ocisign');
      walkImages(resource, customWalk(extractor), out);
    }
    return out;
  }
  const path = podSpecPath(kind);
  if (path === undefined) return out;
  for (const list of CONTAINER_LISTS)
    walkImages(resource, { fields: [...path, list, '*'], value: 'image' }, out);
  return out;
}
