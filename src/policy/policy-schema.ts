/**
 * The shape of a Kyverno `ClusterPolicy` / `Policy` document (kyverno.io/v1, v2beta1) as far as
 * ocisign reads it, in the shared schema vocabulary: one check where the document enters, so a
 * number where a list belongs is a typed error naming the path, never a TypeError later and never
 * a field silently read as "absent". Types follow Kyverno's CRD (`api/kyverno/v1`): enums are
 * enums, booleans are booleans; unknown members are ignored, and `null` means absent (the
 * Kubernetes API server prunes nulls before Kyverno sees the policy).
 *
 * Deliberately only the shape: defaults, conversions and Kyverno's own admission checks (with its
 * messages) are in `load.ts`.
 */
import {
  array,
  boolean,
  type Infer,
  isJsonObject,
  literal,
  number,
  type OptionalShape,
  object,
  oneOf,
  record,
  refine,
  type Shape,
  string,
  unknownValue,
} from '../internal/shape.js';

/**
 * An optional member for which `null` also means absent (Kubernetes prunes nulls from CRDs, and
 * sends `oldObject: null` in AdmissionReviews).
 */
export function maybe<T>(inner: Shape<T>): OptionalShape<T> {
  return {
    optional: true,
    expected: inner.expected,
    check: (value, path) => (value === undefined || value === null ? undefined : inner.check(value, path)),
  };
}

/**
 * A checked value's type with `undefined` taken out of its optional members: `object()` never
 * writes an undefined member, so under `exactOptionalPropertyTypes` they are truly absent.
 */
export type Clean<T> = T extends readonly (infer U)[]
  ? Clean<U>[]
  : T extends object
    ? { [K in keyof T]: Clean<Exclude<T[K], undefined>> }
    : T;

/** Any JSON object; its members are not read by ocisign (only its presence matters). */
const anyObject: Shape<Record<string, unknown>> = refine(unknownValue, (v) =>
  isJsonObject(v) ? undefined : 'an object',
) as Shape<Record<string, unknown>>;

const integer = refine(number, (n) => (Number.isSafeInteger(n) ? undefined : 'an integer'));
const strings = array(string);
const stringMap = record(string);

/** Kubernetes' `validationFailureAction` spellings (the lowercase ones are deprecated). */
export const FAILURE_ACTIONS = ['Audit', 'Enforce', 'audit', 'enforce'] as const;
const failureAction = literal(...FAILURE_ACTIONS);

const labelSelector = object(
  {
    matchLabels: maybe(stringMap),
    matchExpressions: maybe(
      array(
        object({ key: string, operator: string, values: maybe(strings) }, 'a label selector requirement'),
      ),
    ),
  },
  'a label selector (matchLabels, matchExpressions)',
);

const resourceDescription = object({
  kinds: maybe(strings),
  name: maybe(string),
  names: maybe(strings),
  namespaces: maybe(strings),
  annotations: maybe(stringMap),
  selector: maybe(labelSelector),
  namespaceSelector: maybe(labelSelector),
  operations: maybe(array(literal('CREATE', 'UPDATE', 'DELETE', 'CONNECT'))),
});

const subject = object({ kind: string, name: string, namespace: maybe(string), apiGroup: maybe(string) });

const userInfoFields = {
  subjects: maybe(array(subject)),
  roles: maybe(strings),
  clusterRoles: maybe(strings),
};

const resourceFilter = object({ resources: maybe(resourceDescription), ...userInfoFields });

const matchResources = object({
  any: maybe(array(resourceFilter)),
  all: maybe(array(resourceFilter)),
  resources: maybe(resourceDescription),
  ...userInfoFields,
});

const condition = object({
  key: unknownValue,
  operator: string,
  value: unknownValue,
  message: maybe(string),
});
const anyAllConditions = object({ any: maybe(array(condition)), all: maybe(array(condition)) });

const rekor = object({ url: maybe(string), pubkey: maybe(string), ignoreTlog: maybe(boolean) });
const ctlog = object({ ignoreSCT: maybe(boolean), pubkey: maybe(string), tsaCertChain: maybe(string) });

const staticKeys = object({
  publicKeys: maybe(string),
  kms: maybe(string),
  secret: maybe(object({ name: string, namespace: string })),
  signatureAlgorithm: maybe(string),
  rekor: maybe(rekor),
  ctlog: maybe(ctlog),
});

const certificates = object({
  cert: maybe(string),
  certChain: maybe(string),
  rekor: maybe(rekor),
  ctlog: maybe(ctlog),
});

const keyless = object({
  subject: maybe(string),
  subjectRegExp: maybe(string),
  issuer: maybe(string),
  issuerRegExp: maybe(string),
  roots: maybe(string),
  additionalExtensions: maybe(stringMap),
  rekor: maybe(rekor),
  ctlog: maybe(ctlog),
});

/** An attestor entry; `attestor` nests a whole set, so the shape refers to itself. */
export interface RawAttestor {
  readonly keys?: Clean<Infer<typeof staticKeys>>;
  readonly certificates?: Clean<Infer<typeof certificates>>;
  readonly keyless?: Clean<Infer<typeof keyless>>;
  readonly attestor?: RawAttestorSet;
  readonly annotations?: Record<string, string>;
  readonly repository?: string;
  readonly signatureAlgorithm?: string;
}
/** An attestor set as written. */
export interface RawAttestorSet {
  readonly count?: number;
  readonly entries?: RawAttestor[];
}

const attestorSet: Shape<RawAttestorSet> = {
  expected: 'an attestor set (count, entries)',
  check: (value, path) => attestorSetObject.check(value, path) as RawAttestorSet,
};
const attestor = object({
  keys: maybe(staticKeys),
  certificates: maybe(certificates),
  keyless: maybe(keyless),
  attestor: maybe(attestorSet),
  annotations: maybe(stringMap),
  repository: maybe(string),
  signatureAlgorithm: maybe(string),
}) as Shape<RawAttestor>;
const attestorSetObject = object({
  count: maybe(refine(integer, (n) => (n >= 0 ? undefined : 'a non-negative integer'))),
  entries: maybe(array(attestor)),
});

const attestation = object({
  name: maybe(string),
  type: maybe(string),
  predicateType: maybe(string),
  attestors: maybe(array(attestorSet)),
  conditions: maybe(array(anyAllConditions)),
});

const verifyImage = object({
  failureAction: maybe(failureAction),
  type: maybe(literal('Cosign', 'SigstoreBundle', 'Notary')),
  imageReferences: maybe(strings),
  skipImageReferences: maybe(strings),
  attestors: maybe(array(attestorSet)),
  attestations: maybe(array(attestation)),
  repository: maybe(string),
  cosignOCI11: maybe(boolean),
  mutateDigest: maybe(boolean),
  verifyDigest: maybe(boolean),
  required: maybe(boolean),
  useCache: maybe(boolean),
  imageRegistryCredentials: maybe(
    object({
      allowInsecureRegistry: maybe(boolean),
      providers: maybe(array(literal('default', 'amazon', 'azure', 'google', 'github'))),
      secrets: maybe(strings),
    }),
  ),
  validate: maybe(anyObject),
  // Deprecated shorthand, converted by the loader as Kyverno converts it.
  image: maybe(string),
  key: maybe(string),
  roots: maybe(string),
  subject: maybe(string),
  issuer: maybe(string),
  additionalExtensions: maybe(stringMap),
  annotations: maybe(stringMap),
});

const imageExtractor = object({
  path: string,
  value: maybe(string),
  name: maybe(string),
  key: maybe(string),
  jmesPath: maybe(string),
});

const rule = object({
  name: maybe(string),
  match: maybe(matchResources),
  exclude: maybe(matchResources),
  context: maybe(array(anyObject)),
  preconditions: maybe(oneOf(anyAllConditions, array(condition))),
  imageExtractors: maybe(record(array(imageExtractor))),
  verifyImages: maybe(array(verifyImage)),
  validate: maybe(anyObject),
  mutate: maybe(anyObject),
  generate: maybe(anyObject),
});

const spec = object({
  validationFailureAction: maybe(failureAction),
  validationFailureActionOverrides: maybe(
    array(
      object({ action: failureAction, namespaces: maybe(strings), namespaceSelector: maybe(labelSelector) }),
    ),
  ),
  failurePolicy: maybe(literal('Fail', 'Ignore')),
  webhookTimeoutSeconds: maybe(integer),
  webhookConfiguration: maybe(
    object({
      failurePolicy: maybe(literal('Fail', 'Ignore')),
      timeoutSeconds: maybe(integer),
      matchConditions: maybe(array(anyObject)),
    }),
  ),
  background: maybe(boolean),
  admission: maybe(boolean),
  emitWarning: maybe(boolean),
  applyRules: maybe(literal('All', 'One')),
  rules: maybe(array(rule)),
});

const policyDocumentShape = object(
  {
    apiVersion: string,
    kind: string,
    metadata: maybe(object({ name: maybe(string), namespace: maybe(string), annotations: maybe(stringMap) })),
    spec: maybe(spec),
  },
  'a Kyverno policy (apiVersion, kind, metadata, spec)',
);

/** A `ClusterPolicy` / `Policy` document as written, checked, without defaults. */
export type RawPolicy = Clean<Infer<typeof policyDocumentShape>>;
/** The checker for {@link RawPolicy}. */
export const policyDocument = policyDocumentShape as Shape<RawPolicy>;
/** `spec` as written. */
export type RawSpec = Clean<Infer<typeof spec>>;
/** One `spec.rules[]` entry as written. */
export type RawRule = Clean<Infer<typeof rule>>;
/** One `verifyImages[]` entry as written. */
export type RawVerifyImage = Clean<Infer<typeof verifyImage>>;
/** A `match` / `exclude` block as written. */
export type RawMatchResources = Clean<Infer<typeof matchResources>>;
