/** `ocisign generate-key-pair [--kms REF] [--output-key-prefix cosign] [--force]` */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, PasswordRequiredError } from '../../errors/index.js';
import {
  encryptCosignPrivateKey,
  exportPublicKeyPem,
  generateKeyPair,
  type PublicKey,
} from '../../keys/index.js';
import { deadline, outputFormat, parse } from '../args.js';
import type { CliIo } from '../io.js';

export const usage = `ocisign generate-key-pair [--kms REF] [--output-key-prefix PREFIX] [--force]
  Without --kms: writes PREFIX.key (cosign's encrypted format, password from COSIGN_PASSWORD) and PREFIX.pub.
  With --kms awskms:///alias/NAME: creates the KMS key (or finds the alias) and writes PREFIX.pub.`;

export async function generateKeyPairCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(args, {
    kms: { type: 'string' },
    'output-key-prefix': { type: 'string' },
    force: { type: 'boolean', short: 'f' },
  });
  const prefix = resolve(io.cwd, values['output-key-prefix'] ?? 'cosign');
  const refuseOverwrite = (path: string) => {
    if (existsSync(path) && values.force !== true)
      throw new InvalidArgumentError(`${path} already exists; pass --force to overwrite it`);
  };
  let publicKey: PublicKey;
  if (values.kms !== undefined) {
    if (!values.kms.startsWith('awskms://'))
      throw new InvalidArgumentError(`--kms ${values.kms}: ocisign creates keys in AWS KMS (awskms://) only`);
    refuseOverwrite(`${prefix}.pub`);
    const { createAwsKmsKey } = await import('../../kms/aws/index.js');
    publicKey = await createAwsKmsKey(values.kms, { signal: deadline(values.timeout) });
  } else {
    const password = io.env.COSIGN_PASSWORD;
    if (password === undefined)
      throw new PasswordRequiredError(
        'Set COSIGN_PASSWORD to the password for the new key (ocisign never prompts)',
      );
    refuseOverwrite(`${prefix}.key`);
    refuseOverwrite(`${prefix}.pub`);
    const pair = await generateKeyPair();
    publicKey = pair.publicKey;
    writeFileSync(`${prefix}.key`, await encryptCosignPrivateKey(pair.privateKey, password), { mode: 0o600 });
    io.err(`Private key written to ${prefix}.key\n`);
  }
  writeFileSync(`${prefix}.pub`, exportPublicKeyPem(publicKey));
  io.err(`Public key written to ${prefix}.pub\n`);
  if (outputFormat(values.output) === 'json')
    io.out(
      `${JSON.stringify({ publicKey: `${prefix}.pub`, ...(values.kms === undefined ? { privateKey: `${prefix}.key` } : { kms: values.kms }) })}\n`,
    );
  return 0;
}
