/**
 * Kyverno's `match` / `exclude` blocks against an admission request (`pkg/engine/utils/match.go`):
 * `any` / `all` lists of resource filters (or the legacy inline form), with kinds, names,
 * namespaces, annotations, label selectors, namespace selectors, operations and subjects. AND
 * across attributes, OR inside lists; names and namespaces use Kyverno's wildcard. A filter that
 * says nothing matches nothing (Kyverno: "match cannot be empty") and excludes nothing; without
 * user info (a CLI or CI evaluation) `match` ignores the subjects, as Kyverno does.
 *
 * Deliberately not here: `roles` / `clusterRoles` (Kyverno reads them from RBAC; an AdmissionReview
 * does not carry them). They never make a rule apply or not silently: a rule using them is reported
 * as unsupported (an `error`); here a `match` filter treats them as met and an `exclude` filter
 * never excludes through them, so the rule always reaches that error.
 */
import { own } from '../../internal/shape.js';
import { matchImagePattern } from '../common/wildcard.js';
import type { LabelSelector, MatchResources, ResourceDescription, ResourceFilter } from './types.js';

/** Who is asking and where, for the parts of `match` that are not about the object itself. */
export interface RequestContext {
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  /** Labels of the object's namespace, for `namespaceSelector`. */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  readonly userInfo?: { readonly username?: string; readonly groups?: readonly string[] };
}

/** The parts of an object `match` looks at. */
export interface MatchTarget {
  readonly apiVersion: string;
  readonly kind: string;
  /** `metadata.name`, or `metadata.generateName` when the name is not set yet (as Kyverno). */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** `kinds` entries: `Kind`, `version/Kind` or `group/version/Kind`, each part a wildcard. */
function kindMatches(pattern: string, target: MatchTarget, kindAlias: string | undefined): boolean {
  const parts = pattern.split('/');
  const kind = (parts.pop() ?? '').split('.')[0] ?? '';
  const kindOk =
    matchImagePattern(kind, target.kind) || (kindAlias !== undefined && matchImagePattern(kind, kindAlias));
  if (!kindOk) return false;
  if (parts.length === 0 || kindAlias !== undefined) return true;
  const [group, version] = target.apiVersion.includes('/')
    ? (target.apiVersion.split('/') as [string, string])
    : ['', target.apiVersion];
  if (parts.length === 1) return matchImagePattern(parts[0] as string, version);
  return matchImagePattern(parts[0] as string, group) && matchImagePattern(parts[1] as string, version);
}

/** A Kubernetes label selector (`matchLabels` with wildcard keys/values, `matchExpressions`). */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (selector === undefined) return true;
  const actual = Object.entries(labels);
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!actual.some(([k, v]) => matchImagePattern(key, k) && matchImagePattern(value, v))) return false;
  }
  for (const expr of selector.matchExpressions ?? []) {
    const values = expr.values ?? [];
    const value = own(labels, expr.key);
    const present = typeof value === 'string';
    switch (expr.operator) {
      case 'In':
        if (!present || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (present && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function wildcardMapMatches(
  pattern: Readonly<Record<string, string>>,
  actual: Readonly<Record<string, string>>,
): boolean {
  const entries = Object.entries(actual);
  return Object.entries(pattern).every(([key, value]) =>
    entries.some(([k, v]) => matchImagePattern(key, k) && matchImagePattern(value, v)),
  );
}

/**
 * How to decide a `namespaceSelector` when the namespace's labels are not known: `undefined` reads
 * `request.namespaceLabels` (no labels = none), `true` / `false` assume the selector holds / fails
 * (the caller tries both and fails closed when they disagree).
 */
export type AssumeNamespaceSelector = boolean | undefined;

function resourcesMatch(
  r: ResourceDescription,
  target: MatchTarget,
  request: RequestContext,
  kindAlias: string | undefined,
  assume: AssumeNamespaceSelector,
): boolean {
  if (r.kinds !== undefined && r.kinds.length > 0 && !r.kinds.some((k) => kindMatches(k, target, kindAlias)))
    return false;
  if (r.name !== undefined && r.name !== '' && !matchImagePattern(r.name, target.name)) return false;
  if (r.names !== undefined && r.names.length > 0 && !r.names.some((n) => matchImagePattern(n, target.name)))
    return false;
  // A Namespace is matched by its own name.
  const namespace = target.kind === 'Namespace' ? target.name : target.namespace;
  if (
    r.namespaces !== undefined &&
    r.namespaces.length > 0 &&
    !r.namespaces.some((n) => matchImagePattern(n, namespace))
  )
    return false;
  if (r.operations !== undefined && r.operations.length > 0 && !r.operations.includes(request.operation))
    return false;
  if (r.annotations !== undefined && !wildcardMapMatches(r.annotations, target.annotations)) return false;
  if (r.selector !== undefined && !selectorMatches(r.selector, target.labels)) return false;
  if (
    r.namespaceSelector !== undefined &&
    target.kind !== 'Namespace' &&
    target.kind !== '' &&
    !(assume ?? selectorMatches(r.namespaceSelector, request.namespaceLabels ?? {}))
  )
    return false;
  return true;
}

function subjectsMatch(filter: ResourceFilter, request: RequestContext): boolean {
  const subjects = filter.subjects ?? [];
  if (subjects.length === 0) return true;
  const user = request.userInfo;
  if (user === undefined) return false;
  return subjects.some((s) => {
    if (s.kind === 'Group') return (user.groups ?? []).some((g) => matchImagePattern(s.name, g));
    if (s.kind === 'ServiceAccount')
      return user.username === `system:serviceaccount:${s.namespace ?? ''}:${s.name}`;
    return user.username !== undefined && matchImagePattern(s.name, user.username);
  });
}

/** Go's "zero value": the member is absent (an empty list that is present is not zero). */
const isEmptyDescription = (r: ResourceDescription | undefined): boolean =>
  r === undefined || Object.values(r).every((v) => v === undefined);

function filterMatches(
  filter: ResourceFilter,
  target: MatchTarget,
  request: RequestContext,
  kindAlias: string | undefined,
  side: 'match' | 'exclude',
  assume: AssumeNamespaceSelector,
): boolean {
  // Kyverno drops the user-info part of a match filter when the request carries no user info.
  const withUser = side === 'exclude' || request.userInfo !== undefined;
  const hasUser =
    withUser && [filter.subjects, filter.roles, filter.clusterRoles].some((v) => v !== undefined);
  if (isEmptyDescription(filter.resources) && !hasUser) return false;
  if (side === 'exclude' && ((filter.roles ?? []).length > 0 || (filter.clusterRoles ?? []).length > 0))
    return false;
  return (
    resourcesMatch(filter.resources ?? {}, target, request, kindAlias, assume) &&
    (!withUser || subjectsMatch(filter, request))
  );
}

/** A `match` or `exclude` block: `any` (OR), `all` (AND), or the legacy single filter. */
export function blockMatches(
  block: MatchResources,
  target: MatchTarget,
  request: RequestContext,
  kindAlias: string | undefined,
  side: 'match' | 'exclude',
  assume: AssumeNamespaceSelector = undefined,
): boolean {
  if (block.any !== undefined && block.any.length > 0)
    return block.any.some((f) => filterMatches(f, target, request, kindAlias, side, assume));
  if (block.all !== undefined && block.all.length > 0)
    return block.all.every((f) => filterMatches(f, target, request, kindAlias, side, assume));
  return filterMatches(block, target, request, kindAlias, side, assume);
}

/** Whether a rule applies: `match` succeeds and `exclude` (checked only then) does not. */
export function ruleApplies(
  rule: { readonly match: MatchResources; readonly exclude?: MatchResources },
  target: MatchTarget,
  request: RequestContext,
  kindAlias?: string,
  assume?: AssumeNamespaceSelector,
): boolean {
  if (!blockMatches(rule.match, target, request, kindAlias, 'match', assume)) return false;
  return (
    rule.exclude === undefined || !blockMatches(rule.exclude, target, request, kindAlias, 'exclude', assume)
  );
}

/** Whether a match/exclude block uses a `namespaceSelector` anywhere. */
export function usesNamespaceSelector(block: MatchResources | undefined): boolean {
  if (block === undefined) return false;
  return [block, ...(block.any ?? []), ...(block.all ?? [])].some(
    (f) => f.resources?.namespaceSelector !== undefined,
  );
}

/** Whether every filter of a `match` block names only Pods by kind (autogen eligibility). */
export function podOnlyMatch(block: MatchResources): boolean {
  const filters = [...(block.any ?? []), ...(block.all ?? [])];
  const list: readonly ResourceFilter[] = filters.length > 0 ? filters : [block];
  return list.every((f) => {
    const r = f.resources;
    if (r === undefined) return false;
    if (
      r.names !== undefined ||
      r.name !== undefined ||
      r.selector !== undefined ||
      r.annotations !== undefined
    )
      return false;
    const kinds = r.kinds ?? [];
    return kinds.length > 0 && kinds.every((k) => k === 'Pod' || k === 'v1/Pod');
  });
}
