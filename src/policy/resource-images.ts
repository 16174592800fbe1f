/**
 * The images of a Kubernetes object as Kyverno extracts them: Pods and pod controllers (the
 * pod-spec paths autogen uses) in the order initContainers, containers, ephemeralContainers, each
 * with the JSON pointer a digest patch replaces; other kinds through the rule's `imageExtractors`.
 */
import { escapePointer } from './json-pointer.js';
import { type Doc, isRecord } from './json-value.js';

/** One image found in an object, with the JSON pointer a digest patch replaces. */
export interface ResourceImage {
  /** The image string as written in the object. */
  readonly image: string;
  /** JSON pointer of the field, e.g. `/spec/template/spec/containers/0/image`. */
  readonly pointer: string;
  /** Container (or extractor) name. */
  readonly name: string;
  /** The pod's `imagePullSecrets` names (Kyverno adds them to the registry credentials). */
  readonly pullSecrets: readonly string[];
}

/** Pod controllers autogen covers, and where each keeps its pod spec. */
export const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'];

function podImages(resource: Doc, path: readonly string[]): ResourceImage[] {
  let spec: unknown = resource;
  for (const key of path) spec = isRecord(spec) ? spec[key] : undefined;
  if (!isRecord(spec)) return [];
  const base = `/${path.join('/')}`;
  const pullSecrets = (Array.isArray(spec.imagePullSecrets) ? spec.imagePullSecrets : []).flatMap((s) =>
    isRecord(s) && typeof s.name === 'string' && s.name !== '' ? [s.name] : [],
  );
  const out: ResourceImage[] = [];
  for (const list of CONTAINER_LISTS) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((c, i) => {
      if (!isRecord(c) || typeof c.image !== 'string' || c.image.trim() === '') return;
      out.push({
        image: c.image,
        pointer: `${base}/${list}/${i}/image`,
        name: typeof c.name === 'string' ? c.name : String(i),
        pullSecrets,
      });
    });
  }
  return out;
}

/** Kyverno `imageExtractors` entry: `path` with `*` over list items / map values, `value` (default `image`). */
function extractorImages(resource: Doc, extractor: Readonly<Record<string, unknown>>): ResourceImage[] {
  const path = typeof extractor.path === 'string' ? extractor.path.split('/').filter((s) => s !== '') : [];
  const valueKey = typeof extractor.value === 'string' ? extractor.value : 'image';
  const out: ResourceImage[] = [];
  const walk = (node: unknown, rest: readonly string[], pointer: string): void => {
    if (rest.length === 0) {
      if (!isRecord(node)) return;
      const image = node[valueKey];
      if (typeof image !== 'string' || image.trim() === '') return;
      const nameKey = typeof extractor.name === 'string' ? extractor.name : 'name';
      out.push({
        image,
        pointer: `${pointer}/${escapePointer(valueKey)}`,
        name: typeof node[nameKey] === 'string' ? (node[nameKey] as string) : pointer,
        pullSecrets: [],
      });
      return;
    }
    const [head, ...tail] = rest as [string, ...string[]];
    if (head === '*') {
      if (Array.isArray(node)) for (const [i, child] of node.entries()) walk(child, tail, `${pointer}/${i}`);
      else if (isRecord(node))
        for (const [k, child] of Object.entries(node)) walk(child, tail, `${pointer}/${escapePointer(k)}`);
      return;
    }
    if (Array.isArray(node) && /^\d+$/.test(head)) walk(node[Number(head)], tail, `${pointer}/${head}`);
    else if (isRecord(node)) walk(node[head], tail, `${pointer}/${escapePointer(head)}`);
  };
  walk(resource, path, '');
  return out;
}

/**
 * The images of `resource`. `extractors` (a rule's `imageExtractors`, keyed by kind) replace the
 * built-in paths for the kinds they name.
 */
export function resourceImages(
  resource: Readonly<Record<string, unknown>>,
  extractors?: Readonly<Record<string, ReadonlyArray<Readonly<Record<string, unknown>>>>>,
): ResourceImage[] {
  const kind = typeof resource.kind === 'string' ? resource.kind : '';
  const custom = extractors?.[kind];
  if (custom !== undefined) return custom.flatMap((e) => extractorImages(resource as Doc, e));
  const path = POD_SPEC_PATHS[kind];
  return path === undefined ? [] : podImages(resource as Doc, path);
}
