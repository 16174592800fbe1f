/**
 * `startKmsEmulator()`: an AWS KMS stand-in on loopback that speaks the real wire protocol — JSON 1.1
 * over HTTP (`X-Amz-Target: TrentService.<Operation>`), SigV4-signed requests checked against the
 * credentials it issues, AWS-shaped error bodies — so the unmodified `@aws-sdk/client-kms` can talk to
 * it. Operations: CreateKey, CreateAlias, DeleteAlias, ListAliases, DescribeKey, GetPublicKey, Sign,
 * Verify, ScheduleKeyDeletion, EnableKey, DisableKey. Chosen IAM actions can be denied to exercise
 * AccessDenied paths. A test double, not a KMS: keys live in memory and die with the process.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isJsonObject } from '../../internal/shape.js';
import { verifySigV4 } from './sigv4.js';
import {
  ACCOUNT,
  type EmulatedKey,
  hashOf,
  type KeySpec,
  type KeyUsage,
  KmsStore,
  signingAlgorithms,
} from './store.js';

/** Options of {@link startKmsEmulator}: credentials, region, and actions to deny or throttle. */
export interface StartKmsEmulatorOptions {
  readonly region?: string;
  /** IAM actions to deny from the start, e.g. `['kms:Sign']`. */
  readonly deny?: readonly string[];
  readonly port?: number;
}

/** The largest request body the emulator reads (1 MiB, far above any KMS request); larger is 413. */
const MAX_BODY_BYTES = 1024 * 1024;

/** A running KMS emulator: its endpoint, region and the credentials the SDK must sign with. */
export interface RunningKmsEmulator {
  /** `http://127.0.0.1:<port>`: pass as the KMS client's endpoint. */
  readonly endpoint: string;
  readonly region: string;
  /** The only credentials the emulator accepts (SigV4-checked). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Calls received per operation (e.g. `calls.GetPublicKey`), successful or not. */
  readonly calls: Readonly<Record<string, number>>;
  /** Denies these IAM actions (`kms:Sign`, …) from now on; `[]` allows everything again. */
  deny(actions: readonly string[]): void;
  /** Answers the next `count` requests with ThrottlingException, as an overloaded KMS does. */
  throttle(count: number): void;
  /** Stops the server. */
  close(): Promise<void>;
}

class KmsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const SPECS: readonly KeySpec[] = [
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'SYMMETRIC_DEFAULT',
];

function metadata(key: EmulatedKey) {
  return {
    AWSAccountId: ACCOUNT,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.created,
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.usage,
    KeyState: key.state,
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    KeySpec: key.spec,
    CustomerMasterKeySpec: key.spec,
    ...(key.usage === 'SIGN_VERIFY'
      ? { SigningAlgorithms: signingAlgorithms(key.spec) }
      : { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }),
    ...(key.deletionDate === undefined ? {} : { DeletionDate: key.deletionDate }),
  };
}

function b64(value: unknown, field: string): Uint8Array {
  if (typeof value !== 'string')
    throw new KmsFault(
      'ValidationException',
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  return new Uint8Array(Buffer.from(value, 'base64'));
}

/**
 * Starts a loopback HTTP server speaking the AWS KMS JSON 1.1 protocol with SigV4 checks and real
 * crypto, for tests and demos with the real `@aws-sdk/client-kms`.
 */
export async function startKmsEmulator(options: StartKmsEmulatorOptions = {}): Promise<RunningKmsEmulator> {
  const region = options.region ?? 'us-east-1';
  const credentials = {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
  const store = new KmsStore(region);
  let denied = new Set(options.deny ?? []);
  let throttled = 0;
  // No prototype: an X-Amz-Target of `TrentService.toString` counts as data, never Object.prototype's member.
  const calls: Record<string, number> = Object.create(null);

  function usable(id: unknown, action: string): EmulatedKey {
    if (typeof id !== 'string' || id === '')
      throw new KmsFault(
        'ValidationException',
        "1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must not be null",
      );
    const key = store.resolve(id);
    if (key === undefined) {
      throw new KmsFault(
        'NotFoundException',
        id.includes('alias/')
          ? `Alias ${id.startsWith('arn:') ? id : `arn:aws:kms:${region}:${ACCOUNT}:${id}`} is not found.`
          : `Key '${id}' does not exist`,
      );
    }
    if (denied.has(action)) {
      throw new KmsFault(
        'AccessDeniedException',
        `User: arn:aws:iam::${ACCOUNT}:user/ocisign-test is not authorized to perform: ${action} on resource: ${key.arn} because no identity-based policy allows the ${action} action`,
      );
    }
    return key;
  }

  function enabled(key: EmulatedKey): void {
    if (key.state === 'Disabled') throw new KmsFault('DisabledException', `${key.arn} is disabled.`);
    if (key.state === 'PendingDeletion')
      throw new KmsFault('KMSInvalidStateException', `${key.arn} is pending deletion.`);
  }

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    CreateKey(body) {
      if (denied.has('kms:CreateKey'))
        throw new KmsFault(
          'AccessDeniedException',
          `User: arn:aws:iam::${ACCOUNT}:user/ocisign-test is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action`,
        );
      const spec = (body.KeySpec ?? body.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT') as KeySpec;
      const usage = (body.KeyUsage ?? 'ENCRYPT_DECRYPT') as KeyUsage;
      if (!SPECS.includes(spec))
        throw new KmsFault(
          'ValidationException',
          `KeySpec ${String(spec)} is not supported by this emulator`,
        );
      if (usage === 'SIGN_VERIFY' && spec === 'SYMMETRIC_DEFAULT')
        throw new KmsFault(
          'ValidationException',
          'KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT',
        );
      return { KeyMetadata: metadata(store.createKey(spec, usage, String(body.Description ?? ''))) };
    },
    CreateAlias(body) {
      const name = String(body.AliasName ?? '');
      if (!name.startsWith('alias/') || name.startsWith('alias/aws/'))
        throw new KmsFault('ValidationException', `Alias must start with alias/ and not alias/aws/: ${name}`);
      const key = usable(body.TargetKeyId, 'kms:CreateAlias');
      if (store.hasAlias(name))
        throw new KmsFault(
          'AlreadyExistsException',
          `An alias with the name arn:aws:kms:${region}:${ACCOUNT}:${name} already exists`,
        );
      store.setAlias(name, key.keyId);
      return {};
    },
    DeleteAlias(body) {
      if (!store.deleteAlias(String(body.AliasName ?? '')))
        throw new KmsFault('NotFoundException', `Alias ${String(body.AliasName)} is not found.`);
      return {};
    },
    ListAliases() {
      return { Aliases: store.aliases(), Truncated: false };
    },
    DescribeKey(body) {
      return { KeyMetadata: metadata(usable(body.KeyId, 'kms:DescribeKey')) };
    },
    GetPublicKey(body) {
      const key = usable(body.KeyId, 'kms:GetPublicKey');
      enabled(key);
      if (key.spec === 'SYMMETRIC_DEFAULT')
        throw new KmsFault(
          'UnsupportedOperationException',
          `${key.arn} key usage is ENCRYPT_DECRYPT which is not valid for GetPublicKey.`,
        );
      return {
        KeyId: key.arn,
        PublicKey: store.publicKeyDer(key).toString('base64'),
        KeySpec: key.spec,
        CustomerMasterKeySpec: key.spec,
        KeyUsage: key.usage,
        ...(key.usage === 'SIGN_VERIFY'
          ? { SigningAlgorithms: signingAlgorithms(key.spec) }
          : { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }),
      };
    },
    Sign(body) {
      const key = usable(body.KeyId, 'kms:Sign');
      enabled(key);
      if (key.usage !== 'SIGN_VERIFY')
        throw new KmsFault(
          'InvalidKeyUsageException',
          `${key.arn} key usage is ${key.usage} which is not valid for Sign.`,
        );
      const algorithm = String(body.SigningAlgorithm ?? '');
      if (!signingAlgorithms(key.spec).includes(algorithm))
        throw new KmsFault(
          'InvalidKeyUsageException',
          `Algorithm ${algorithm} is incompatible with key spec ${key.spec}.`,
        );
      const messageType = (body.MessageType ?? 'RAW') as 'RAW' | 'DIGEST';
      const message = b64(body.Message, 'message');
      if (messageType === 'DIGEST') {
        const expected = { sha256: 32, sha384: 48, sha512: 64 }[hashOf(algorithm) as 'sha256'];
        if (message.length !== expected)
          throw new KmsFault('ValidationException', `Digest is invalid length for algorithm ${algorithm}.`);
      }
      return {
        KeyId: key.arn,
        Signature: Buffer.from(store.sign(key, algorithm, message, messageType)).toString('base64'),
        SigningAlgorithm: algorithm,
      };
    },
    Verify(body) {
      const key = usable(body.KeyId, 'kms:Verify');
      enabled(key);
      const algorithm = String(body.SigningAlgorithm ?? '');
      if (!signingAlgorithms(key.spec).includes(algorithm))
        throw new KmsFault(
          'InvalidKeyUsageException',
          `Algorithm ${algorithm} is incompatible with key spec ${key.spec}.`,
        );
      const valid = store.verify(
        key,
        algorithm,
        b64(body.Message, 'message'),
        (body.MessageType ?? 'RAW') as 'RAW',
        b64(body.Signature, 'signature'),
      );
      if (!valid) throw new KmsFault('KMSInvalidSignatureException', 'The signature is not valid.');
      return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: algorithm };
    },
    ScheduleKeyDeletion(body) {
      const key = usable(body.KeyId, 'kms:ScheduleKeyDeletion');
      const days = Number(body.PendingWindowInDays ?? 30);
      key.state = 'PendingDeletion';
      key.deletionDate = Math.floor(Date.now() / 1000) + days * 86400;
      return {
        KeyId: key.arn,
        DeletionDate: key.deletionDate,
        KeyState: key.state,
        PendingWindowInDays: days,
      };
    },
    DisableKey(body) {
      usable(body.KeyId, 'kms:DisableKey').state = 'Disabled';
      return {};
    },
    EnableKey(body) {
      usable(body.KeyId, 'kms:EnableKey').state = 'Enabled';
      return {};
    },
  };

  function reply(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res
      .writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': randomBytes(8).toString('hex'),
      })
      .end(text);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    // Answers 413 once, at the first sign of an oversized body, and closes the connection rather
    // than reading the rest: a test double must not buffer whatever a client streams at it.
    const refuseTooLarge = () => {
      if (refused) return;
      refused = true;
      res.on('finish', () => req.socket.destroy());
      res.setHeader('connection', 'close');
      reply(res, 413, {
        __type: 'SerializationException',
        message: `Request body is larger than ${MAX_BODY_BYTES} bytes`,
      });
    };
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) refuseTooLarge();
    req.on('data', (c: Buffer) => {
      if (refused) return;
      size += c.length;
      if (size > MAX_BODY_BYTES) refuseTooLarge();
      else chunks.push(c);
    });
    req.on('end', () => {
      if (refused) return;
      const body = new Uint8Array(Buffer.concat(chunks));
      const url = new URL(req.url ?? '/', 'http://localhost');
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : '';
      calls[operation] = (calls[operation] ?? 0) + 1;
      const auth = verifySigV4(
        {
          method: req.method ?? 'POST',
          path: url.pathname,
          query: url.search.slice(1),
          headers: req.headers,
          body,
        },
        (id) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined),
      );
      if (!auth.ok) {
        reply(res, auth.error === 'MissingAuthenticationToken' ? 403 : 400, {
          __type: auth.error,
          message: auth.message,
        });
        return;
      }
      if (throttled > 0) {
        throttled--;
        reply(res, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
        return;
      }
      const handler = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
      if (handler === undefined) {
        reply(res, 400, { __type: 'UnknownOperationException', message: `Unknown operation ${target}` });
        return;
      }
      let parsed: unknown = {};
      try {
        if (body.length !== 0) parsed = JSON.parse(Buffer.from(body).toString('utf8'));
      } catch {
        reply(res, 400, { __type: 'SerializationException', message: 'Request body is not valid JSON' });
        return;
      }
      if (!isJsonObject(parsed)) {
        reply(res, 400, {
          __type: 'SerializationException',
          message: 'Request body must be a JSON object',
        });
        return;
      }
      try {
        reply(res, 200, handler(parsed));
      } catch (error) {
        if (error instanceof KmsFault)
          reply(res, error.status, { __type: error.type, message: error.message });
        else reply(res, 500, { __type: 'KMSInternalException', message: (error as Error).message });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    credentials,
    calls,
    deny(actions) {
      denied = new Set(actions);
    },
    throttle(count) {
      throttled = count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
