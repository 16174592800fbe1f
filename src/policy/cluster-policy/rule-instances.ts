/**
 * Which rules apply to an object, as Kyverno decides it: match/exclude, namespaced Policies, autogen
 * for pod controllers (`autogen-<rule>`, `autogen-cronjob-<rule>`, the `autogen-controllers`
 * annotation), and the failure action each rule's failures take.
 */

import { isJsonObject, own } from '../../internal/shape.js';
import { type Doc, ownString } from '../common/json-value.js';
import { podSpecPath } from '../common/resource-images.js';
import type { FailureAction } from '../common/types.js';
import { matchesAnyImagePattern } from '../common/wildcard.js';
import {
  type MatchTarget,
  podOnlyMatch,
  type RequestContext,
  ruleApplies,
  selectorMatches,
  usesNamespaceSelector,
} from './resource-match.js';
import type { Policy, PolicyRule } from './types.js';

/** The string members of an object, as a null-prototype map (a label named `__proto__` is data). */
const stringMap = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = Object.create(null);
  if (isJsonObject(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
};

const AUTOGEN_ANNOTATION = 'pod-policies.kyverno.io/autogen-controllers';
const DEFAULT_AUTOGEN = [
  'DaemonSet',
  'Deployment',
  'Job',
  'StatefulSet',
  'ReplicaSet',
  'ReplicationController',
  'CronJob',
];

/** A rule as it applies to this object: its name may be the autogen one. */
export interface RuleInstance {
  readonly policy: Policy;
  readonly rule: PolicyRule;
  readonly name: string;
  readonly action: FailureAction;
  /** Why ocisign cannot tell whether the rule applies (the rule then reports an `error`). */
  readonly undecided?: string;
}

/** The parts of an object `match` looks at. */
export function targetOf(resource: Doc): MatchTarget {
  const m = isJsonObject(resource) ? own(resource, 'metadata') : undefined;
  const metadata: Doc = isJsonObject(m) ? m : {};
  const name = ownString(metadata, 'name') ?? '';
  return {
    apiVersion: (isJsonObject(resource) ? ownString(resource, 'apiVersion') : undefined) ?? '',
    kind: (isJsonObject(resource) ? ownString(resource, 'kind') : undefined) ?? '',
    name: name !== '' ? name : (ownString(metadata, 'generateName') ?? ''),
    namespace: ownString(metadata, 'namespace') ?? '',
    labels: stringMap(own(metadata, 'labels')),
    annotations: stringMap(own(metadata, 'annotations')),
  };
}

/**
 * Kyverno's action for a rule: an entry's Enforce wins, then the first entry action, then
 * `validationFailureActionOverrides` (namespaces by wildcard, each narrowed by its
 * `namespaceSelector` when set; a selector alone when there are no namespaces), then the spec.
 * Without the namespace's labels an override whose selector would decide it makes the rule
 * Enforce (fail closed).
 */
function ruleAction(
  policy: Policy,
  rule: PolicyRule,
  namespace: string,
  namespaceLabels: Readonly<Record<string, string>> | undefined,
): FailureAction {
  if (rule.verifyImages.some((e) => e.failureAction === 'Enforce')) return 'Enforce';
  const first = rule.verifyImages.find((e) => e.failureAction !== undefined)?.failureAction;
  if (first !== undefined) return first;
  const decide = (assume: boolean | undefined): FailureAction => {
    for (const o of policy.validationFailureActionOverrides) {
      const selected = (): boolean =>
        o.namespaceSelector !== undefined &&
        (assume ?? selectorMatches(o.namespaceSelector, namespaceLabels ?? {}));
      if (o.namespaces === undefined) {
        if (selected()) return o.action;
        continue;
      }
      if (
        matchesAnyImagePattern(o.namespaces, namespace) &&
        (o.namespaceSelector === undefined || selected())
      )
        return o.action;
    }
    return policy.validationFailureAction;
  };
  if (namespaceLabels !== undefined || namespace === '') return decide(undefined);
  const [yes, no] = [decide(true), decide(false)];
  return yes === no ? yes : 'Enforce';
}

function autogenControllers(policy: Policy): readonly string[] {
  const value = own(policy.annotations, AUTOGEN_ANNOTATION);
  if (typeof value !== 'string') return DEFAULT_AUTOGEN;
  if (value.trim() === 'none') return [];
  return value.split(',').map((s) => s.trim());
}

function autogenName(rule: string, kind: string): string {
  return (kind === 'CronJob' ? `autogen-cronjob-${rule}` : `autogen-${rule}`).slice(0, 63);
}

/**
 * Whether the rule applies (as itself, or through autogen as `Pod`). Without the namespace's labels
 * a `namespaceSelector` cannot be decided: when assuming it holds and assuming it fails disagree,
 * the answer is `undecided`.
 */
function applies(
  rule: PolicyRule,
  target: MatchTarget,
  request: RequestContext,
  kindAlias: string | undefined,
): boolean | 'undecided' {
  const labelsUnknown =
    request.namespaceLabels === undefined &&
    target.namespace !== '' &&
    (usesNamespaceSelector(rule.match) || usesNamespaceSelector(rule.exclude));
  if (!labelsUnknown) return ruleApplies(rule, target, request, kindAlias);
  const yes = ruleApplies(rule, target, request, kindAlias, true);
  const no = ruleApplies(rule, target, request, kindAlias, false);
  return yes === no ? yes : 'undecided';
}

/**
 * The rules that apply to an object, each with the name Kyverno reports (`autogen-…` for pod
 * controllers covered by a Pod rule) and the action its failures take. A rule whose
 * `namespaceSelector` needs labels that were not given is an instance with `undecided` set.
 */
export function applicableRules(
  policies: readonly Policy[],
  target: MatchTarget,
  request: RequestContext,
): RuleInstance[] {
  const out: RuleInstance[] = [];
  const undecided = `namespaceSelector cannot be decided without the labels of namespace ${target.namespace} (pass namespaceLabels)`;
  for (const policy of policies) {
    if (!policy.admission) continue;
    if (policy.kind === 'Policy' && policy.namespace !== undefined && policy.namespace !== target.namespace)
      continue;
    for (const rule of policy.rules) {
      if (rule.verifyImages.length === 0) continue;
      const action = ruleAction(policy, rule, target.namespace, request.namespaceLabels);
      const direct = applies(rule, target, request, undefined);
      if (direct !== false) {
        out.push({ policy, rule, name: rule.name, action, ...(direct === 'undecided' ? { undecided } : {}) });
        continue;
      }
      if (
        target.kind !== 'Pod' &&
        podSpecPath(target.kind) !== undefined &&
        autogenControllers(policy).includes(target.kind) &&
        podOnlyMatch(rule.match)
      ) {
        const viaPod = applies(rule, target, request, 'Pod');
        if (viaPod !== false)
          out.push({
            policy,
            rule,
            name: autogenName(rule.name, target.kind),
            action,
            ...(viaPod === 'undecided' ? { undecided } : {}),
          });
      }
    }
  }
  return out;
}
