/**
 * `awskms://` references with exactly sigstore's grammar — four anchored patterns tried in order
 * (key ID, key ARN, alias name, alias ARN), an endpoint that may be empty (`awskms:///…`) — plus,
 * beyond cosign, the newer AWS partitions in ARNs and the ARN's region as a fallback region.
 * Go's RE2 `.` matches anything but `\n`, so alias names here do too.
 */
import { InvalidKeyReferenceError } from '../../errors/kms.js';

/** A parsed `awskms://` reference. */
export interface AwsKmsReference {
  /** `host[:port]` of a custom endpoint, or `''` for AWS's own. */
  readonly endpoint: string;
  /** What is sent to KMS as `KeyId`: the key ID, key ARN, alias name or alias ARN, as written. */
  readonly keyId: string;
  /** `alias/…` for alias forms, else `''`. */
  readonly alias: string;
  readonly form: 'keyID' | 'keyARN' | 'aliasName' | 'aliasARN';
  /** The region inside an ARN, if any (used only when no region is configured). */
  readonly region?: string;
}

const UUID = 'm?r?k?-?[A-Fa-f0-9]{8}-?[A-Fa-f0-9]{4}-?[A-Fa-f0-9]{4}-?[A-Fa-f0-9]{4}-?[A-Fa-f0-9]{12}';
/** cosign's partitions, then the ones AWS added since (isolated regions, European Sovereign Cloud). */
const PARTITIONS = 'aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc';
const ARN = `arn:(?:${PARTITIONS}):kms:([a-z0-9-]+):\\d{12}:`;
const HOST = '([^/]*)/';

const PATTERNS: ReadonlyArray<[AwsKmsReference['form'], RegExp]> = [
  ['keyID', new RegExp(`^awskms://${HOST}(${UUID})$`)],
  ['keyARN', new RegExp(`^awskms://${HOST}(${ARN}key/${UUID})$`)],
  ['aliasName', new RegExp(`^awskms://${HOST}((alias/[^\\n]*))$`)],
  ['aliasARN', new RegExp(`^awskms://${HOST}(${ARN}(alias/[^\\n]*))$`)],
];

/**
 * Parses an `awskms://` reference as cosign does. Throws InvalidKeyReferenceError with the accepted
 * forms when it is not one.
 */
export function parseAwsKmsReference(ref: string): AwsKmsReference {
  if (typeof ref === 'string') {
    for (const [form, pattern] of PATTERNS) {
      const m = pattern.exec(ref);
      if (m === null) continue;
      const endpoint = m[1] as string;
      switch (form) {
        case 'keyID':
          return { endpoint, keyId: m[2] as string, alias: '', form };
        case 'keyARN':
          return { endpoint, keyId: m[2] as string, alias: '', form, region: m[3] as string };
        case 'aliasName':
          return { endpoint, keyId: m[2] as string, alias: m[3] as string, form };
        case 'aliasARN':
          return { endpoint, keyId: m[2] as string, alias: m[4] as string, form, region: m[3] as string };
      }
    }
  }
  const shown =
    typeof ref === 'string' ? JSON.stringify(ref.length > 200 ? `${ref.slice(0, 200)}…` : ref) : String(ref);
  throw new InvalidKeyReferenceError(
    `Invalid AWS KMS reference ${shown}. Use awskms:///<key-id>, awskms:///arn:aws:kms:<region>:<account>:key/<key-id>, awskms:///alias/<name> or awskms:///arn:aws:kms:<region>:<account>:alias/<name> (three slashes when there is no endpoint; awskms://<host:port>/… with one).`,
  );
}

/** Only alias forms can create keys (`cosign generate-key-pair --kms`). */
export function canCreateKey(ref: AwsKmsReference): boolean {
  return ref.form === 'aliasName' || ref.form === 'aliasARN';
}
