/**
 * What `sign` and `attest` share around their one SDK call: the services' warnings and notice
 * printed first, the registry flags' client options, the signer (a key
 * or keyless), each image's call with the library options and the evidence options, a service
 * failure explained in one line, and the evidence as the JSON report shows it.
 *
 * Deliberately not here: the flags' meaning (`sigstore-flags.ts`, `registry-flags.ts`), what each
 * command signs and prints.
 */
import type { Signer } from '../keys/signer.js';
import type { RegistryClient } from '../registry/client.js';
import type { LoggedEntrySummary, SigstoreEvidenceOptions } from '../sign/index.js';
import { runImageCommand } from './image-command.js';
import type { CliIo } from './io.js';
import { type RegistryFlagValues, registryFlagOptions } from './registry-flags.js';
import {
  commandSigner,
  explainServiceFailure,
  type SigningServices,
  type SigstoreFlagValues,
} from './sigstore-flags.js';

/** The options every signing call of a command takes: registry, signal, evidence, warnings. */
export type SigningCallOptions = SigstoreEvidenceOptions & {
  readonly registry?: RegistryClient;
  readonly signal?: AbortSignal;
  readonly repository?: string;
  readonly onWarning: (message: string) => void;
};

/** One signing command: its images, the services' plan, more warnings, and the call per image. */
export interface SigningCommand<R> {
  readonly images: readonly string[];
  readonly plan: SigningServices;
  readonly warnings?: readonly string[];
  readonly each: (image: string, signer: Signer, options: SigningCallOptions) => Promise<R>;
}

/** Runs `command` over its images (see the module documentation); the exit code. */
export async function runSigningCommand<R>(
  io: CliIo,
  values: SigstoreFlagValues & RegistryFlagValues & Readonly<Record<string, unknown>>,
  command: SigningCommand<R>,
): Promise<number> {
  const { plan, images } = command;
  const clientOptions = registryFlagOptions(values, io);
  for (const warning of [...plan.warnings, ...(command.warnings ?? [])]) io.err(`WARNING: ${warning}\n`);
  if (plan.notice !== undefined) io.err(`${plan.notice}\n`);
  return runImageCommand(io, values, {
    images,
    clientOptions,
    loadKey: (cliIo, signal) => commandSigner(plan, values, cliIo, signal),
    each: (image, signer, ctx) =>
      explainServiceFailure(ctx.signal, () =>
        command.each(image, signer, { ...ctx.registryOptions, ...plan.evidence, onWarning: ctx.warn }),
      ),
  });
}

/** A signature's evidence as the JSON report shows it. */
export function evidenceReport(made: {
  readonly tlogEntry?: LoggedEntrySummary;
  readonly timestamp?: Date;
}): {
  tlogEntry?: { logIndex: number; logId: string };
  timestamp?: string;
} {
  return {
    ...(made.tlogEntry === undefined
      ? {}
      : { tlogEntry: { logIndex: made.tlogEntry.logIndex, logId: made.tlogEntry.logId } }),
    ...(made.timestamp === undefined ? {} : { timestamp: made.timestamp.toISOString() }),
  };
}
