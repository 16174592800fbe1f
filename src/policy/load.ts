/**
 * `loadPolicies`: Kyverno ClusterPolicy/Policy YAML or JSON (one or many documents, text or
 * UTF-8 bytes) → typed policies, refusing what Kyverno's policy admission refuses (with its
 * messages, each placed at its document and line) and collecting the warnings it returns. Every
 * document is accounted for: policies are loaded, kinds that verify images in a way ocisign does
 * not evaluate (ImageValidatingPolicy) are refused, anything else is skipped with a warning naming
 * it. The conversion of one ClusterPolicy (defaults, shorthand, per-entry checks) is
 * `cluster-policy/policy-convert.ts`'s; evaluation is elsewhere.
 */
import { type Document, isNode, type LineCounter } from 'yaml';
import { InvalidArgumentError } from '../errors/base.js';
import { PolicyUnsupportedError, PolicyValidationError } from '../errors/policy.js';
import { isJsonObject, own, readShape } from '../internal/shape.js';
import type { Problem } from './cluster-policy/kyverno-validation.js';
import { convertPolicy, dottedPath, type Path } from './cluster-policy/policy-convert.js';
import { policyDocument } from './cluster-policy/policy-schema.js';
import type { LoadedPolicies, Policy, PolicyLoadWarning } from './cluster-policy/types.js';
import { ownString } from './common/json-value.js';
import { yamlDocuments } from './common/yaml-documents.js';

/** Kinds that verify images with CEL: dropping them would admit everything they guard. */
const IMAGE_VALIDATING_KINDS = ['ImageValidatingPolicy', 'NamespacedImageValidatingPolicy'];

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

/** One policy document: its schema checked (a broken shape placed by `where`), then converted. */
function policyFrom(value: Record<string, unknown>, where: (p: Problem) => string): Policy {
  const doc = readShape(value, policyDocument, 'policy', (_message, cause) => {
    const keys = cause.path
      .split('/')
      .slice(1)
      .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
    const path = keys.map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    const metadata = own(value, 'metadata');
    const label = (isJsonObject(metadata) ? ownString(metadata, 'name') : undefined) ?? '(unnamed)';
    return new PolicyValidationError(label, [where({ path, message: `must be ${cause.expected}` })]);
  });
  return convertPolicy(doc, value, where);
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
        const policy = policyFrom(item.value, locator(document, lines, item.label, item.prefix));
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
