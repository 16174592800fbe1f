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
  timeout: { type: 'string', short: 't' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** How `verify` and `verify-attestation` treat transparency-log evidence (read by `tlogOptions`). */
export const TLOG_OPTIONS = {
  'insecure-ignore-tlog': { type: 'boolean' },
  'trusted-root': { type: 'string' },
} as const satisfies Options;

type ValueOf<O> = O extends { type: 'boolean' } ? boolean : O extends { multiple: true } ? string[] : string;
/** The parsed flags of a command: each one optional, typed by its declaration. */
export type ParsedValues<T> = { [K in keyof T]?: ValueOf<T[K]> };

/** cosign flags a command does not take, each with why (or what to use instead). */
export type RefusedFlags = Readonly<Record<string, string>>;

// Go's strconv.ParseBool, which pflag uses for `--flag=value` on a boolean flag.
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** The long name of a flag argument (`--name` or `--name=…`), or undefined for anything else. */
function longName(arg: string): string | undefined {
  if (!arg.startsWith('--') || arg === '--') return undefined;
  const eq = arg.indexOf('=');
  return eq < 0 ? arg.slice(2) : arg.slice(2, eq);
}

/**
 * Boolean flags as Go's pflag reads them, for parseArgs: `--upload=false` becomes `--no-upload`
 * (parseArgs' negation, so the last occurrence still wins) and `--upload=true` becomes `--upload`.
 * A refused cosign flag is named with its reason before anything else is looked at.
 */
function goArgs(args: readonly string[], options: Options, refused: RefusedFlags): string[] {
  const isBoolean = (name: string) => Object.hasOwn(options, name) && options[name]?.type === 'boolean';
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const name = longName(arg);
    if (name === undefined) {
      out.push(arg);
      continue;
    }
    if (Object.hasOwn(refused, name)) throw new UsageError(`--${name} is not supported: ${refused[name]}`);
    if (name.startsWith('no-') && isBoolean(name.slice(3)))
      throw new UsageError(`unknown flag: --${name} (write --${name.slice(3)}=false)`);
    if (!isBoolean(name)) {
      out.push(arg);
      continue;
    }
    if (arg.includes('=')) {
      const value = arg.slice(arg.indexOf('=') + 1);
      if (GO_TRUE.has(value)) out.push(`--${name}`);
      else if (GO_FALSE.has(value)) out.push(`--no-${name}`);
      else throw new UsageError(`invalid argument "${value}" for "--${name}" flag: it takes true or false`);
      continue;
    }
    // pflag would take `false` as an image reference (a valid one: docker.io/library/false).
    const next = args[i + 1];
    if (next !== undefined && (GO_TRUE.has(next) || GO_FALSE.has(next)))
      throw new UsageError(`--${name} ${next}: a boolean flag takes its value after "=" (--${name}=${next})`);
    out.push(arg);
  }
  return out;
}

/**
 * Parses a command's flags (its own and `COMMON_OPTIONS`) and positionals, and checks the common
 * flags' values before the command does any work. Boolean flags take Go's `--flag=true|false` (as
 * cosign's do); a flag in `refused` is a usage error that names it and says why.
 *
 * @throws UsageError for an unknown or refused flag, a missing flag value, a bad boolean value,
 * or a bad `--output`.
 */
export function parse<T extends Options>(
  args: readonly string[],
  options: T,
  refused: RefusedFlags = {},
): { values: ParsedValues<T & typeof COMMON_OPTIONS>; positionals: string[] } {
  const all: Options = { ...COMMON_OPTIONS, ...options };
  let parsed: { values: ParsedValues<T & typeof COMMON_OPTIONS>; positionals: string[] };
  try {
    const { values, positionals } = parseArgs({
      args: goArgs(args, all, refused),
      options: all,
      allowPositionals: true,
      allowNegative: true,
      strict: true,
    });
    parsed = { values: values as ParsedValues<T & typeof COMMON_OPTIONS>, positionals };
  } catch (error) {
    if (error instanceof UsageError) throw error;
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
