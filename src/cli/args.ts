/** Flag parsing on node:util `parseArgs`, with cosign's spellings and a usage error for mistakes. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './exit-codes.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command understands. */
export const COMMON_OPTIONS = {
  output: { type: 'string', short: 'o' },
  'allow-insecure-registry': { type: 'boolean' },
  'allow-http-registry': { type: 'boolean' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

type ValueOf<O> = O extends { type: 'boolean' } ? boolean : O extends { multiple: true } ? string[] : string;
/** The parsed flags of a command: each one optional, typed by its declaration. */
export type ParsedValues<T> = { [K in keyof T]?: ValueOf<T[K]> };

export function parse<T extends Options>(
  args: readonly string[],
  options: T,
): { values: ParsedValues<T & typeof COMMON_OPTIONS>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedValues<T & typeof COMMON_OPTIONS>, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `--output json|text` (default text). */
export function outputFormat(value: unknown): 'json' | 'text' {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw new UsageError(`--output must be json or text, not ${String(value)}`);
}

/** `--timeout 30s|2m|500ms` (cosign's flag) as milliseconds; default 3 minutes like cosign. */
export function timeoutMs(value: unknown): number {
  if (value === undefined) return 180_000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(value));
  if (m === null) throw new UsageError(`--timeout must look like 30s, 2m or 500ms, not ${String(value)}`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

export function requireFlag(value: unknown, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

export function requireImages(positionals: readonly string[], command: string): readonly string[] {
  if (positionals.length === 0) throw new UsageError(`${command} needs at least one image reference`);
  return positionals;
}
