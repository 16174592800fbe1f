/**
 * Starts Debian's `docker-registry` (CNCF distribution 2.8) on 127.0.0.1 for integration tests, in
 * one of three modes: anonymous, htpasswd Basic auth, or bearer tokens from our token server.
 * Storage lives in a temporary directory removed on close.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCert } from './certs.js';
import { freePort } from './ports.js';
import { startTokenServer, type TokenServer } from './token-server.js';

export type RegistryAuthMode = 'none' | 'basic' | 'token';

function listening(port: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface RunningRegistry {
  /** host:port, e.g. 127.0.0.1:41234 */
  readonly host: string;
  readonly url: string;
  readonly mode: RegistryAuthMode;
  readonly username: string;
  readonly password: string;
  readonly tokenServer?: TokenServer;
  /** PEM of the self-signed certificate, in TLS mode. */
  readonly caPem?: string;
  close(): Promise<void>;
}

export const TEST_USER = { username: 'ocisign', password: 's3cret-test-pass' };

async function waitUntilUp(url: string, child: ChildProcess, logs: () => string, tls = false): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited early:\n${logs()}`);
    if (tls) {
      // Plain HTTP to a TLS port gets a 400 answer once the server listens.
      if (await listening(new URL(url).port)) return;
    } else {
      try {
        const res = await fetch(`${url}/v2/`);
        await res.arrayBuffer();
        if (res.status === 200 || res.status === 401) return;
      } catch {
        // not listening yet
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not start within 15 s:\n${logs()}`);
}

export async function startDockerRegistry(
  mode: RegistryAuthMode = 'none',
  options: { tls?: boolean } = {},
): Promise<RunningRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'ocisign-registry-'));
  const port = await freePort();
  let tls = '';
  let caPem: string | undefined;
  if (options.tls === true) {
    // A self-signed certificate for 127.0.0.1, which the client must be told to trust (ca option).
    const { keyPath: key, certPath: cert } = selfSignedCert(dir, 'tls', {
      subject: '/CN=127.0.0.1',
      subjectAltName: 'IP:127.0.0.1',
    });
    caPem = readFileSync(cert, 'utf8');
    tls = `  tls:\n    certificate: ${cert}\n    key: ${key}\n`;
  }
  let tokenServer: TokenServer | undefined;
  let auth = '';
  if (mode === 'basic') {
    const line = execFileSync('htpasswd', ['-Bbn', TEST_USER.username, TEST_USER.password], {
      encoding: 'utf8',
    });
    writeFileSync(join(dir, 'htpasswd'), line);
    auth = `auth:\n  htpasswd:\n    realm: basic-realm\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (mode === 'token') {
    tokenServer = await startTokenServer(dir, TEST_USER);
    auth = `auth:\n  token:\n    realm: ${tokenServer.realm}\n    service: ${tokenServer.service}\n    issuer: ${tokenServer.issuer}\n    rootcertbundle: ${tokenServer.certPath}\n`;
  }
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: ocisign-test-secret',
    tls.trimEnd(),
    auth,
  ].join('\n');
  writeFileSync(join(dir, 'config.yml'), config);
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const url = `${options.tls === true ? 'https' : 'http'}://127.0.0.1:${port}`;
  try {
    await waitUntilUp(
      options.tls === true ? url.replace('https:', 'http:') : url,
      child,
      () => stderr,
      options.tls === true,
    );
  } catch (error) {
    child.kill('SIGKILL');
    await tokenServer?.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    mode,
    ...TEST_USER,
    ...(tokenServer === undefined ? {} : { tokenServer }),
    ...(caPem === undefined ? {} : { caPem }),
    async close() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      await tokenServer?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
