/** `ocisign public-key --key REF [--outfile FILE]` */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { exportPublicKeyPem } from '../../keys/index.js';
import { deadline, parse, requireFlag } from '../args.js';
import { loadPublicKey } from '../context.js';
import type { CliIo } from '../io.js';

export const usage = `ocisign public-key --key REF [--outfile FILE]
  Prints the public key of a cosign.key (COSIGN_PASSWORD) or a KMS key (awskms://…).`;

export async function publicKeyCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(args, { key: { type: 'string' }, outfile: { type: 'string' } });
  const signal = deadline(values.timeout);
  const pem = exportPublicKeyPem(await loadPublicKey(requireFlag(values.key, '--key'), io, signal));
  if (values.outfile !== undefined) {
    writeFileSync(resolve(io.cwd, values.outfile), pem);
    io.err(`Public key written to ${values.outfile}\n`);
  } else io.out(pem);
  return 0;
}
