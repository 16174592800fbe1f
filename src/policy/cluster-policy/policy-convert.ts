/**
 * A Kyverno ClusterPolicy / Policy that passed its schema (`policy-schema.ts`) → the typed
 * {@link Policy} the engine evaluates: the CRD defaults applied, the deprecated `verifyImages`
 * shorthand converted as Kyverno converts it, the per-entry checks Kyverno's policy admission runs
 * (with its messages), and a warning for every setting ocisign does not evaluate — a rule feature it
 * cannot evaluate also becomes an `unsupported` entry, which the engine reports as an error.
 *
 * Deliberately not here: reading text and documents, and placing a problem at its line (`../load.ts`);
 * the whole-policy checks (`kyverno-validation.ts`); evaluation (`../engine.ts`).
 */
import { PolicyValidationError } from '../../errors/policy.js';
import type { Attestor, AttestorSet, FailureAction } from '../common/types.js';
import { kyvernoPolicyProblems, type Problem, ruleOperations } from './kyverno-validation.js';
import type {
  RawAttestor,
  RawAttestorSet,
  RawMatchResources,
  RawPolicy,
  RawRule,
  RawVerifyImage,
} from './policy-schema.js';
import type { Attestation, ImageVerification, Policy, PolicyRule, UnsupportedFeature } from './types.js';

/** A path into the document: `['spec', 'rules', 0]`. */
export type Path = ReadonlyArray<string | number>;
const SIGNATURE_ALGORITHMS = ['sha224', 'sha256', 'sha384', 'sha512'];

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
  // Keyless and certificate chains check RFC 3161 timestamps against it; static keys do not.
  if (raw.keys?.ctlog?.tsaCertChain !== undefined)
    c.warnings.push(
      `${dottedPath([...path, 'keys', 'ctlog', 'tsaCertChain'])} is not evaluated by ocisign: RFC 3161 timestamps are not checked for static keys`,
    );
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

/**
 * The typed policy of a document that passed the schema: CRD defaults applied, the deprecated
 * shorthand converted, and the warnings collected. Throws PolicyValidationError listing every
 * problem Kyverno's policy admission would refuse, each placed by `where`.
 */
export function convertPolicy(
  doc: RawPolicy,
  value: Record<string, unknown>,
  where: (p: Problem) => string,
): Policy {
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
  return {
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
    raw: value,
  };
}
