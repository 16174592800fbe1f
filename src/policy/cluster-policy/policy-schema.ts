/**
 * The shape of a Kyverno `ClusterPolicy` / `Policy` document (kyverno.io/v1, v2beta1) as far as
 * ocisign reads it, in the shared schema vocabulary: one check where the document enters, so a
 * number where a list belongs is a typed error naming the path, never a TypeError later and never
 * a field silently read as "absent". Types follow Kyverno's CRD (`api/kyverno/v1`): enums are
 * enums, booleans are booleans; unknown members are ignored, and `null` means absent (the
 * Kubernetes API server prunes nulls before Kyverno sees the policy).
 *
 * Deliberately only the shape: defaults, conversions and Kyverno's own admission checks (with its
 * messages) are in `policy-convert.ts` and `kyverno-validation.ts`.
 */
import {
  array,
  boolean,
  type Infer,
  isJsonObject,
  literal,
  number,
  object,
  oneOf,
  optionalOrNull,
  record,
  refine,
  type Shape,
  string,
  unknownValue,
} from '../../internal/shape.js';

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
    matchLabels: optionalOrNull(stringMap),
    matchExpressions: optionalOrNull(
      array(
        object(
          { key: string, operator: string, values: optionalOrNull(strings) },
          'a label selector requirement',
        ),
      ),
    ),
  },
  'a label selector (matchLabels, matchExpressions)',
);

const resourceDescription = object({
  kinds: optionalOrNull(strings),
  name: optionalOrNull(string),
  names: optionalOrNull(strings),
  namespaces: optionalOrNull(strings),
  annotations: optionalOrNull(stringMap),
  selector: optionalOrNull(labelSelector),
  namespaceSelector: optionalOrNull(labelSelector),
  operations: optionalOrNull(array(literal('CREATE', 'UPDATE', 'DELETE', 'CONNECT'))),
});

const subject = object({
  kind: string,
  name: string,
  namespace: optionalOrNull(string),
  apiGroup: optionalOrNull(string),
});

const userInfoFields = {
  subjects: optionalOrNull(array(subject)),
  roles: optionalOrNull(strings),
  clusterRoles: optionalOrNull(strings),
};

const resourceFilter = object({ resources: optionalOrNull(resourceDescription), ...userInfoFields });

const matchResources = object({
  any: optionalOrNull(array(resourceFilter)),
  all: optionalOrNull(array(resourceFilter)),
  resources: optionalOrNull(resourceDescription),
  ...userInfoFields,
});

const condition = object({
  key: unknownValue,
  operator: string,
  value: unknownValue,
  message: optionalOrNull(string),
});
const anyAllConditions = object({
  any: optionalOrNull(array(condition)),
  all: optionalOrNull(array(condition)),
});

const rekor = object({
  url: optionalOrNull(string),
  pubkey: optionalOrNull(string),
  ignoreTlog: optionalOrNull(boolean),
});
const ctlog = object({
  ignoreSCT: optionalOrNull(boolean),
  pubkey: optionalOrNull(string),
  tsaCertChain: optionalOrNull(string),
});

const staticKeys = object({
  publicKeys: optionalOrNull(string),
  kms: optionalOrNull(string),
  secret: optionalOrNull(object({ name: string, namespace: string })),
  signatureAlgorithm: optionalOrNull(string),
  rekor: optionalOrNull(rekor),
  ctlog: optionalOrNull(ctlog),
});

const certificates = object({
  cert: optionalOrNull(string),
  certChain: optionalOrNull(string),
  rekor: optionalOrNull(rekor),
  ctlog: optionalOrNull(ctlog),
});

const keyless = object({
  subject: optionalOrNull(string),
  subjectRegExp: optionalOrNull(string),
  issuer: optionalOrNull(string),
  issuerRegExp: optionalOrNull(string),
  roots: optionalOrNull(string),
  additionalExtensions: optionalOrNull(stringMap),
  rekor: optionalOrNull(rekor),
  ctlog: optionalOrNull(ctlog),
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
  keys: optionalOrNull(staticKeys),
  certificates: optionalOrNull(certificates),
  keyless: optionalOrNull(keyless),
  attestor: optionalOrNull(attestorSet),
  annotations: optionalOrNull(stringMap),
  repository: optionalOrNull(string),
  signatureAlgorithm: optionalOrNull(string),
}) as Shape<RawAttestor>;
const attestorSetObject = object({
  count: optionalOrNull(refine(integer, (n) => (n >= 0 ? undefined : 'a non-negative integer'))),
  entries: optionalOrNull(array(attestor)),
});

const attestation = object({
  name: optionalOrNull(string),
  type: optionalOrNull(string),
  predicateType: optionalOrNull(string),
  attestors: optionalOrNull(array(attestorSet)),
  conditions: optionalOrNull(array(anyAllConditions)),
});

const verifyImage = object({
  failureAction: optionalOrNull(failureAction),
  type: optionalOrNull(literal('Cosign', 'SigstoreBundle', 'Notary')),
  imageReferences: optionalOrNull(strings),
  skipImageReferences: optionalOrNull(strings),
  attestors: optionalOrNull(array(attestorSet)),
  attestations: optionalOrNull(array(attestation)),
  repository: optionalOrNull(string),
  cosignOCI11: optionalOrNull(boolean),
  mutateDigest: optionalOrNull(boolean),
  verifyDigest: optionalOrNull(boolean),
  required: optionalOrNull(boolean),
  useCache: optionalOrNull(boolean),
  imageRegistryCredentials: optionalOrNull(
    object({
      allowInsecureRegistry: optionalOrNull(boolean),
      providers: optionalOrNull(array(literal('default', 'amazon', 'azure', 'google', 'github'))),
      secrets: optionalOrNull(strings),
    }),
  ),
  validate: optionalOrNull(anyObject),
  // Deprecated shorthand, converted by the loader as Kyverno converts it.
  image: optionalOrNull(string),
  key: optionalOrNull(string),
  roots: optionalOrNull(string),
  subject: optionalOrNull(string),
  issuer: optionalOrNull(string),
  additionalExtensions: optionalOrNull(stringMap),
  annotations: optionalOrNull(stringMap),
});

const imageExtractor = object({
  path: string,
  value: optionalOrNull(string),
  name: optionalOrNull(string),
  key: optionalOrNull(string),
  jmesPath: optionalOrNull(string),
});

const rule = object({
  name: optionalOrNull(string),
  match: optionalOrNull(matchResources),
  exclude: optionalOrNull(matchResources),
  context: optionalOrNull(array(anyObject)),
  preconditions: optionalOrNull(oneOf(anyAllConditions, array(condition))),
  imageExtractors: optionalOrNull(record(array(imageExtractor))),
  verifyImages: optionalOrNull(array(verifyImage)),
  validate: optionalOrNull(anyObject),
  mutate: optionalOrNull(anyObject),
  generate: optionalOrNull(anyObject),
});

const spec = object({
  validationFailureAction: optionalOrNull(failureAction),
  validationFailureActionOverrides: optionalOrNull(
    array(
      object({
        action: failureAction,
        namespaces: optionalOrNull(strings),
        namespaceSelector: optionalOrNull(labelSelector),
      }),
    ),
  ),
  failurePolicy: optionalOrNull(literal('Fail', 'Ignore')),
  webhookTimeoutSeconds: optionalOrNull(integer),
  webhookConfiguration: optionalOrNull(
    object({
      failurePolicy: optionalOrNull(literal('Fail', 'Ignore')),
      timeoutSeconds: optionalOrNull(integer),
      matchConditions: optionalOrNull(array(anyObject)),
    }),
  ),
  background: optionalOrNull(boolean),
  admission: optionalOrNull(boolean),
  emitWarning: optionalOrNull(boolean),
  applyRules: optionalOrNull(literal('All', 'One')),
  rules: optionalOrNull(array(rule)),
});

const policyDocumentShape = object(
  {
    apiVersion: string,
    kind: string,
    metadata: optionalOrNull(
      object({
        name: optionalOrNull(string),
        namespace: optionalOrNull(string),
        annotations: optionalOrNull(stringMap),
      }),
    ),
    spec: optionalOrNull(spec),
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
