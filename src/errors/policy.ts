/** Errors of Kyverno policy handling. */

import { OcisignError } from './base.js';

/** A policy document that does not parse or that Kyverno would refuse at admission. `problems` lists each. */
export class PolicyValidationError extends OcisignError<'POLICY_INVALID'> {
  readonly problems: readonly string[];
  constructor(policy: string, problems: readonly string[]) {
    super('POLICY_INVALID', `Policy ${policy} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/**
 * A policy asks for something ocisign does not do (yet): keyless or certificate attestors, Notary,
 * or a policy kind it does not evaluate (`kind` and `document` say which, when it is a document).
 */
export class PolicyUnsupportedError extends OcisignError<'POLICY_UNSUPPORTED'> {
  /** The policy kind refused (e.g. `ImageValidatingPolicy`), when a whole document was refused. */
  readonly kind?: string;
  /** The refused document's position in the stream, 1 for the first. */
  readonly document?: number;
  constructor(message: string, details: { readonly kind?: string; readonly document?: number } = {}) {
    super('POLICY_UNSUPPORTED', message);
    if (details.kind !== undefined) this.kind = details.kind;
    if (details.document !== undefined) this.document = details.document;
  }
}

/** A request to the admission webhook that is not an `admission.k8s.io/v1` AdmissionReview. */
export class AdmissionReviewError extends OcisignError<'ADMISSION_REVIEW_INVALID'> {
  constructor(message: string) {
    super('ADMISSION_REVIEW_INVALID', message);
  }
}
