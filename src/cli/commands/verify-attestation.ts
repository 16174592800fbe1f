/** `ocisign verify-attestation --key REF [--type TYPE] [--insecure-ignore-tlog | --trusted-root FILE] IMAGE...` */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { verifyImageAttestations } from '../../sign/index.js';
import { outputFormat, parse, requireFlag, requireImages } from '../args.js';
import { commandContext, loadPublicKey, rekorKeysFromEnvironment } from '../context.js';
import { UsageError } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export const usage = `ocisign verify-attestation --key REF [--type TYPE] [--insecure-ignore-tlog | --trusted-root FILE] IMAGE...
  Verifies the image's attestations (DSSE over in-toto statements) with the public key and prints
  each verified statement as a JSON line; exits 1 when none of the requested type verifies.`;

export async function verifyAttestationCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    key: { type: 'string' },
    type: { type: 'string' },
    'insecure-ignore-tlog': { type: 'boolean' },
    'trusted-root': { type: 'string' },
  });
  const images = requireImages(positionals, 'verify-attestation');
  const ignoreTlog = values['insecure-ignore-tlog'] === true;
  const rekorPublicKeys = rekorKeysFromEnvironment(io);
  if (!ignoreTlog && values['trusted-root'] === undefined && rekorPublicKeys.length === 0)
    throw new UsageError(
      'ocisign never contacts Rekor: pass --trusted-root trusted_root.json (or set SIGSTORE_REKOR_PUBLIC_KEY), or --insecure-ignore-tlog to skip transparency-log checks',
    );
  const trustedRoot =
    values['trusted-root'] === undefined
      ? undefined
      : JSON.parse(readFileSync(resolve(io.cwd, values['trusted-root']), 'utf8'));
  const keyRef = requireFlag(values.key, '--key');
  const ctx = commandContext(io, values, images);
  const json = outputFormat(values.output) === 'json';
  const report = [];
  try {
    const key = await loadPublicKey(keyRef, io, ctx.signal);
    for (const image of images) {
      const verified = await verifyImageAttestations(image, {
        keys: [key],
        registry: ctx.registry,
        ignoreTlog,
        ...(trustedRoot === undefined ? {} : { trustedRoot }),
        ...(rekorPublicKeys.length === 0 ? {} : { rekorPublicKeys }),
        ...(values.type === undefined ? {} : { predicateType: values.type }),
        ...(ctx.repository === undefined ? {} : { repository: ctx.repository }),
        signal: ctx.signal,
      });
      io.err(
        `\nVerification for ${image} --\n  - ${verified.length} attestation(s) verified against the specified public key\n`,
      );
      if (json)
        report.push({
          image,
          attestations: verified.map((a) => ({
            format: a.format,
            predicateType: a.predicateType,
            statement: a.statement,
          })),
        });
      else for (const a of verified) io.out(`${JSON.stringify(a.statement)}\n`);
    }
  } finally {
    await ctx.close();
  }
  if (json) io.out(`${JSON.stringify(report)}\n`);
  return 0;
}
