/**
 * The `ocisign` command line: cosign's commands and flags where they overlap, on the library.
 * `runCli` returns the exit code; errors are printed as one line on stderr.
 */

import { OperationTimeoutError } from '../errors/index.js';
import { isTimeoutReason } from '../internal/abort.js';
import { attestCommand, usage as attestUsage } from './commands/attest.js';
import { generateKeyPairCommand, usage as generateUsage } from './commands/generate-key-pair.js';
import { policyTestCommand, usage as policyUsage } from './commands/policy-test.js';
import { publicKeyCommand, usage as publicKeyUsage } from './commands/public-key.js';
import { signCommand, usage as signUsage } from './commands/sign.js';
import { verifyCommand, usage as verifyUsage } from './commands/verify.js';
import { verifyAttestationCommand, usage as verifyAttestationUsage } from './commands/verify-attestation.js';
import { verifyBlobCommand, usage as verifyBlobUsage } from './commands/verify-blob.js';
import { exitCodeFor } from './exit-codes.js';
import type { CliIo } from './io.js';

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { run: Command; usage: string }> = {
  'generate-key-pair': { run: generateKeyPairCommand, usage: generateUsage },
  'public-key': { run: publicKeyCommand, usage: publicKeyUsage },
  sign: { run: signCommand, usage: signUsage },
  verify: { run: verifyCommand, usage: verifyUsage },
  attest: { run: attestCommand, usage: attestUsage },
  'verify-attestation': { run: verifyAttestationCommand, usage: verifyAttestationUsage },
  'verify-blob': { run: verifyBlobCommand, usage: verifyBlobUsage },
  policy: { run: policyTestCommand, usage: policyUsage },
};

const HELP = `ocisign: sign and verify container images in cosign's formats, apply Kyverno verifyImages policies.

Commands:
${Object.values(COMMANDS)
  .map((c) => `  ${c.usage.split('\n')[0]}`)
  .join('\n')}

Common flags: --output json|text, --timeout 3m, --allow-insecure-registry
Environment: COSIGN_PASSWORD, COSIGN_REPOSITORY, AWS_* for awskms:// keys, DOCKER_CONFIG for registry credentials,
  SIGSTORE_REKOR_PUBLIC_KEY (and, keyless, SIGSTORE_ROOT_FILE, SIGSTORE_CT_LOG_PUBLIC_KEY_FILE, SIGSTORE_TSA_CERTIFICATE_FILE).
Exit codes: 0 ok, 1 verification failed or policy denied, 2 usage, 3 bad input, 4 a registry, KMS, Rekor log, timestamp server or Fulcio unavailable.
`;

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(HELP);
    return name === undefined ? 2 : 0;
  }
  // An own member only: `ocisign toString` is an unknown command, not Object.prototype.toString.
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.err(`Error: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    const code = exitCodeFor(error);
    // A bare DOMException, or the typed error an AbortSignal.timeout abort becomes (its reason as cause).
    const timedOut =
      (error as { name?: unknown } | null)?.name === 'TimeoutError' ||
      (error instanceof OperationTimeoutError && isTimeoutReason(error.cause));
    const message = timedOut
      ? 'gave up when the --timeout deadline passed (default 3m; raise it with --timeout)'
      : error instanceof Error
        ? error.message
        : String(error);
    io.err(`Error: ${message}\n${code === 2 ? `\n${command.usage}\n` : ''}`);
    return code;
  }
}
