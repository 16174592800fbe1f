/**
 * The Kyverno policy and the Kubernetes objects most policy tests start from, as text or values:
 * one ClusterPolicy with one `verifyImages` rule on Pods whose attestor is one key, and a Pod. A
 * test names only what it is about (the images, an extra member, another attestor block); the rest
 * is the same everywhere.
 *
 * Deliberately not a general YAML builder: a test about another shape of policy (a namespaced
 * Policy, several rules, other match blocks) writes its YAML out, and the examples stay
 * self-contained.
 */

/** What differs between the policies the tests write. Members are YAML text, as it would be written. */
export interface VerifyImagesPolicy {
  /** `metadata.name`. Default `acme`. */
  readonly name?: string;
  /** The rule's name. Default `verify`. */
  readonly ruleName?: string;
  /** The kinds the rule matches, a YAML flow list's items. Default `Pod`. */
  readonly kinds?: string;
  /** More members of the rule, relative to it (`context: …`), written after `match`. */
  readonly ruleMembers?: string;
  /** `imageReferences`, as a YAML flow list. Default `["ghcr.io/acme/*"]`. */
  readonly images?: string;
  /** More members of the verifyImages entry, relative to it (`mutateDigest: false`). */
  readonly entry?: string;
  /** The key's `publicKeys`, as a YAML scalar (`"k8s://ns/key"`, {@link pemScalar}). Default `"k8s://ns/key"`. */
  readonly publicKeys?: string;
  /** Whether the key says `rekor: {ignoreTlog: true}`. Default true. */
  readonly ignoreTlog?: boolean;
  /** The whole `attestors` list instead of the one key, relative to the entry; `''` for none. */
  readonly attestors?: string;
}

/** `text` with every line indented by `spaces` (an empty text stays empty). */
export function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text === ''
    ? ''
    : `${text
        .replace(/\n$/, '')
        .split('\n')
        .map((line) => `${pad}${line}`)
        .join('\n')}\n`;
}

/** A PEM public key as a YAML double-quoted scalar, from the key's base64 DER body. */
export function pemScalar(body: string): string {
  return `"-----BEGIN PUBLIC KEY-----\\n${body}\\n-----END PUBLIC KEY-----"`;
}

/** One attestor entry of one key (`- keys: …`), for an `entries` list. */
export function keyEntry(publicKeys: string, ignoreTlog = true): string {
  return `- keys:\n    publicKeys: ${publicKeys}\n${ignoreTlog ? '    rekor: {ignoreTlog: true}\n' : ''}`;
}

/** The `attestors` list of one key (relative to the verifyImages entry). */
export function keyAttestors(publicKeys: string, ignoreTlog = true): string {
  return `- entries:\n${indent(keyEntry(publicKeys, ignoreTlog), 2)}`;
}

/** A ClusterPolicy (kyverno.io/v1, Enforce) with one verifyImages rule: see {@link VerifyImagesPolicy}. */
export function verifyImagesPolicy(p: VerifyImagesPolicy = {}): string {
  const attestors = p.attestors ?? keyAttestors(p.publicKeys ?? '"k8s://ns/key"', p.ignoreTlog ?? true);
  return `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: ${p.name ?? 'acme'}}
spec:
  validationFailureAction: Enforce
  rules:
  - name: ${p.ruleName ?? 'verify'}
    match: {any: [{resources: {kinds: [${p.kinds ?? 'Pod'}]}}]}
${indent(p.ruleMembers ?? '', 4)}    verifyImages:
    - imageReferences: ${p.images ?? '["ghcr.io/acme/*"]'}
${indent(p.entry ?? '', 6)}${attestors === '' ? '' : `      attestors:\n${indent(attestors, 6)}`}`;
}

/** A Pod in `default` with one container `c` running `image`. */
export function pod(image: string, metadata: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', ...metadata },
    spec: { containers: [{ name: 'c', image }] },
  };
}

/** A Pod named `name` in `default` running `image`, as a YAML document. */
export function podYaml(name: string, image: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: default}\nspec:\n  containers: [{name: app, image: "${image}"}]\n`;
}
