import { verifyImageAttestations } from '../../sign/index.js';
import { outputFormat, parse, requireFlag, requireImages } from '../args.js';
import { commandContext, loadPublicKey, tlogOptions } from '../context.js';
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
  const tlog = tlogOptions(values, io);
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
        ...tlog,
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
