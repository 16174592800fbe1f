/**
 * Flag parsing on node:util `parseArgs`, with cosign's spellings and a usage error for mistakes: the
 * flags every command understands, the groups several commands share, and the checks on their
 * values. It reads no files and loads no keys (context.ts does).
 */
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

/** How `verify` and `verify-attestation` treat transparency-log evidence (read by `tlogOptions`). */
export const TLOG_OPTIONS = {
  'insecure-ignore-tlog': { type: 'boolean' },
  'trusted-root': { type: 'string' },
} as const satisfies Options;

/** cosign's upload flags on `sign` and `attest`, accepted for compatibility (see `refuseTlogUpload`). */
export const UPLOAD_OPTIONS = {
  'tlog-upload': { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
} as const satisfies Options;

type ValueOf<O> = O extends { type: 'boolean' } ? boolean : O extends { multiple: true } ? string[] : string;
/** The parsed flags of a command: each one optional, typed by its declaration. */
export type ParsedValues<T> = { [K in keyof T]?: ValueOf<T[K]> };

/**
 * Parses a command's flags (its own and `COMMON_OPTIONS`) and positionals, and checks the common
 * flags' values before the command does any work.
 *
 * @throws UsageError for an unknown flag, a missing flag value, or a bad `--output`.
 */
export function parse<T extends Options>(
  args: readonly string[],
  options: T,
): { values: ParsedValues<T & typeof COMMON_OPTIONS>; positionals: string[] } {
  let parsed: { values: ParsedValues<T & typeof COMMON_OPTIONS>; positionals: string[] };
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
    parsed = { values: values as ParsedValues<T & typeof COMMON_OPTIONS>, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  // Checked here, not where the result is printed: a typo in --output must not sign first.
  outputFormat(parsed.values.output);
  return parsed;
}

/**
 * A flag that takes one of a few words: the word, or `undefined` when the flag is absent.
 *
 * @throws UsageError naming the words, e.g. `--format must be simple-signing or bundle, not x`.
 */
export function oneOf<const W extends string>(
  value: unknown,
  flag: string,
  words: readonly W[],
): W | undefined {
  if (value === undefined) return undefined;
  if (words.includes(value as W)) return value as W;
  const list = words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
  throw new UsageError(`${flag} must be ${list}, not ${String(value)}`);
}

/** `--output json|text` (default text). */
export function outputFormat(value: unknown): 'json' | 'text' {
  return oneOf(value, '--output', ['json', 'text']) ?? 'text';
}

/** `--tlog-upload`: only `false` is accepted, since ocisign never uploads to a transparency log. */
export function refuseTlogUpload(value: string | undefined): void {
  if (value !== undefined && value !== 'false')
    throw new UsageError(
      'ocisign does not upload to a transparency log; only --tlog-upload=false is accepted',
    );
}

/** `--timeout 30s|2m|500ms` (cosign's flag) as milliseconds; default 3 minutes like cosign. */
export function timeoutMs(value: unknown): number {
  if (value === undefined) return 180_000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(value));
  if (m === null) throw new UsageError(`--timeout must look like 30s, 2m or 500ms, not ${String(value)}`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

/** The command's deadline: a signal that aborts `--timeout` (default 3 minutes) from now. */
export function deadline(value: unknown): AbortSignal {
  return AbortSignal.timeout(timeoutMs(value));
}

/** A flag's value; `flag is required` (a usage error) when it is absent or empty. */
export function requireFlag(value: unknown, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

/** The image references a command works on: at least one. */
export function requireImages(positionals: readonly string[], command: string): readonly string[] {
  if (positionals.length === 0) throw new UsageError(`${command} needs at least one image reference`);
  return positionals;
}
