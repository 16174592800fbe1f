/**
 * The `kyverno.io/verify-images` annotations: what the verify phase records and the validate phase
 * (`required`) reads. Values are compact JSON with map keys sorted, as Go marshals them.
 */
import type { JsonPatchOperation } from '../common/decision.js';

export type MetadataStatus = 'pass' | 'fail' | 'skip';

/** The annotation Kyverno records verification results in (`kyverno.io/verify-images`). */
export const VERIFY_IMAGES_ANNOTATION = 'kyverno.io/verify-images';
/** The per-policy, per-rule annotation `required` reads (`kyverno.io/verify-images-scoped`). */
export const VERIFY_IMAGES_SCOPED_ANNOTATION = 'kyverno.io/verify-images-scoped';

function sortedJson(value: unknown): string {
  if (value instanceof Map) value = Object.fromEntries(value);
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
}

/** The scope key Kyverno uses for a policy: `<namespace>/<name>` (empty namespace for ClusterPolicy). */
export function policyScope(policy: { readonly name: string; readonly namespace?: string }): string {
  return `${policy.namespace ?? ''}/${policy.name}`;
}

export class VerifyImagesMetadata {
  readonly #images = new Map<string, MetadataStatus>();
  readonly #scoped = new Map<string, Map<string, Map<string, MetadataStatus>>>();

  /** Records a status in the unscoped annotation only (Kyverno does this for a skip). */
  add(image: string, status: MetadataStatus): void {
    this.#images.set(image, status);
  }

  /** Records a status for a policy + rule + image, in both annotations. */
  addScoped(scope: string, rule: string, image: string, status: MetadataStatus): void {
    this.#images.set(image, status);
    const rules = this.#scoped.get(scope) ?? new Map<string, Map<string, MetadataStatus>>();
    this.#scoped.set(scope, rules);
    const images = rules.get(rule) ?? new Map<string, MetadataStatus>();
    rules.set(rule, images);
    images.set(image, status);
  }

  get isEmpty(): boolean {
    return this.#images.size === 0 && this.#scoped.size === 0;
  }

  status(scope: string, rule: string, image: string): MetadataStatus | undefined {
    return this.#scoped.get(scope)?.get(rule)?.get(image);
  }

  /** The annotation values as Kyverno writes them. */
  values(): { images: string; scoped: string } {
    const policies = Object.fromEntries(
      [...this.#scoped].map(([scope, rules]) => [
        scope,
        Object.fromEntries([...rules].map(([rule, images]) => [rule, Object.fromEntries(images)])),
      ]),
    );
    return { images: sortedJson(this.#images), scoped: `{"version":1,"policies":${sortedJson(policies)}}` };
  }

  /** The JSON patch operations that write both annotations onto the object. */
  patches(objectHasAnnotations: boolean): JsonPatchOperation[] {
    if (this.isEmpty) return [];
    const { images, scoped } = this.values();
    return [
      ...(objectHasAnnotations ? [] : [{ op: 'add' as const, path: '/metadata/annotations', value: {} }]),
      { op: 'add', path: '/metadata/annotations/kyverno.io~1verify-images', value: images },
      { op: 'add', path: '/metadata/annotations/kyverno.io~1verify-images-scoped', value: scoped },
    ];
  }

  /** Reads the scoped annotation of an object (for UPDATE requests and the validate phase). */
  static parseScoped(annotations: Readonly<Record<string, string>>): VerifyImagesMetadata {
    const out = new VerifyImagesMetadata();
    const raw = annotations[VERIFY_IMAGES_SCOPED_ANNOTATION];
    if (raw === undefined) return out;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return out;
    }
    const policies = (parsed as { policies?: unknown } | null)?.policies;
    if (typeof policies !== 'object' || policies === null) return out;
    for (const [scope, rules] of Object.entries(policies)) {
      if (typeof rules !== 'object' || rules === null) continue;
      for (const [rule, images] of Object.entries(rules)) {
        if (typeof images !== 'object' || images === null) continue;
        for (const [image, status] of Object.entries(images))
          if (status === 'pass' || status === 'fail' || status === 'skip')
            out.addScoped(scope, rule, image, status);
      }
    }
    return out;
  }
}
