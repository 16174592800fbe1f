/**
 * `loadPolicies`: Kyverno ClusterPolicy/Policy YAML (one or many documents) → typed policies with
 * the CRD defaults applied and the deprecated shorthand converted, refusing what Kyverno's policy
 * admission refuses (with its messages) and collecting the warnings it returns. Documents of other
 * kinds are ignored. Evaluation is elsewhere.
 */
import { type Document, isNode, type LineCounter } from 'yaml';
import { PolicyValidationError } from '../errors/policy.js';
import { type Doc, isRecord } from './json-value.js';
import type {
  Attestation,
  Attestor,
  AttestorSet,
  FailureAction,
  ImageVerification,
  Policy,
  PolicyRule,
} from './types.js';
import { yamlDocuments } from './yaml-documents.js';

const asRecord = (v: unknown): Doc => (isRecord(v) ? v : {});
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asStrings = (v: unknown): string[] => asList(v).filter((x): x is string => typeof x === 'string');
const SIGNATURE_ALGORITHMS = ['sha224', 'sha256', 'sha384', 'sha512'];

function failureAction(value: unknown): FailureAction | undefined {
  if (typeof value !== 'string') return undefined;
  return value === 'Enforce' || value === 'enforce' ? 'Enforce' : 'Audit';
}

function attestor(raw: Doc, path: string, problems: string[]): Attestor {
  const kinds = ['keys', 'certificates', 'keyless', 'attestor'].filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1)
    problems.push(`${path}: keys, certificates, keyless, or a nested attestor is required`);
  const out: { -readonly [K in keyof Attestor]: Attestor[K] } = {};
  if (isRecord(raw.keys)) {
    const keys = raw.keys;
    if (
      keys.signatureAlgorithm !== undefined &&
      !SIGNATURE_ALGORITHMS.includes(String(keys.signatureAlgorithm))
    ) {
      problems.push(`${path}.keys.signatureAlgorithm: Invalid signature algorithm provided`);
    }
    out.keys = keys as NonNullable<Attestor['keys']>;
  }
  if (isRecord(raw.keyless)) {
    const keyless = raw.keyless;
    const rekorUrl = asRecord(keyless.rekor).url;
    if (
      (typeof rekorUrl !== 'string' || rekorUrl === '') &&
      (typeof keyless.roots !== 'string' || keyless.roots === '')
    ) {
      problems.push(`${path}.keyless: Either Rekor URL or roots are required`);
    }
    out.keyless = keyless as NonNullable<Attestor['keyless']>;
  }
  if (isRecord(raw.certificates)) out.certificates = raw.certificates;
  if (isRecord(raw.attestor)) out.attestor = attestorSet(raw.attestor, `${path}.attestor`, problems);
  if (isRecord(raw.annotations)) out.annotations = raw.annotations as Record<string, string>;
  if (typeof raw.repository === 'string') out.repository = raw.repository;
  if (typeof raw.signatureAlgorithm === 'string') {
    if (!SIGNATURE_ALGORITHMS.includes(raw.signatureAlgorithm))
      problems.push(`${path}.signatureAlgorithm: Invalid signature algorithm provided`);
    out.signatureAlgorithm = raw.signatureAlgorithm;
  }
  return out;
}

function attestorSet(raw: Doc, path: string, problems: string[]): AttestorSet {
  const entries = asList(raw.entries).map((e, i) => attestor(asRecord(e), `${path}.entries[${i}]`, problems));
  if (entries.length === 0) problems.push(`${path}.entries: An entry is required`);
  const count = typeof raw.count === 'number' ? raw.count : undefined;
  if (count !== undefined && count > entries.length)
    problems.push(`${path}.count: Count cannot exceed length of entries`);
  return count === undefined ? { entries } : { count, entries };
}

function imageVerification(
  raw: Doc,
  path: string,
  specAction: FailureAction,
  problems: string[],
  warnings: string[],
): ImageVerification {
  const imageReferences = asStrings(raw.imageReferences);
  const attestors = asList(raw.attestors).map((s, i) =>
    attestorSet(asRecord(s), `${path}.attestors[${i}]`, problems),
  );
  const attestations: Attestation[] = asList(raw.attestations).map((a, i) => {
    const att = asRecord(a);
    if (att.predicateType !== undefined) {
      warnings.push(
        `predicateType has been deprecated use 'type: ${String(att.predicateType)}' instead of 'predicateType: ${String(att.predicateType)}'`,
      );
    }
    return {
      ...(typeof att.name === 'string' ? { name: att.name } : {}),
      type: String(att.type ?? att.predicateType ?? ''),
      attestors: asList(att.attestors).map((s, j) =>
        attestorSet(asRecord(s), `${path}.attestations[${i}].attestors[${j}]`, problems),
      ),
      conditions: asList(att.conditions),
    };
  });
  // Deprecated shorthand (image, key, issuer, subject, roots, annotations), converted as Kyverno does.
  if (raw.image !== undefined || raw.key !== undefined || raw.issuer !== undefined) {
    if (typeof raw.image === 'string' && raw.image !== '') imageReferences.push(raw.image);
    const entry: Doc = { ...(isRecord(raw.annotations) ? { annotations: raw.annotations } : {}) };
    if (typeof raw.key === 'string' && raw.key !== '') entry.keys = { publicKeys: raw.key };
    else if (typeof raw.issuer === 'string' && raw.issuer !== '') {
      entry.keyless = {
        issuer: raw.issuer,
        ...(raw.subject !== undefined ? { subject: raw.subject } : {}),
        ...(raw.roots !== undefined ? { roots: raw.roots } : {}),
      };
    }
    // With attestations present, Kyverno attaches the set to them and then restores the originals: it is dropped.
    if (attestations.length === 0 && (entry.keys !== undefined || entry.keyless !== undefined))
      attestors.push(attestorSet({ entries: [entry] }, `${path}`, problems));
  }
  if (imageReferences.length === 0) problems.push(`${path}.imageReferences: An image reference is required`);
  for (const ref of [...imageReferences, ...asStrings(raw.skipImageReferences)]) {
    if (ref.includes('{{'))
      problems.push(`${path}.imageReferences: variables are not allowed in image reference`);
  }
  const type = raw.type === 'Notary' || raw.type === 'SigstoreBundle' ? raw.type : 'Cosign';
  if (type === 'Notary' && attestors.some((s) => s.entries.some((e) => e.keys !== undefined))) {
    problems.push(`${path}: Keys field is not allowed for type notary`);
  }
  const mutateDigest = raw.mutateDigest === undefined ? true : raw.mutateDigest === true;
  const action = failureAction(raw.failureAction) ?? specAction;
  if (action === 'Audit' && mutateDigest)
    problems.push(`${path}.mutateDigest: mutateDigest must be set to false for ‘Audit’ failure action`);
  const entryAction = failureAction(raw.failureAction);
  return {
    type,
    ...(entryAction === undefined ? {} : { failureAction: entryAction }),
    imageReferences,
    skipImageReferences: asStrings(raw.skipImageReferences),
    attestors,
    attestations,
    ...(typeof raw.repository === 'string' ? { repository: raw.repository } : {}),
    mutateDigest,
    verifyDigest: raw.verifyDigest === undefined ? true : raw.verifyDigest === true,
    required: raw.required === undefined ? true : raw.required === true,
    useCache: raw.useCache === undefined ? true : raw.useCache === true,
    ...(isRecord(raw.imageRegistryCredentials)
      ? {
          imageRegistryCredentials: {
            ...(raw.imageRegistryCredentials.allowInsecureRegistry === true
              ? { allowInsecureRegistry: true }
              : {}),
            providers: asStrings(raw.imageRegistryCredentials.providers),
            secrets: asStrings(raw.imageRegistryCredentials.secrets),
          },
        }
      : {}),
    ...(typeof raw.roots === 'string' ? { roots: raw.roots } : {}),
  };
}

/**
 * Features of a rule that ocisign does not evaluate; each also becomes a load warning, and the
 * engine turns the rule into an `error` rather than deciding without them.
 */
function unsupportedFeatures(rule: Doc, path: string, warnings: string[]): string[] {
  const out: string[] = [];
  if (Array.isArray(rule.context) && rule.context.length > 0) out.push(`${path}.context`);
  for (const [i, v] of asList(rule.verifyImages).entries())
    if (isRecord(v) && v.validate !== undefined) out.push(`${path}.verifyImages[${i}].validate`);
  if (isRecord(rule.imageExtractors)) {
    for (const [kind, list] of Object.entries(rule.imageExtractors))
      if (asList(list).some((e) => isRecord(e) && e.jmesPath !== undefined))
        out.push(`${path}.imageExtractors.${kind}[].jmesPath`);
  }
  for (const feature of out)
    warnings.push(`${feature} is not evaluated by ocisign: the rule reports an error instead of a verdict`);
  return out;
}

/** `spec.rules[0].verifyImages[1].count` → ['spec', 'rules', 0, 'verifyImages', 1, 'count']. */
function pathKeys(path: string): Array<string | number> {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) =>
    m[2] !== undefined ? Number(m[2]) : (m[1] as string),
  );
}

/**
 * Appends "(document N, line L)" to a problem that starts with a path: the line of the node at that
 * path, or of its nearest ancestor that exists (for a missing field).
 */
function locator(document: Document, lines: LineCounter, index: number): (problem: string) => string {
  return (problem) => {
    const path = /^([\w.[\]]+):/.exec(problem)?.[1];
    let keys = path === undefined ? [] : pathKeys(path);
    let node: unknown = keys.length > 0 ? document.getIn(keys, true) : undefined;
    while (keys.length > 0 && !isNode(node)) {
      keys = keys.slice(0, -1);
      node = keys.length > 0 ? document.getIn(keys, true) : undefined;
    }
    const offset = isNode(node) ? node.range?.[0] : document.contents?.range?.[0];
    const line = offset === undefined ? undefined : lines.linePos(offset).line;
    return `${problem} (document ${index + 1}${line === undefined ? '' : `, line ${line}`})`;
  };
}

function policyFrom(doc: Doc, where: (problem: string) => string = (p) => p): Policy {
  const metadata = asRecord(doc.metadata);
  const spec = asRecord(doc.spec);
  const name = typeof metadata.name === 'string' ? metadata.name : '(unnamed)';
  const problems: string[] = [];
  const warnings: string[] = [];
  const specAction = failureAction(spec.validationFailureAction) ?? 'Audit';
  const webhook = asRecord(spec.webhookConfiguration);
  const timeoutSeconds =
    typeof webhook.timeoutSeconds === 'number'
      ? webhook.timeoutSeconds
      : typeof spec.webhookTimeoutSeconds === 'number'
        ? spec.webhookTimeoutSeconds
        : 10;
  if (timeoutSeconds < 1 || timeoutSeconds > 30)
    problems.push(
      'spec.webhookConfiguration.timeoutSeconds: the timeout value must be between 1 and 30 seconds',
    );
  const rules: PolicyRule[] = asList(spec.rules).map((r, i) => {
    const rule = asRecord(r);
    const path = `spec.rules[${i}]`;
    const verifyImages = asList(rule.verifyImages).map((v, j) =>
      imageVerification(asRecord(v), `${path}.verifyImages[${j}]`, specAction, problems, warnings),
    );
    const extractors = isRecord(rule.imageExtractors)
      ? (rule.imageExtractors as PolicyRule['imageExtractors'])
      : undefined;
    if (
      verifyImages.some((v) => v.mutateDigest) &&
      Object.values(extractors ?? {}).some((list) => list.some((e) => e.jmesPath !== undefined))
    ) {
      problems.push(
        `${path}.imageExtractors: jmespath may not be used in an image extractor when mutating digests with verify images`,
      );
    }
    return {
      name: typeof rule.name === 'string' ? rule.name : `rule-${i}`,
      match: rule.match,
      ...(rule.exclude === undefined ? {} : { exclude: rule.exclude }),
      verifyImages,
      ...(extractors === undefined ? {} : { imageExtractors: extractors }),
      ...(rule.preconditions === undefined ? {} : { preconditions: rule.preconditions }),
      unsupported: unsupportedFeatures(rule, path, warnings),
    };
  });
  if (problems.length > 0) throw new PolicyValidationError(name, problems.map(where));
  const failurePolicy = (webhook.failurePolicy ?? spec.failurePolicy) === 'Ignore' ? 'Ignore' : 'Fail';
  return {
    kind: doc.kind === 'Policy' ? 'Policy' : 'ClusterPolicy',
    name,
    ...(typeof metadata.namespace === 'string' ? { namespace: metadata.namespace } : {}),
    annotations: asRecord(metadata.annotations) as Record<string, string>,
    validationFailureAction: specAction,
    failurePolicy,
    timeoutSeconds,
    background: spec.background !== false,
    admission: spec.admission !== false,
    emitWarning: spec.emitWarning === true,
    rules,
    warnings,
    raw: doc,
  };
}

/**
 * Reads Kyverno ClusterPolicy / Policy documents (kyverno.io/v1 or v2beta1) from YAML or JSON text.
 * Throws PolicyValidationError for documents Kyverno would refuse; `policy.warnings` holds the
 * deprecation warnings it would return.
 */
export function loadPolicies(text: string): Policy[] {
  const { documents, lines } = yamlDocuments(text, '(YAML)');
  const out: Policy[] = [];
  for (const [index, { document, value }] of documents.entries()) {
    if (!isRecord(value)) continue;
    if (typeof value.apiVersion !== 'string' || !value.apiVersion.startsWith('kyverno.io/')) continue;
    if (value.kind !== 'ClusterPolicy' && value.kind !== 'Policy') continue;
    out.push(policyFrom(value, locator(document, lines, index)));
  }
  return out;
}
