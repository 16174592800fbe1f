/** Where the CLI reads and writes: the process by default, buffers in tests. */
export interface CliIo {
  /** Results (machine-readable with `--output json`). */
  out(text: string): void;
  /** Progress, warnings and errors. */
  err(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
}
