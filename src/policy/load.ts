/**
 * `loadPolicies`: Kyverno ClusterPolicy/Policy YAML or JSON (one or many documents, text or
 * UTF-8 bytes) → typed policies with the CRD defaults applied and the deprecated shorthand
 * converted, refusing what Kyverno's policy admission refuses (with its messages) and collecting
 * the warnings it returns. Every document is accounted for: policies are loaded, kinds that verify
 * images in a way ocisign does not evaluate (ImageValidatingPolicy) are refused, anything else is
 * skipped with a warning naming it. Evaluation is elsewhere.
 */
import { type Document, isNode, type LineCounter } from 'yaml';
import { InvalidArgumentError } from '../errors/base.js';
import { PolicyUnsupportedError, PolicyValidationError } from '../errors/policy.js';
import { isJsonObject, own, readShape } from '../internal/shape.js';
import { kyvernoPolicyProblems, type Problem, ruleOperations } from './kyverno-validation.js';
import {
  policyDocument,
  type RawAttestor,
  type RawAttestorSet,
  type RawMatchResources,
  type RawPolicy,
  type RawRule,
  type RawVerifyImage,
} from './policy-schema.js';
import type {
  Attestation,
  Attestor,
  AttestorSet,
  FailureAction,
  ImageVerification,
  LoadedPolicies,
  Policy,
  PolicyLoadWarning,
  PolicyRule,
  UnsupportedFeature,
} from './types.js';
import { yamlDocuments } from './yaml-documents.js';

type Path = ReadonlyArray<string | number>;
const SIGNATURE_ALGORITHMS = ['sha224', 'sha256', 'sha384', 'sha512'];
/** Kinds that verify images with CEL: dropping them would admit everything they guard. */
const IMAGE_VALIDATING_KINDS = ['ImageValidatingPolicy', 'NamespacedImageValidatingPolicy'];

/** `spec.rules[0].verifyImages[1]` for `['spec', 'rules', 0, 'verifyImages', 1]`. */
export function dottedPath(path: Path): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

function failureAction(value: string | undefined): FailureAction | undefined {
  if (value === undefined) return undefined;
  return value === 'Enforce' || value === 'enforce' ? 'Enforce' : 'Audit';
}

/** What one policy's conversion collects. */
interface Collector {
  readonly problems: Problem[];
  readonly warnings: string[];
}

function attestor(raw: RawAttestor, path: Path, c: Collector): Attestor {
  const kinds = (['keys', 'certificates', 'keyless', 'attestor'] as const).filter(
    (k) => raw[k] !== undefined,
  );
  if (kinds.length !== 1)
    c.problems.push({ path, message: 'keys, certificates, keyless, or a nested attestor is required' });
  const out: { -readonly [K in keyof Attestor]: Attestor[K] } = {};
  for (const block of ['keys', 'certificates', 'keyless'] as const) {
    if (raw[block]?.ctlog?.tsaCertChain !== undefined)
      c.warnings.push(
        `${dottedPath([...path, block, 'ctlog', 'tsaCertChain'])} is not evaluated by ocisign: RFC 3161 timestamps are not checked`,
      );
  }
  if (raw.keys !== undefined) {
    const algorithm = raw.keys.signatureAlgorithm;
    if (algorithm !== undefined && !SIGNATURE_ALGORITHMS.includes(algorithm))
      c.problems.push({
        path: [...path, 'keys', 'signatureAlgorithm'],
        message: 'Invalid signature algorithm provided',
      });
    out.keys = raw.keys;
  }
  if (raw.keyless !== undefined) {
    const url = raw.keyless.rekor?.url;
    const roots = raw.keyless.roots;
    if ((url === undefined || url === '') && (roots === undefined || roots === ''))
      c.problems.push({ path: [...path, 'keyless'], message: 'Either Rekor URL or roots are required' });
    out.keyless = raw.keyless;
  }
  if (raw.certificates !== undefined) out.certificates = raw.certificates;
  if (raw.attestor !== undefined) out.attestor = attestorSet(raw.attestor, [...path, 'attestor'], c);
  if (raw.annotations !== undefined) out.annotations = raw.annotations;
  if (raw.repository !== undefined) out.repository = raw.repository;
  if (raw.signatureAlgorithm !== undefined) {
    if (!SIGNATURE_ALGORITHMS.includes(raw.signatureAlgorithm))
      c.problems.push({
        path: [...path, 'signatureAlgorithm'],
        message: 'Invalid signature algorithm provided',
      });
    out.signatureAlgorithm = raw.signatureAlgorithm;
  }
  return out;
}

function attestorSet(raw: RawAttestorSet, path: Path, c: Collector): AttestorSet {
  const entries = (raw.entries ?? []).map((e, i) => attestor(e, [...path, 'entries', i], c));
  if (entries.length === 0) c.problems.push({ path: [...path, 'entries'], message: 'An entry is required' });
  const count = raw.count;
  if (count !== undefined && count > entries.length)
    c.problems.push({ path: [...path, 'count'], message: 'Count cannot exceed length of entries' });
  return count === undefined ? { entries } : { count, entries };
}

function imageVerification(
  raw: RawVerifyImage,
  path: Path,
  specAction: FailureAction,
  c: Collector,
): ImageVerification {
  const imageReferences = [...(raw.imageReferences ?? [])];
  const attestors = (raw.attestors ?? []).map((s, i) => attestorSet(s, [...path, 'attestors', i], c));
  const attestations: Attestation[] = (raw.attestations ?? []).map((att, i) => {
    if (att.predicateType !== undefined)
      c.warnings.push(
        `predicateType has been deprecated use 'type: ${att.predicateType}' instead of 'predicateType: ${att.predicateType}'`,
      );
    return {
      ...(att.name === undefined ? {} : { name: att.name }),
      type: att.type ?? att.predicateType ?? '',
      attestors: (att.attestors ?? []).map((s, j) =>
        attestorSet(s, [...path, 'attestations', i, 'attestors', j], c),
      ),
      conditions: att.conditions ?? [],
    };
  });
  // Deprecated shorthand (image, key, issuer, subject, roots, annotations), converted as Kyverno does.
  if (raw.image !== undefined || raw.key !== undefined || raw.issuer !== undefined) {
    if (raw.image !== undefined && raw.image !== '') imageReferences.push(raw.image);
    const entry: { -readonly [K in keyof RawAttestor]: RawAttestor[K] } = {
      ...(raw.annotations === undefined ? {} : { annotations: raw.annotations }),
    };
    if (raw.key !== undefined && raw.key !== '') entry.keys = { publicKeys: raw.key };
    else if (raw.issuer !== undefined && raw.issuer !== '') {
      entry.keyless = {
        issuer: raw.issuer,
        ...(raw.subject === undefined ? {} : { subject: raw.subject }),
        ...(raw.roots === undefined ? {} : { roots: raw.roots }),
      };
    }
    // With attestations present, Kyverno attaches the set to them and then restores the originals: it is dropped.
    if (attestations.length === 0 && (entry.keys !== undefined || entry.keyless !== undefined))
      attestors.push(attestorSet({ entries: [entry] }, path, c));
  }
  if (imageReferences.length === 0)
    c.problems.push({ path: [...path, 'imageReferences'], message: 'An image reference is required' });
  for (const ref of [...imageReferences, ...(raw.skipImageReferences ?? [])]) {
    if (ref.includes('{{'))
      c.problems.push({
        path: [...path, 'imageReferences'],
        message: 'variables are not allowed in image reference',
      });
  }
  const type = raw.type ?? 'Cosign';
  if (type === 'Notary' && attestors.some((s) => s.entries.some((e) => e.keys !== undefined)))
    c.problems.push({ path, message: 'Keys field is not allowed for type notary' });
  const mutateDigest = raw.mutateDigest ?? true;
  const entryAction = failureAction(raw.failureAction);
  if ((entryAction ?? specAction) === 'Audit' && mutateDigest)
    c.problems.push({
      path: [...path, 'mutateDigest'],
      message: 'mutateDigest must be set to false for ‘Audit’ failure action',
    });
  if (raw.cosignOCI11 === true)
    c.warnings.push(
      `${dottedPath([...path, 'cosignOCI11'])} is not evaluated by ocisign: signatures are looked up where cosign stores them by default`,
    );
  const credentials = raw.imageRegistryCredentials;
  return {
    type,
    ...(entryAction === undefined ? {} : { failureAction: entryAction }),
    imageReferences,
    skipImageReferences: raw.skipImageReferences ?? [],
    attestors,
    attestations,
    ...(raw.repository === undefined ? {} : { repository: raw.repository }),
    mutateDigest,
    verifyDigest: raw.verifyDigest ?? true,
    required: raw.required ?? true,
    useCache: raw.useCache ?? true,
    ...(credentials === undefined
      ? {}
      : {
          imageRegistryCredentials: {
            ...(credentials.allowInsecureRegistry === true ? { allowInsecureRegistry: true } : {}),
            providers: credentials.providers ?? [],
            secrets: credentials.secrets ?? [],
          },
        }),
    ...(raw.roots === undefined ? {} : { roots: raw.roots }),
  };
}

/** The roles / clusterRoles a match or exclude block uses (ocisign cannot know the user's roles). */
function roleFilters(block: RawMatchResources | undefined, path: Path): string[] {
  if (block === undefined) return [];
  const filters = [
    { f: block, at: path },
    ...(block.any ?? []).map((f, j) => ({ f, at: [...path, 'any', j] })),
    ...(block.all ?? []).map((f, j) => ({ f, at: [...path, 'all', j] })),
  ];
  return filters.flatMap(({ f, at }) =>
    (['roles', 'clusterRoles'] as const)
      .filter((k) => (f[k] ?? []).length > 0)
      .map((k) => dottedPath([...at, k])),
  );
}

/**
 * Features of a rule that ocisign does not evaluate; each also becomes a load warning, and the
 * engine turns what the rule selects into an `error` rather than deciding without them.
 */
function unsupportedFeatures(rule: RawRule, path: Path, c: Collector): UnsupportedFeature[] {
  const out: UnsupportedFeature[] = [];
  if ((rule.context ?? []).length > 0)
    out.push({ path: dottedPath([...path, 'context']), feature: 'context' });
  for (const [i, v] of (rule.verifyImages ?? []).entries())
    if (v.validate !== undefined)
      out.push({ path: dottedPath([...path, 'verifyImages', i, 'validate']), feature: 'validate' });
  for (const [kind, list] of Object.entries(rule.imageExtractors ?? {}))
    for (const [j, e] of list.entries())
      if (e.jmesPath !== undefined)
        out.push({
          path: dottedPath([...path, 'imageExtractors', kind, j, 'jmesPath']),
          feature: 'jmesPath',
          kind,
        });
  for (const p of [
    ...roleFilters(rule.match, [...path, 'match']),
    ...roleFilters(rule.exclude, [...path, 'exclude']),
  ])
    out.push({ path: p, feature: 'roles' });
  for (const feature of out)
    c.warnings.push(
      `${feature.path} is not evaluated by ocisign: the rule reports an error instead of a verdict`,
    );
  return out;
}

function rule(raw: RawRule, i: number, specAction: FailureAction, c: Collector): PolicyRule {
  const path = ['spec', 'rules', i];
  const name = raw.name ?? `rule-${i}`;
  const verifyImages = (raw.verifyImages ?? []).map((v, j) =>
    imageVerification(v, [...path, 'verifyImages', j], specAction, c),
  );
  const operations = ruleOperations(raw).filter((o) => o !== 'verifyImages');
  if (operations.length > 0 && verifyImages.length === 0)
    c.warnings.push(
      `${dottedPath(path)} (${name}) is a ${operations.join('/')} rule, which ocisign does not apply: it evaluates verifyImages rules only`,
    );
  for (const [kind, list] of Object.entries(raw.imageExtractors ?? {}))
    for (const [j, e] of list.entries()) {
      const fields = e.path.split('/').filter((s) => s.trim() !== '');
      if (fields.length === 0 && (e.value ?? '') === '')
        c.problems.push({
          path: [...path, 'imageExtractors', kind, j, 'path'],
          message: 'the path must name the field holding the image (or set value)',
        });
    }
  if (
    verifyImages.some((v) => v.mutateDigest) &&
    Object.values(raw.imageExtractors ?? {}).some((list) => list.some((e) => e.jmesPath !== undefined))
  )
    c.problems.push({
      path: [...path, 'imageExtractors'],
      message: 'jmespath may not be used in an image extractor when mutating digests with verify images',
    });
  return {
    name,
    match: raw.match ?? {},
    ...(raw.exclude === undefined ? {} : { exclude: raw.exclude }),
    verifyImages,
    ...(raw.imageExtractors === undefined ? {} : { imageExtractors: raw.imageExtractors }),
    ...(raw.preconditions === undefined ? {} : { preconditions: raw.preconditions }),
    unsupported: unsupportedFeatures(raw, path, c),
  };
}

/** Appends "(document N, line L)": the line of the node at the path, or of its nearest existing ancestor. */
function locator(document: Document, lines: LineCounter, label: string, prefix: Path) {
  return ({ path, message }: Problem): string => {
    let keys = [...path];
    const nodeAt = (k: Path) =>
      k.length + prefix.length > 0 ? document.getIn([...prefix, ...k], true) : undefined;
    let node: unknown = nodeAt(keys);
    while (keys.length > 0 && !isNode(node)) {
      keys = keys.slice(0, -1);
      node = nodeAt(keys);
    }
    const offset = isNode(node) ? node.range?.[0] : document.contents?.range?.[0];
    const line = offset === undefined ? undefined : lines.linePos(offset).line;
    const where = path.length === 0 ? '' : `${dottedPath(path)}: `;
    return `${where}${message} (${label}${line === undefined ? '' : `, line ${line}`})`;
  };
}

function policyFrom(value: unknown, where: (p: Problem) => string): { policy: Policy; raw: RawPolicy } {
  const doc = readShape(value, policyDocument, 'policy', (_message, cause) => {
    const keys = cause.path
      .split('/')
      .slice(1)
      .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
    const path = keys.map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    const name = isJsonObject(value) ? own(value, 'metadata') : undefined;
    const label =
      isJsonObject(name) && typeof own(name, 'name') === 'string'
        ? (own(name, 'name') as string)
        : '(unnamed)';
    return new PolicyValidationError(label, [where({ path, message: `must be ${cause.expected}` })]);
  });
  const name = doc.metadata?.name ?? '(unnamed)';
  const spec = doc.spec ?? {};
  const namespaced = doc.kind === 'Policy';
  const c: Collector = { problems: kyvernoPolicyProblems(doc, namespaced), warnings: [] };
  const specAction = failureAction(spec.validationFailureAction) ?? 'Audit';
  // Not evaluated, and both only ever make ocisign stricter than Kyverno (more rules apply).
  if (spec.applyRules === 'One')
    c.warnings.push('spec.applyRules: One is not evaluated by ocisign: every rule that matches applies');
  if ((spec.webhookConfiguration?.matchConditions ?? []).length > 0)
    c.warnings.push(
      'spec.webhookConfiguration.matchConditions is not evaluated by ocisign: every request its rules match is evaluated',
    );
  const rules = (spec.rules ?? []).map((r, i) => rule(r, i, specAction, c));
  if (c.problems.length > 0) throw new PolicyValidationError(name, c.problems.map(where));
  const failurePolicy =
    (spec.webhookConfiguration?.failurePolicy ?? spec.failurePolicy) === 'Ignore' ? 'Ignore' : 'Fail';
  const policy: Policy = {
    kind: namespaced ? 'Policy' : 'ClusterPolicy',
    name,
    ...(doc.metadata?.namespace === undefined ? {} : { namespace: doc.metadata.namespace }),
    annotations: doc.metadata?.annotations ?? {},
    validationFailureAction: specAction,
    validationFailureActionOverrides: (spec.validationFailureActionOverrides ?? []).map((o) => ({
      ...o,
      action: failureAction(o.action) ?? 'Audit',
    })),
    failurePolicy,
    timeoutSeconds: spec.webhookConfiguration?.timeoutSeconds ?? spec.webhookTimeoutSeconds ?? 10,
    background: spec.background ?? true,
    admission: spec.admission ?? true,
    emitWarning: spec.emitWarning ?? false,
    rules,
    warnings: c.warnings,
    raw: value as Record<string, unknown>,
  };
  return { policy, raw: doc };
}

function text(input: unknown): string {
  if (typeof input === 'string') return input;
  if (input instanceof Uint8Array) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      throw new PolicyValidationError('(YAML)', ['the input is not UTF-8 text']);
    }
  }
  throw new InvalidArgumentError(
    `loadPolicies needs YAML or JSON text (a string or UTF-8 bytes), not ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`,
  );
}

const ownString = (o: Record<string, unknown>, key: string): string | undefined => {
  const v = own(o, key);
  return typeof v === 'string' ? v : undefined;
};

/**
 * Reads Kyverno ClusterPolicy / Policy documents (kyverno.io/v1 or v2beta1) from YAML or JSON text
 * or UTF-8 bytes; the items of a `kind: List` count as documents. Throws PolicyValidationError for
 * documents Kyverno would refuse or that are not objects, and PolicyUnsupportedError for an
 * ImageValidatingPolicy / NamespacedImageValidatingPolicy (ocisign does not evaluate them yet, and
 * skipping them would admit everything they guard). Other documents are skipped; the returned array's
 * `warnings` names each one, and holds every policy's own warnings (`policy.warnings`) too.
 */
export function loadPolicies(input: string | Uint8Array): LoadedPolicies {
  const { documents, lines } = yamlDocuments(text(input), '(YAML)');
  const policies: Policy[] = [];
  const warnings: PolicyLoadWarning[] = [];
  for (const [index, { document, value }] of documents.entries()) {
    const number = index + 1;
    const isList = isJsonObject(value) && own(value, 'kind') === 'List' && Array.isArray(own(value, 'items'));
    const items: Array<{ value: unknown; prefix: Path; label: string }> = isList
      ? (own(value, 'items') as unknown[]).map((item, i) => ({
          value: item,
          prefix: ['items', i],
          label: `document ${number}, item ${i + 1}`,
        }))
      : [{ value, prefix: [], label: `document ${number}` }];
    for (const item of items) {
      if (item.value === null || item.value === undefined) continue;
      if (!isJsonObject(item.value))
        throw new PolicyValidationError('(YAML)', [
          `${item.label} is not a Kubernetes object: write each policy as a YAML document (or an item of a kind: List)`,
        ]);
      const apiVersion = ownString(item.value, 'apiVersion') ?? '';
      const kind = ownString(item.value, 'kind') ?? '';
      const metadata = own(item.value, 'metadata');
      const name = (isJsonObject(metadata) ? ownString(metadata, 'name') : undefined) ?? '(unnamed)';
      const about = `${item.label} (${kind === '' ? '(no kind)' : kind} ${name})`;
      const warn = (message: string) =>
        warnings.push({ document: number, apiVersion, kind, name, message: `${about}: ${message}` });
      if (IMAGE_VALIDATING_KINDS.includes(kind))
        throw new PolicyUnsupportedError(
          `${about}: ${kind} is not supported by ocisign yet (it evaluates the verifyImages rules of ClusterPolicy and Policy); skipping it would admit every image it guards, so the policy stream is refused`,
          { kind, document: number },
        );
      if (apiVersion.startsWith('kyverno.io/') && (kind === 'ClusterPolicy' || kind === 'Policy')) {
        const { policy } = policyFrom(item.value, locator(document, lines, item.label, item.prefix));
        policies.push(policy);
        for (const w of policy.warnings) warn(w);
      } else if (/^([a-z.]+\.)?kyverno\.io\//.test(apiVersion)) {
        warn(
          `skipped: ${kind} verifies no images (ocisign evaluates the verifyImages rules of ClusterPolicy and Policy)`,
        );
      } else {
        warn('skipped: not a Kyverno ClusterPolicy or Policy (ocisign evaluates their verifyImages rules)');
      }
    }
  }
  return Object.defineProperty(policies, 'warnings', {
    value: warnings,
    enumerable: false,
  }) as LoadedPolicies;
}
