/**
 * Kyverno's `match` / `exclude` blocks against an admission request: `any` / `all` lists of
 * resource filters (or the legacy inline form), with kinds, names, namespaces, annotations, label
 * selectors, namespace selectors, operations and subjects. AND across attributes, OR inside lists;
 * names and namespaces use Kyverno's wildcard.
 */
import { type Doc, isRecord } from './json-value.js';
import { matchImagePattern } from './wildcard.js';

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** Who is asking and where, for the parts of `match` that are not about the object itself. */
export interface RequestContext {
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  /** Labels of the object's namespace, for `namespaceSelector`. */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  readonly userInfo?: { readonly username?: string; readonly groups?: readonly string[] };
}

export interface MatchTarget {
  readonly apiVersion: string;
  readonly kind: string;
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
export function selectorMatches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!isRecord(selector)) return true;
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  for (const [key, value] of Object.entries(matchLabels)) {
    const hit = Object.entries(labels).some(
      ([k, v]) => matchImagePattern(key, k) && matchImagePattern(String(value), v),
    );
    if (!hit) return false;
  }
  for (const expr of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (!isRecord(expr) || typeof expr.key !== 'string') return false;
    const values = strings(expr.values);
    const present = Object.hasOwn(labels, expr.key);
    const value = labels[expr.key];
    switch (expr.operator) {
      case 'In':
        if (!present || !values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (present && values.includes(value as string)) return false;
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

function wildcardMapMatches(pattern: unknown, actual: Readonly<Record<string, string>>): boolean {
  if (!isRecord(pattern)) return true;
  return Object.entries(pattern).every(([key, value]) =>
    Object.entries(actual).some(([k, v]) => matchImagePattern(key, k) && matchImagePattern(String(value), v)),
  );
}

function resourcesMatch(
  resources: unknown,
  target: MatchTarget,
  request: RequestContext,
  kindAlias: string | undefined,
): boolean {
  if (!isRecord(resources)) return true;
  const kinds = strings(resources.kinds);
  if (kinds.length > 0 && !kinds.some((k) => kindMatches(k, target, kindAlias))) return false;
  const names = [
    ...strings(resources.names),
    ...(typeof resources.name === 'string' ? [resources.name] : []),
  ];
  if (names.length > 0 && !names.some((n) => matchImagePattern(n, target.name))) return false;
  const namespaces = strings(resources.namespaces);
  if (namespaces.length > 0 && !namespaces.some((n) => matchImagePattern(n, target.namespace))) return false;
  const operations = strings(resources.operations);
  if (operations.length > 0 && !operations.includes(request.operation)) return false;
  if (!wildcardMapMatches(resources.annotations, target.annotations)) return false;
  if (resources.selector !== undefined && !selectorMatches(resources.selector, target.labels)) return false;
  if (
    resources.namespaceSelector !== undefined &&
    !selectorMatches(resources.namespaceSelector, request.namespaceLabels ?? {})
  )
    return false;
  return true;
}

function subjectsMatch(filter: Doc, request: RequestContext): boolean {
  const subjects = Array.isArray(filter.subjects) ? filter.subjects : [];
  if (subjects.length === 0) return true;
  const user = request.userInfo;
  if (user === undefined) return false;
  return subjects.some((s) => {
    if (!isRecord(s) || typeof s.name !== 'string') return false;
    if (s.kind === 'Group') return (user.groups ?? []).some((g) => matchImagePattern(s.name as string, g));
    if (s.kind === 'ServiceAccount')
      return user.username === `system:serviceaccount:${String(s.namespace ?? '')}:${s.name}`;
    return user.username !== undefined && matchImagePattern(s.name, user.username);
  });
}

function filterMatches(
  filter: unknown,
  target: MatchTarget,
  request: RequestContext,
  kindAlias: string | undefined,
): boolean {
  if (!isRecord(filter)) return false;
  return resourcesMatch(filter.resources, target, request, kindAlias) && subjectsMatch(filter, request);
}

/** A `match` or `exclude` block: `any` (OR), `all` (AND), or the legacy single filter. */
export function blockMatches(
  block: unknown,
  target: MatchTarget,
  request: RequestContext,
  kindAlias?: string,
): boolean {
  if (!isRecord(block)) return false;
  if (Array.isArray(block.any) && block.any.length > 0)
    return block.any.some((f) => filterMatches(f, target, request, kindAlias));
  if (Array.isArray(block.all) && block.all.length > 0)
    return block.all.every((f) => filterMatches(f, target, request, kindAlias));
  return filterMatches(block, target, request, kindAlias);
}

/** Whether a rule applies: `match` succeeds and `exclude` (checked only then) does not. */
export function ruleApplies(
  rule: { readonly match: unknown; readonly exclude?: unknown },
  target: MatchTarget,
  request: RequestContext,
  kindAlias?: string,
): boolean {
  if (!blockMatches(rule.match, target, request, kindAlias)) return false;
  if (rule.exclude === undefined) return true;
  const ex = rule.exclude as Doc;
  const empty = isRecord(ex) && Object.keys(ex).length === 0;
  return empty || !blockMatches(rule.exclude, target, request, kindAlias);
}

/** Kinds every filter of a `match` block names (for autogen eligibility); undefined if any filter is not kinds-only. */
export function podOnlyMatch(block: unknown): boolean {
  if (!isRecord(block)) return false;
  const filters = [
    ...(Array.isArray(block.any) ? block.any : []),
    ...(Array.isArray(block.all) ? block.all : []),
  ];
  const list = filters.length > 0 ? filters : [block];
  return list.every((f) => {
    if (!isRecord(f) || !isRecord(f.resources)) return false;
    const r = f.resources;
    if (
      r.names !== undefined ||
      r.name !== undefined ||
      r.selector !== undefined ||
      r.annotations !== undefined
    )
      return false;
    const kinds = strings(r.kinds);
    return kinds.length > 0 && kinds.every((k) => k === 'Pod' || k === 'v1/Pod');
  });
}
