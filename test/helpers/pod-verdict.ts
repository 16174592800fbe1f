/** The verify-phase verdict of a one-container Pod, for the policy integration tests. */
import type { PolicyEngine, RuleStatus } from '../../src/policy/index.js';

/** What a test reads: the decision, and the first verify-phase result's status and message. */
export interface PodVerdict {
  readonly allowed: boolean;
  readonly status: RuleStatus | undefined;
  readonly message: string;
}

/** Evaluates a Pod running `image` and returns its verify-phase verdict. */
export async function podVerdict(engine: PolicyEngine, image: string): Promise<PodVerdict> {
  const decision = await engine.evaluate({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'c', image }] },
  });
  const result = decision.results.find((r) => r.phase === 'verify');
  return { allowed: decision.allowed, status: result?.status, message: result?.message ?? '' };
}
