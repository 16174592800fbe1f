/**
 * The files `sign` writes besides what it pushes, as cosign v3.1.2 writes them
 * (`cmd/cosign/cli/sign/sign.go`): `--output-signature` (the base64 signature of a classic
 * signature), `--output-payload` (its simple-signing payload), `--bundle` (the Sigstore bundle of
 * a `--format bundle` signature). With `--upload=false` they are the only place a signature goes.
 * Under `--recursive` each digest gets its own file (`NAME-sha256-<hex>`), as in cosign.
 *
 * Deliberately not here: cosign's legacy bundle file for classic signatures
 * (`LocalSignedPayload`), which ocisign does not write.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import type { SignResult } from '../sign/index.js';
import { UsageError } from './exit-codes.js';
import type { CliIo } from './io.js';

/** cosign's output-file flags of `sign`. */
export const SIGN_OUTPUT_OPTIONS = {
  'output-signature': { type: 'string' },
  'output-payload': { type: 'string' },
  bundle: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The values this module reads. */
export interface SignOutputValues {
  readonly 'output-signature'?: string;
  readonly 'output-payload'?: string;
  readonly bundle?: string;
}

/** What the outputs depend on. */
export interface SignOutputContext {
  readonly format: 'simple-signing' | 'bundle' | 'both';
  /** `--upload` (default true): push to the registry. */
  readonly upload: boolean;
  readonly recursive: boolean;
  readonly images: readonly string[];
}

const given = (value: string | undefined): value is string => value !== undefined && value !== '';

/**
 * Checks the output flags against the format and upload before anything is signed, and returns
 * the warnings to print (cosign ignores the classic files for bundles, with a warning).
 *
 * @throws UsageError for a bundle that would go nowhere (cosign's rule), `--bundle` with classic
 * signatures only, or output files for several images.
 */
export function checkSignOutputs(values: SignOutputValues, ctx: SignOutputContext): string[] {
  const classicFiles = (['output-signature', 'output-payload'] as const).filter((f) => given(values[f]));
  if (ctx.format !== 'simple-signing' && !ctx.upload && !given(values.bundle))
    throw new UsageError(
      'must enable upload to the OCI registry or specify a local --bundle path with --new-bundle-format',
    );
  if (ctx.format === 'simple-signing' && given(values.bundle))
    throw new UsageError(
      '--bundle writes the Sigstore bundle of --format bundle (or both); ocisign does not write cosign’s legacy bundle file for classic signatures',
    );
  if (ctx.images.length > 1 && (classicFiles.length > 0 || given(values.bundle)))
    throw new UsageError(
      'output files hold one image’s signatures: sign one image at a time with --output-signature, --output-payload or --bundle (--recursive names a file per digest)',
    );
  return ctx.format === 'bundle'
    ? classicFiles.map((f) => `--${f} is ignored with --format bundle (the bundle holds the signature)`)
    : [];
}

const NEWLINE = new Uint8Array([0x0a]);

function write(io: CliIo, path: string, content: string | Uint8Array): void {
  writeFileSync(resolve(io.cwd, path), content, { mode: 0o600 });
}

/**
 * Writes the output files of one image's signing: per digest signed, the classic signatures and
 * payloads (one a line) and the bundle.
 */
export function writeSignOutputs(
  values: SignOutputValues,
  io: CliIo,
  result: SignResult,
  recursive: boolean,
): void {
  const digests = [...new Set(result.signatures.map((s) => s.digest))];
  for (const digest of digests) {
    const signed = result.signatures.filter((s) => s.digest === digest);
    const classic = signed.filter((s) => s.format === 'simple-signing');
    const bundle = signed.find((s) => s.format === 'bundle')?.bundle;
    const name = (path: string) => (recursive ? `${path}-${digest.replace(':', '-')}` : path);
    const signaturePath = values['output-signature'];
    if (given(signaturePath) && classic.length > 0)
      write(io, name(signaturePath), classic.map((s) => s.signature).join('\n'));
    const payloadPath = values['output-payload'];
    if (given(payloadPath) && classic.length > 0)
      write(
        io,
        name(payloadPath),
        Buffer.concat(classic.flatMap((s, i) => (i === 0 ? [s.payload] : [NEWLINE, s.payload]))),
      );
    if (given(values.bundle) && bundle !== undefined) {
      write(io, name(values.bundle), bundle);
      io.err(`Wrote bundle to file ${name(values.bundle)}\n`);
    }
  }
}
