/** `ocisign attest --key REF --predicate FILE [--type TYPE] [--format …] IMAGE...` */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PayloadFormatError } from '../../errors/index.js';
import { attestImage } from '../../sign/index.js';
import { outputFormat, parse, requireFlag, requireImages } from '../args.js';
import { commandContext, loadSigner } from '../context.js';
import { UsageError } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export const usage = `ocisign attest --key REF --predicate FILE [--type custom|slsaprovenance|slsaprovenance1|spdx|spdxjson|cyclonedx|link|vuln|openvex|URI] [--format simple-signing|bundle] IMAGE...
  Wraps the predicate in an in-toto statement for the image digest, signs it as DSSE, and pushes it
  (the .att image by default, or a Sigstore bundle referrer).`;

export async function attestCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    key: { type: 'string' },
    predicate: { type: 'string' },
    type: { type: 'string' },
    format: { type: 'string' },
    'tlog-upload': { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
  });
  const images = requireImages(positionals, 'attest');
  const format = values.format ?? 'simple-signing';
  if (format !== 'simple-signing' && format !== 'bundle')
    throw new UsageError(`--format must be simple-signing or bundle, not ${format}`);
  const predicateText = readFileSync(resolve(io.cwd, requireFlag(values.predicate, '--predicate')), 'utf8');
  let predicate: unknown;
  try {
    predicate = JSON.parse(predicateText);
  } catch (error) {
    throw new PayloadFormatError(`--predicate ${values.predicate} is not JSON: ${(error as Error).message}`);
  }
  const keyRef = requireFlag(values.key, '--key');
  const ctx = commandContext(io, values, images);
  const results = [];
  try {
    const signer = await loadSigner(keyRef, io, ctx.signal);
    for (const image of images) {
      const result = await attestImage(image, {
        signer,
        registry: ctx.registry,
        format,
        predicateType: values.type ?? 'custom',
        predicate,
        ...(ctx.repository === undefined ? {} : { repository: ctx.repository }),
        signal: ctx.signal,
        onWarning: (message) => io.err(`WARNING: ${message}\n`),
      });
      io.err(`Pushing attestation (${result.predicateType}) to: ${result.location}\n`);
      results.push({
        image,
        digest: result.digest,
        predicateType: result.predicateType,
        location: result.location,
      });
    }
  } finally {
    await ctx.close();
  }
  if (outputFormat(values.output) === 'json') io.out(`${JSON.stringify(results)}\n`);
  return 0;
}
