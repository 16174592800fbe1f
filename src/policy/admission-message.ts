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
  const byPolicy: Record<string, Record<string, string>> = {};
  for (const r of blocking) {
    byPolicy[r.policy] ??= {};
    (byPolicy[r.policy] as Record<string, string>)[r.rule] = r.message;
  }
  const yaml = stringify(byPolicy, { sortMapEntries: true, lineWidth: 0 });
  return `\n\nresource ${resource.kind}/${resource.namespace}/${resource.name} was blocked due to the following policies \n\n${yaml}`;
}
