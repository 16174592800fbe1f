/** `ocisign attest [--key REF] --predicate FILE [--type TYPE] [--format …] [--tlog-upload=false] … IMAGE...` */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PayloadFormatError } from '../../errors/index.js';
import { attestImage } from '../../sign/index.js';
import { oneOf, parse, type RefusedFlags, requireFlag, requireImages } from '../args.js';
import type { CliIo } from '../io.js';
import { REFUSED_REGISTRY_FLAGS, REGISTRY_OPTIONS } from '../registry-flags.js';
import { evidenceReport, runSigningCommand } from '../signing-command.js';
import {
  REFUSED_SIGN_FLAGS,
  SIGSTORE_SIGN_OPTIONS,
  signingServices,
  storageFormat,
} from '../sigstore-flags.js';

export const usage = `ocisign attest [--key REF] --predicate FILE [--type custom|slsaprovenance|slsaprovenance1|spdx|spdxjson|cyclonedx|link|vuln|openvex|URI] [--format simple-signing|bundle] [--tlog-upload=false] [--rekor-url URL] [--timestamp-server-url URL] [--signing-config FILE] [--trusted-root FILE] IMAGE...
  Wraps the predicate in an in-toto statement for the image digest, signs it as DSSE, logs it in a
  transparency log (a dsse entry; as for sign, --tlog-upload=false skips it) and pushes it (the .att
  image by default, or a Sigstore bundle referrer). Keyless without --key, with sign's flags.`;

/** Flags of cosign's `attest` only that ocisign does not take. */
const REFUSED: RefusedFlags = {
  ...REFUSED_SIGN_FLAGS,
  ...REFUSED_REGISTRY_FLAGS,
  'no-upload': 'ocisign always pushes an attestation it makes',
  bundle: 'ocisign pushes the attestation; it writes no bundle file for it',
  replace: 'existing attestations are kept (cosign deprecated --replace)',
  statement: 'ocisign makes the statement from --predicate and --type',
};

export async function attestCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      key: { type: 'string' },
      predicate: { type: 'string' },
      type: { type: 'string' },
      format: { type: 'string' },
      'rekor-entry-type': { type: 'string' },
      ...SIGSTORE_SIGN_OPTIONS,
      ...REGISTRY_OPTIONS,
    },
    REFUSED,
  );
  const images = requireImages(positionals, 'attest');
  const format = storageFormat(values, ['simple-signing', 'bundle']);
  // cosign's default entry type; its `intoto` kind is deprecated.
  oneOf(values['rekor-entry-type'], '--rekor-entry-type', ['dsse']);
  const predicateText = readFileSync(resolve(io.cwd, requireFlag(values.predicate, '--predicate')), 'utf8');
  let predicate: unknown;
  try {
    predicate = JSON.parse(predicateText);
  } catch (error) {
    throw new PayloadFormatError(`--predicate ${values.predicate} is not JSON: ${(error as Error).message}`);
  }
  return runSigningCommand(io, values, {
    images,
    plan: signingServices(values, io, { classic: format === 'simple-signing' }),
    each: async (image, signer, options) => {
      const result = await attestImage(image, {
        signer,
        ...options,
        format,
        predicateType: values.type ?? 'custom',
        predicate,
      });
      if (result.tlogEntry !== undefined)
        io.err(`tlog entry created with index: ${result.tlogEntry.logIndex}\n`);
      io.err(`Pushing attestation (${result.predicateType}) to: ${result.location}\n`);
      return {
        image,
        digest: result.digest,
        predicateType: result.predicateType,
        location: result.location,
        ...evidenceReport(result),
      };
    },
  });
}
