/**
 * The frame `sign`, `attest`, `verify` and `verify-attestation` share: one context and one key (or
 * none, keyless) for all the images, the images one after another in the order given, the registry client closed
 * however it ends, and under `--output json` one array of the images' reports on stdout. What a
 * command does for one image, and what it prints as it goes, is the command's own.
 */

import type { RegistryClientOptions } from '../registry/index.js';
import { type CommandContext, withCommandContext } from './context.js';
import type { CliIo } from './io.js';

/** A per-image command, once its flags are checked. */
export interface ImageCommand<K, R> {
  /** The image references, in the order given. */
  readonly images: readonly string[];
  /**
   * Loads what every image is worked on with, once, after the deadline starts: a signer for
   * `--key` to sign, the trusted public keys (none, keyless) to verify.
   */
  readonly loadKey: (io: CliIo, signal: AbortSignal) => Promise<K>;
  /** One image's work: progress on stderr, text results on stdout; returns its `--output json` entry. */
  readonly each: (image: string, key: K, ctx: CommandContext) => Promise<R>;
  /** More options of the command's registry client (the registry flags' credentials and CA). */
  readonly clientOptions?: RegistryClientOptions;
}

/**
 * Runs `command` for each of its images and returns the exit code (0; a failure throws, and the
 * CLI maps the error to its code). Stops at the first image that fails.
 */
export async function runImageCommand<K, R>(
  io: CliIo,
  values: Readonly<Record<string, unknown>>,
  command: ImageCommand<K, R>,
): Promise<number> {
  const { json, report } = await withCommandContext(
    io,
    values,
    command.images,
    async (ctx) => {
      const key = await command.loadKey(io, ctx.signal);
      const entries: R[] = [];
      for (const image of command.images) entries.push(await command.each(image, key, ctx));
      return { json: ctx.json, report: entries };
    },
    command.clientOptions,
  );
  if (json) io.out(`${JSON.stringify(report)}\n`);
  return 0;
}
