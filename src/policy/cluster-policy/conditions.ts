/**
 * Kyverno `conditions` (`any` / `all` lists of `{key, operator, value}`) with `{{ … }}` variables
 * evaluated as JMESPath against a context object. Used for attestation conditions, where the
 * statement's predicate is the context root (so `{{ repo.branch }}` is `predicate.repo.branch`).
 */
import { search } from '@jmespath-community/jmespath';
import { PolicyValidationError } from '../../errors/policy.js';
import { isJsonObject, own } from '../../internal/shape.js';
import { matchImagePattern } from '../common/wildcard.js';

type Json = unknown;

const WHOLE_VARIABLE = /^\{\{\s*([^{}]+?)\s*\}\}$/;
const VARIABLE = /\{\{\s*([^{}]+?)\s*\}\}/g;

function query(context: Json, expression: string): Json {
  try {
    return search(context as never, expression) ?? null;
  } catch (error) {
    throw new PolicyValidationError('(conditions)', [
      `invalid JMESPath expression "${expression}": ${(error as Error).message}`,
    ]);
  }
}

/** Replaces `{{ expr }}` in strings (a whole-string variable keeps its JSON type), recursively. */
export function substituteVariables(value: Json, context: Json): Json {
  if (typeof value === 'string') {
    const whole = WHOLE_VARIABLE.exec(value);
    if (whole !== null) return query(context, whole[1] as string);
    return value.replace(VARIABLE, (_, expr: string) => {
      const v = query(context, expr);
      return typeof v === 'string' ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => substituteVariables(v, context));
  if (isJsonObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteVariables(v, context)]));
  return value;
}

/** Kyverno's equality: strings match the value as a wildcard pattern, other values compare deeply. */
function equals(key: Json, value: Json): boolean {
  if (typeof key === 'string' && typeof value === 'string') return matchImagePattern(value, key);
  if (typeof key === 'number' && typeof value === 'string' && value.trim() !== '')
    return key === Number(value);
  if (typeof key === 'string' && typeof value === 'number') return Number(key) === value;
  return JSON.stringify(key) === JSON.stringify(value);
}

const list = (v: Json): Json[] => (Array.isArray(v) ? v : [v]);
const inList = (item: Json, values: Json): boolean => list(values).some((v) => equals(item, v));

function compare(key: Json, value: Json): number | undefined {
  const a = typeof key === 'number' ? key : Number(key);
  const b = typeof value === 'number' ? value : Number(value);
  return Number.isNaN(a) || Number.isNaN(b) || key === null || value === null ? undefined : a - b;
}

function evaluate(condition: Record<string, Json>, context: Json): boolean {
  const key = substituteVariables(own(condition, 'key') ?? null, context);
  const value = substituteVariables(own(condition, 'value') ?? null, context);
  const op = own(condition, 'operator');
  const operator = typeof op === 'string' ? op : '';
  const c = compare(key, value);
  switch (operator.toLowerCase()) {
    case 'equals':
    case 'equal':
      return equals(key, value);
    case 'notequals':
    case 'notequal':
      return !equals(key, value);
    case 'in':
    case 'allin':
      return list(key).every((k) => inList(k, value));
    case 'anyin':
      return list(key).some((k) => inList(k, value));
    case 'notin':
    case 'allnotin':
      return list(key).every((k) => !inList(k, value));
    case 'anynotin':
      return list(key).some((k) => !inList(k, value));
    case 'greaterthan':
      return c !== undefined && c > 0;
    case 'greaterthanorequals':
      return c !== undefined && c >= 0;
    case 'lessthan':
      return c !== undefined && c < 0;
    case 'lessthanorequals':
      return c !== undefined && c <= 0;
    default:
      throw new PolicyValidationError('(conditions)', [`unsupported condition operator "${operator}"`]);
  }
}

/**
 * Evaluates Kyverno `conditions`: a list of `{any, all}` blocks, all of which must hold; inside a
 * block every `all` condition and at least one `any` condition (when there are any) must hold.
 */
export function evaluateConditions(conditions: readonly Json[], context: Json): boolean {
  return conditions.every((block) => {
    if (!isJsonObject(block)) return false;
    const allList = own(block, 'all');
    const anyList = own(block, 'any');
    const all = Array.isArray(allList) ? allList : [];
    const any = Array.isArray(anyList) ? anyList : [];
    const allOk = all.every((c) => isJsonObject(c) && evaluate(c, context));
    const anyOk = any.length === 0 || any.some((c) => isJsonObject(c) && evaluate(c, context));
    return allOk && anyOk;
  });
}
