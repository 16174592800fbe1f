/**
 * The checks Kyverno's policy admission runs on a whole ClusterPolicy / Policy
 * (`pkg/validation/policy/validate.go`, `api/kyverno/v1` `Spec.Validate` / `Rule.ValidateRuleType`)
 * that concern more than one field: rule names and operations, match kinds, wildcard kinds,
 * `admission` / `background`, deprecated fields set beside their replacements. Each problem uses
 * Kyverno's words, after the path of the field it is about.
 *
 * Deliberately not here: the per-entry `verifyImages` checks (policy-convert.ts, beside the defaults they
 * depend on), and Kyverno's checks of rule types ocisign does not evaluate (validate patterns,
 * mutate patches, generate).
 */
import type { RawMatchResources, RawPolicy, RawRule } from './policy-schema.js';

/** A path into the document (`['spec', 'rules', 0, 'match']`) and Kyverno's message for it. */
export interface Problem {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

const nonEmpty = (v: Record<string, unknown> | undefined): boolean =>
  v !== undefined && Object.keys(v).length > 0;

/** Which of Kyverno's four operations a rule defines. */
export function ruleOperations(rule: RawRule): string[] {
  return [
    ...(nonEmpty(rule.mutate) ? ['mutate'] : []),
    ...(nonEmpty(rule.validate) ? ['validate'] : []),
    ...(nonEmpty(rule.generate) ? ['generate'] : []),
    ...((rule.verifyImages ?? []).length > 0 ? ['verifyImages'] : []),
  ];
}

/** The `kinds` lists of a match/exclude block, each with its path (any[], all[], or inline). */
function kindLists(
  block: RawMatchResources | undefined,
  path: ReadonlyArray<string | number>,
): Array<{ kinds: readonly string[]; path: ReadonlyArray<string | number> }> {
  if (block === undefined) return [];
  const filters = [
    ...(block.any ?? []).map((f, j) => ({ f, at: [...path, 'any', j] })),
    ...(block.all ?? []).map((f, j) => ({ f, at: [...path, 'all', j] })),
  ];
  const list = filters.length > 0 ? filters : [{ f: block, at: [...path] }];
  return list.map(({ f, at }) => ({ kinds: f.resources?.kinds ?? [], path: [...at, 'resources', 'kinds'] }));
}

/** `validateWildcard`: `*` needs background off, stands alone, and is refused for verifyImages/generate. */
function wildcardProblems(
  rule: RawRule,
  rulePath: ReadonlyArray<string | number>,
  background: boolean,
): Problem[] {
  const out: Problem[] = [];
  const operations = ruleOperations(rule);
  for (const { kinds, path } of [
    ...kindLists(rule.match, [...rulePath, 'match']),
    ...kindLists(rule.exclude, [...rulePath, 'exclude']),
  ]) {
    if (!kinds.includes('*')) continue;
    const message = background
      ? 'wildcard policy not allowed in background mode. Set spec.background=false to disable background mode for this policy rule '
      : kinds.length > 1
        ? 'wildcard policy can not deal with more than one kind'
        : operations.includes('verifyImages') || operations.includes('generate')
          ? 'wildcard policy does not support rule type'
          : undefined;
    if (message !== undefined) out.push({ path, message: message.trimEnd() });
  }
  return out;
}

/** The problems Kyverno's admission reports for the policy as a whole, in its order. */
export function kyvernoPolicyProblems(policy: RawPolicy, namespaced: boolean): Problem[] {
  const spec = policy.spec ?? {};
  const problems: Problem[] = [];
  const rules = spec.rules ?? [];
  const background = spec.background ?? true;
  const admission = spec.admission ?? true;

  if (spec.webhookTimeoutSeconds !== undefined && spec.webhookConfiguration?.timeoutSeconds !== undefined)
    problems.push({
      path: ['spec', 'webhookTimeoutSeconds'],
      message: 'remove the deprecated field and use spec.webhookConfiguration.timeoutSeconds instead',
    });
  if (spec.failurePolicy !== undefined && spec.webhookConfiguration?.failurePolicy !== undefined)
    problems.push({
      path: ['spec', 'failurePolicy'],
      message: 'remove the deprecated field and use spec.webhookConfiguration.failurePolicy instead',
    });
  for (const [field, value] of [
    ['webhookTimeoutSeconds', spec.webhookTimeoutSeconds],
    ['webhookConfiguration', spec.webhookConfiguration?.timeoutSeconds],
  ] as const) {
    if (value !== undefined && (value < 1 || value > 30))
      problems.push({
        path: field === 'webhookConfiguration' ? ['spec', field, 'timeoutSeconds'] : ['spec', field],
        message: 'the timeout value must be between 1 and 30 seconds',
      });
  }
  if (namespaced && (spec.validationFailureActionOverrides ?? []).length > 0)
    problems.push({
      path: ['spec', 'validationFailureActionOverrides'],
      message: 'Use of validationFailureActionOverrides is supported only with ClusterPolicy',
    });

  const names = new Set<string>();
  for (const [i, rule] of rules.entries()) {
    const rulePath = ['spec', 'rules', i];
    const name = rule.name ?? '';
    if (names.has(name))
      problems.push({ path: [...rulePath, 'name'], message: `Duplicate rule name: '${name}'` });
    names.add(name);
    const operations = ruleOperations(rule);
    if (operations.length === 0)
      problems.push({
        path: rulePath,
        message: `No operation defined in the rule '${name}'.(supported operations: mutate,validate,generate,verifyImages)`,
      });
    else if (operations.length > 1)
      problems.push({
        path: rulePath,
        message: `Multiple operations defined in the rule '${name}', only one operation (mutate,validate,generate,verifyImages) is allowed per rule`,
      });
    if (rule.imageExtractors !== undefined && !operations.includes('verifyImages'))
      problems.push({
        path: [...rulePath, 'imageExtractors'],
        message: `Invalid rule spec for rule '${name}', imageExtractors can only be defined for verifyImages rule`,
      });
  }

  if (!admission && !background)
    problems.push({
      path: ['spec', 'admission'],
      message: 'disabling both admission and background processing is not allowed',
    });
  else if (
    !admission &&
    rules.some((r) => ['mutate', 'generate', 'verifyImages'].some((o) => ruleOperations(r).includes(o)))
  )
    problems.push({
      path: ['spec', 'admission'],
      message: 'disabling admission processing is only allowed with validation policies',
    });

  for (const [i, rule] of rules.entries()) {
    const rulePath = ['spec', 'rules', i];
    problems.push(...wildcardProblems(rule, rulePath, background));
    for (const { kinds, path } of kindLists(rule.match ?? {}, [...rulePath, 'match'])) {
      if (kinds.length === 0)
        problems.push({
          path,
          message:
            'at least one element must be specified in a kind block, the kind attribute is mandatory when working with the resources element',
        });
    }
  }
  return problems;
}
