/**
 * Runs the `ocisign` CLI in process (`runCli`) with buffered output, as the CLI integration tests
 * call it: the exit code and everything written to stdout and stderr.
 */
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';

/** Where the command runs, its environment, and standard input if it reads any. */
export interface CliRunOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: Uint8Array;
}

/** What one run printed and how it ended. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `ocisign …args` in process. */
export async function runCliBuffered(args: readonly string[], options: CliRunOptions): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const { stdin } = options;
  const io: CliIo = {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
    ...(stdin === undefined ? {} : { readStdin: () => stdin }),
    env: { ...options.env },
    cwd: options.cwd,
  };
  return { code: await runCli(args, io), stdout, stderr };
}
