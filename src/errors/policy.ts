/** Errors of Kyverno policy handling. */
import { OcisignError } from './base.js';

/** A policy document that does not parse or that Kyverno would refuse at admission. `problems` lists each. */
export class PolicyValidationError extends OcisignError {
  readonly problems: readonly string[];
  constructor(policy: string, problems: readonly string[]) {
    super('POLICY_INVALID', `Policy ${policy} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}
