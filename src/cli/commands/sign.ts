/** `ocisign sign [--key REF] [-a key=value]... [--format …] [--recursive] [--upload=false] [--tlog-upload=false] … IMAGE...` */
import type { SignedArtifact } from '../../sign/index.js';
import { signImage } from '../../sign/index.js';
import { ANNOTATION_OPTIONS, parseAnnotationFlags } from '../annotation-flags.js';
import { parse, type RefusedFlags, requireImages } from '../args.js';
import type { CliIo } from '../io.js';
import { REFUSED_REGISTRY_FLAGS, REGISTRY_OPTIONS } from '../registry-flags.js';
import { checkSignOutputs, SIGN_OUTPUT_OPTIONS, writeSignOutputs } from '../sign-output.js';
import { evidenceReport, runSigningCommand } from '../signing-command.js';
import {
  REFUSED_SIGN_FLAGS,
  SIGSTORE_SIGN_OPTIONS,
  signingServices,
  storageFormat,
} from '../sigstore-flags.js';

export const usage = `ocisign sign [--key REF] [-a key=value]... [--format simple-signing|bundle|both] [--recursive] [--upload=false] [--tlog-upload=false] [--rekor-url URL] [--timestamp-server-url URL] [--signing-config FILE] [--trusted-root FILE] IMAGE...
  Signs each image by digest (a tag is resolved first), logs each signature in a transparency log
  (as cosign: the public-good Rekor unless --rekor-url or --signing-config say otherwise;
  --tlog-upload=false to skip), and pushes it: the classic .sig image (default), a Sigstore bundle
  referrer (cosign 3), or both. Nothing is pushed when the log or a TSA fails. --upload=false pushes
  nothing (--output-signature, --output-payload, --bundle write files). Without --key, signs
  keyless: --identity-token TOKEN|FILE (else SIGSTORE_ID_TOKEN or GitHub Actions), --fulcio-url.
  Registry flags: --registry-username/--registry-password, --registry-token, --registry-cacert.
  COSIGN_REPOSITORY stores signatures elsewhere.`;

/** Flags of cosign's `sign` only that ocisign does not take. */
const REFUSED: RefusedFlags = {
  ...REFUSED_SIGN_FLAGS,
  ...REFUSED_REGISTRY_FLAGS,
  payload: 'ocisign makes the payload for the image digest itself (cosign deprecated --payload)',
  attachment: 'attachments are deprecated in cosign; sign the SBOM image itself, or attest it',
  'sign-container-identity': 'the payload names the repository signed (cosign deprecated this flag)',
  'output-certificate': 'a keyless signature’s certificate is in its layer or bundle (--bundle writes it)',
};

function progress(io: CliIo, s: SignedArtifact): void {
  if (s.tlogEntry !== undefined) io.err(`tlog entry created with index: ${s.tlogEntry.logIndex}\n`);
  if (s.location === undefined) io.err(`Signed ${s.digest} (${s.format}); not pushed (--upload=false)\n`);
  else io.err(`${s.duplicate ? 'Signature already present at' : 'Pushing signature to'}: ${s.location}\n`);
}

export async function signCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      key: { type: 'string' },
      ...ANNOTATION_OPTIONS,
      format: { type: 'string' },
      recursive: { type: 'boolean', short: 'r' },
      upload: { type: 'boolean' },
      ...SIGN_OUTPUT_OPTIONS,
      ...SIGSTORE_SIGN_OPTIONS,
      ...REGISTRY_OPTIONS,
    },
    REFUSED,
  );
  const images = requireImages(positionals, 'sign');
  const format = storageFormat(values, ['simple-signing', 'bundle', 'both']);
  const upload = values.upload !== false;
  const recursive = values.recursive === true;
  const warnings = checkSignOutputs(values, { format, upload, recursive, images });
  const annotations = parseAnnotationFlags(values.annotations ?? []);
  return runSigningCommand(io, values, {
    images,
    plan: signingServices(values, io, { classic: format !== 'bundle' }),
    warnings,
    each: async (image, signer, options) => {
      const result = await signImage(image, { signer, ...options, format, annotations, recursive, upload });
      for (const s of result.signatures) progress(io, s);
      writeSignOutputs(values, io, result, recursive);
      return {
        image,
        digest: result.digest,
        signatures: result.signatures.map((s) => ({
          digest: s.digest,
          format: s.format,
          location: s.location,
          duplicate: s.duplicate === true,
          ...evidenceReport(s),
          ...(upload ? {} : { signature: s.signature, payload: Buffer.from(s.payload).toString('base64') }),
        })),
      };
    },
  });
}
