/** Where the CLI reads and writes: the process by default, buffers in tests. */
import { readFileSync } from 'node:fs';

export interface CliIo {
  /** Results (machine-readable with `--output json`). */
  out(text: string): void;
  /** Progress, warnings and errors. */
  err(text: string): void;
  /** All of standard input, for a file named `-` (`verify-blob -`); absent where there is none. */
  readonly readStdin?: () => Uint8Array;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** The process's standard streams, environment and working directory. */
export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    readStdin: () => new Uint8Array(readFileSync(process.stdin.fd)),
    env: process.env,
    cwd: process.cwd(),
  };
}
