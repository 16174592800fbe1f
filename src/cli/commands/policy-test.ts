/** `ocisign policy test --policy FILE --resource FILE... [--fixtures FILE] [--strict]` */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PolicyValidationError } from '../../errors/index.js';
import { isJsonObject, own } from '../../internal/shape.js';
import { yamlDocuments } from '../../policy/common/yaml-documents.js';
import {
  fixtureBackend,
  loadPolicies,
  type Policy,
  PolicyEngine,
  registryBackend,
} from '../../policy/index.js';
import { outputFormat, parse, requireFlag } from '../args.js';
import { withCommandContext } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { readFixturesFile } from '../fixtures-file.js';
import type { CliIo } from '../io.js';

export const usage = `ocisign policy test --policy FILE [--policy FILE]... --resource FILE [--resource FILE]... [--fixtures FILE] [--strict]
  Evaluates Kubernetes resources (Pods, pod controllers; multi-document YAML or JSON) against
  Kyverno verifyImages policies as the admission webhooks would, and prints PASS or FAIL per
  resource with Kyverno's message. Without --fixtures the images' registries are queried; with
  --fixtures (JSON: normalized image → {digest, signatures: [public key files], keyless: [records],
  attestations}; see docs/cli.md) it runs offline. Exits 1 when any resource would be denied.`;

function readDocuments(path: string, what: string): Record<string, unknown>[] {
  const { documents } = yamlDocuments(readFileSync(path, 'utf8'), `(${what} ${path})`);
  return documents.flatMap(({ value }) => {
    const items =
      isJsonObject(value) && own(value, 'kind') === 'List' && Array.isArray(own(value, 'items'))
        ? (own(value, 'items') as unknown[])
        : [value];
    return items.filter(isJsonObject);
  });
}

/** `Kind/namespace/name` for the report; members that are not strings print as `?`. */
function resourceName(resource: Record<string, unknown>): string {
  const text = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
  const meta = own(resource, 'metadata');
  const m = isJsonObject(meta) ? meta : {};
  return `${text(own(resource, 'kind'), '?')}/${text(own(m, 'namespace'), 'default')}/${text(own(m, 'name'), '')}`;
}

export async function policyTestCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'test')
    throw new UsageError(`unknown policy command ${sub ?? '(none)'}; try: ocisign policy test`);
  const { values } = parse(rest, {
    policy: { type: 'string', short: 'p', multiple: true },
    resource: { type: 'string', short: 'r', multiple: true },
    fixtures: { type: 'string' },
    strict: { type: 'boolean' },
  });
  const policyFiles = values.policy ?? [];
  if (policyFiles.length === 0) requireFlag(undefined, '--policy');
  const resourceFiles = values.resource ?? [];
  if (resourceFiles.length === 0) requireFlag(undefined, '--resource');
  const policies: Policy[] = [];
  for (const file of policyFiles) {
    const loaded = loadPolicies(readFileSync(resolve(io.cwd, file)));
    // Skipped documents and features not evaluated: the user must see what does not count.
    for (const w of loaded.warnings) io.err(`warning: ${file}: ${w.message}\n`);
    policies.push(...loaded);
  }
  if (policies.length === 0)
    throw new PolicyValidationError('(policy files)', ['no ClusterPolicy or Policy documents found']);
  const resources = resourceFiles.flatMap((f) => readDocuments(resolve(io.cwd, f), 'resource'));
  const { report, denied } = await withCommandContext(io, values, [], async (ctx) => {
    const backend =
      values.fixtures === undefined
        ? registryBackend({ registry: ctx.registry })
        : fixtureBackend(readFixturesFile(resolve(io.cwd, values.fixtures)));
    const engine = new PolicyEngine(policies, { backend, strict: values.strict === true });
    const entries = [];
    let deniedCount = 0;
    for (const resource of resources) {
      const name = resourceName(resource);
      const decision = await engine.evaluate(resource, { signal: ctx.signal });
      if (!decision.allowed) deniedCount++;
      entries.push({ resource: name, ...decision });
      if (!ctx.json) {
        const failing = decision.results.filter((r) => r.status === 'fail' || r.status === 'error');
        io.out(`${decision.allowed ? 'PASS' : 'FAIL'} ${name}\n`);
        for (const r of decision.allowed ? decision.results : failing)
          io.out(`  ${r.policy}/${r.rule}: ${r.status} — ${r.message}\n`);
        for (const w of decision.warnings) io.out(`  warning: ${w}\n`);
      }
    }
    return { report: entries, denied: deniedCount };
  });
  if (outputFormat(values.output) === 'json') io.out(`${JSON.stringify(report)}\n`);
  io.err(`${resources.length - denied} admitted, ${denied} denied\n`);
  return denied === 0 ? 0 : 1;
}
