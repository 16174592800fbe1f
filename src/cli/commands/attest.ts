/** `ocisign attest --key REF --predicate FILE [--type TYPE] [--format …] IMAGE...` */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PayloadFormatError } from '../../errors/index.js';
import { attestImage } from '../../sign/index.js';
import { oneOf, parse, refuseTlogUpload, requireFlag, requireImages, UPLOAD_OPTIONS } from '../args.js';
import { loadSigner } from '../context.js';
import { runImageCommand } from '../image-command.js';
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
    ...UPLOAD_OPTIONS,
  });
  const images = requireImages(positionals, 'attest');
  const format = oneOf(values.format, '--format', ['simple-signing', 'bundle']) ?? 'simple-signing';
  refuseTlogUpload(values['tlog-upload']);
  const predicateText = readFileSync(resolve(io.cwd, requireFlag(values.predicate, '--predicate')), 'utf8');
  let predicate: unknown;
  try {
    predicate = JSON.parse(predicateText);
  } catch (error) {
    throw new PayloadFormatError(`--predicate ${values.predicate} is not JSON: ${(error as Error).message}`);
  }
  const key = requireFlag(values.key, '--key');
  return runImageCommand(io, values, {
    images,
    loadKey: (io, signal) => loadSigner(key, io, signal),
    each: async (image, signer, ctx) => {
      const result = await attestImage(image, {
        signer,
        ...ctx.registryOptions,
        format,
        predicateType: values.type ?? 'custom',
        predicate,
        onWarning: ctx.warn,
      });
      io.err(`Pushing attestation (${result.predicateType}) to: ${result.location}\n`);
      return {
        image,
        digest: result.digest,
        predicateType: result.predicateType,
        location: result.location,
      };
    },
  });
}
