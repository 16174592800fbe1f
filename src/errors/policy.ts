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

/** A policy asks for something ocisign does not do (yet): keyless or certificate attestors, Notary. */
export class PolicyUnsupportedError extends OcisignError {
  constructor(message: string) {
    super('POLICY_UNSUPPORTED', message);
  }
}

/** A request to the admission webhook that is not an `admission.k8s.io/v1` AdmissionReview. */
export class AdmissionReviewError extends OcisignError {
  constructor(message: string) {
    super('ADMISSION_REVIEW_INVALID', message);
  }
}
