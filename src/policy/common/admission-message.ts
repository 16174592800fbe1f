/** Kyverno's denial message: which policies and rules blocked the resource, as a YAML map. */
import { stringify } from 'yaml';
import type { RuleResult } from './decision.js';

/**
 * `\n\nresource <Kind>/<ns>/<name> was blocked due to the following policies \n\n<policy>:\n  <rule>: <message>\n`,
 * one message per rule name (the last one, as in Kyverno's map).
 */
export function blockedMessage(
  resource: { readonly kind: string; readonly namespace: string; readonly name: string },
  blocking: readonly RuleResult[],
): string {
  // Maps, not objects: a policy or rule named `__proto__` is a name, never the prototype.
  const byPolicy = new Map<string, Map<string, string>>();
  for (const r of blocking) {
    const rules = byPolicy.get(r.policy) ?? new Map<string, string>();
    byPolicy.set(r.policy, rules);
    rules.set(r.rule, r.message);
  }
  const yaml = stringify(byPolicy, { sortMapEntries: true, lineWidth: 0 });
  return `\n\nresource ${resource.kind}/${resource.namespace}/${resource.name} was blocked due to the following policies \n\n${yaml}`;
}
