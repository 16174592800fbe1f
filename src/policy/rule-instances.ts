/**
 * Which rules apply to an object, as Kyverno decides it: match/exclude, namespaced Policies, autogen
 * for pod controllers (`autogen-<rule>`, `autogen-cronjob-<rule>`, the `autogen-controllers`
 * annotation), and the failure action each rule's failures take.
 */

import { type Doc, isRecord } from './json-value.js';
import { POD_SPEC_PATHS } from './resource-images.js';
import {
  type MatchTarget,
  podOnlyMatch,
  type RequestContext,
  ruleApplies,
  selectorMatches as selectorMatchesLabels,
} from './resource-match.js';
import type { FailureAction, Policy, PolicyRule } from './types.js';
import { matchesAnyImagePattern } from './wildcard.js';

const stringMap = (v: unknown): Record<string, string> =>
  isRecord(v)
    ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : {};

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
}

/** The parts of an object `match` looks at. */
export function targetOf(resource: Doc): MatchTarget {
  const metadata = isRecord(resource.metadata) ? resource.metadata : {};
  return {
    apiVersion: typeof resource.apiVersion === 'string' ? resource.apiVersion : '',
    kind: typeof resource.kind === 'string' ? resource.kind : '',
    name: typeof metadata.name === 'string' ? metadata.name : '',
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : '',
    labels: stringMap(metadata.labels),
    annotations: stringMap(metadata.annotations),
  };
}

/**
 * Kyverno's action for a rule: an entry's Enforce wins, then the first entry action, then
 * `validationFailureActionOverrides` (namespaces by wildcard, each narrowed by its
 * `namespaceSelector` when set; a selector alone when there are no namespaces), then the spec.
 */
function ruleAction(
  policy: Policy,
  rule: PolicyRule,
  namespace: string,
  namespaceLabels: Readonly<Record<string, string>>,
): FailureAction {
  if (rule.verifyImages.some((e) => e.failureAction === 'Enforce')) return 'Enforce';
  const first = rule.verifyImages.find((e) => e.failureAction !== undefined)?.failureAction;
  if (first !== undefined) return first;
  const spec = isRecord(policy.raw.spec) ? policy.raw.spec : {};
  for (const o of Array.isArray(spec.validationFailureActionOverrides)
    ? spec.validationFailureActionOverrides
    : []) {
    if (!isRecord(o) || typeof o.action !== 'string') continue;
    const action: FailureAction = o.action === 'Enforce' || o.action === 'enforce' ? 'Enforce' : 'Audit';
    const selectorMatches = (): boolean =>
      isRecord(o.namespaceSelector) && selectorMatchesLabels(o.namespaceSelector, namespaceLabels);
    if (!Array.isArray(o.namespaces)) {
      if (selectorMatches()) return action;
      continue;
    }
    const namespaces = o.namespaces.filter((n): n is string => typeof n === 'string');
    if (
      matchesAnyImagePattern(namespaces, namespace) &&
      (o.namespaceSelector === undefined || selectorMatches())
    )
      return action;
  }
  return policy.validationFailureAction;
}

function autogenControllers(policy: Policy): readonly string[] {
  const value = policy.annotations[AUTOGEN_ANNOTATION];
  if (value === undefined) return DEFAULT_AUTOGEN;
  if (value.trim() === 'none') return [];
  return value.split(',').map((s) => s.trim());
}

function autogenName(rule: string, kind: string): string {
  return (kind === 'CronJob' ? `autogen-cronjob-${rule}` : `autogen-${rule}`).slice(0, 63);
}

/**
 * The rules that apply to an object, each with the name Kyverno reports (`autogen-…` for pod
 * controllers covered by a Pod rule) and the action its failures take.
 */
export function applicableRules(
  policies: readonly Policy[],
  target: MatchTarget,
  request: RequestContext,
): RuleInstance[] {
  const out: RuleInstance[] = [];
  for (const policy of policies) {
    if (!policy.admission) continue;
    if (policy.kind === 'Policy' && policy.namespace !== undefined && policy.namespace !== target.namespace)
      continue;
    for (const rule of policy.rules) {
      if (rule.verifyImages.length === 0) continue;
      const action = ruleAction(policy, rule, target.namespace, request.namespaceLabels ?? {});
      if (ruleApplies(rule, target, request)) {
        out.push({ policy, rule, name: rule.name, action });
      } else if (
        target.kind !== 'Pod' &&
        POD_SPEC_PATHS[target.kind] !== undefined &&
        autogenControllers(policy).includes(target.kind) &&
        podOnlyMatch(rule.match) &&
        ruleApplies(rule, target, request, 'Pod')
      ) {
        out.push({ policy, rule, name: autogenName(rule.name, target.kind), action });
      }
    }
  }
  return out;
}
