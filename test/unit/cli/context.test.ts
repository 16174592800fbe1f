/**
 * The commands' shared frame: `withCommandContext` closes its registry client whichever way the
 * command ends, and `runImageCommand` builds on it (one key, the images in order, one JSON report).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CommandContext, withCommandContext } from '../../../src/cli/context.js';
import { runImageCommand } from '../../../src/cli/image-command.js';
import type { CliIo } from '../../../src/cli/io.js';
import { RegistryClient } from '../../../src/registry/index.js';

function bufferIo(env: Record<string, string> = {}): CliIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env,
    cwd: '/',
    stdout: () => out,
    stderr: () => err,
  };
}

afterEach(() => vi.restoreAllMocks());

describe('withCommandContext', () => {
  it('closes the registry client when the command throws, and rethrows its error unchanged', async () => {
    const close = vi.spyOn(RegistryClient.prototype, 'close');
    const failure = new Error('the command failed');
    let seen: RegistryClient | undefined;
    await expect(
      withCommandContext(bufferIo(), {}, [], async (ctx) => {
        seen = ctx.registry;
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(close).toHaveBeenCalledTimes(1);
    expect(close.mock.contexts[0]).toBe(seen);
  });

  it('closes it after a command that succeeds, and returns its result', async () => {
    const close = vi.spyOn(RegistryClient.prototype, 'close');
    const result = await withCommandContext(bufferIo(), {}, [], async () => {
      expect(close).not.toHaveBeenCalled();
      return 42;
    });
    expect(result).toBe(42);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('makes no client for a bad --timeout (the usage error comes first)', async () => {
    const close = vi.spyOn(RegistryClient.prototype, 'close');
    const run = vi.fn();
    await expect(withCommandContext(bufferIo(), { timeout: 'soon' }, [], run)).rejects.toThrow(
      /--timeout must look like/,
    );
    expect(run).not.toHaveBeenCalled();
    expect(close).not.toHaveBeenCalled();
  });

  it('gives the command COSIGN_REPOSITORY, --output json and a WARNING printer', async () => {
    const io = bufferIo({ COSIGN_REPOSITORY: 'r.example/sigs' });
    const ctx = await withCommandContext(io, { output: 'json' }, [], async (c) => c);
    expect(ctx.json).toBe(true);
    expect(ctx.registryOptions).toEqual({
      registry: ctx.registry,
      signal: ctx.signal,
      repository: 'r.example/sigs',
    });
    ctx.warn('careful');
    ctx.warn('careful'); // the same warning for a second image adds nothing
    ctx.warn('more careful');
    expect(io.stderr()).toBe('WARNING: careful\nWARNING: more careful\n');
    const plain = await withCommandContext(bufferIo({ COSIGN_REPOSITORY: '' }), {}, [], async (c) => c);
    expect(plain.json).toBe(false);
    expect('repository' in plain.registryOptions).toBe(false);
  });
});

describe('runImageCommand', () => {
  it('loads the key once, runs the images in order and prints one JSON array', async () => {
    const io = bufferIo();
    const loadKey = vi.fn(async (given: CliIo, signal: AbortSignal) => {
      expect(given).toBe(io);
      expect(signal.aborted).toBe(false);
      return 'key:cosign.key';
    });
    const code = await runImageCommand(
      io,
      { output: 'json' },
      {
        images: ['a', 'b'],
        loadKey,
        each: async (image, key, ctx: CommandContext) => {
          expect(ctx.signal.aborted).toBe(false);
          return { image, key };
        },
      },
    );
    expect(code).toBe(0);
    expect(loadKey).toHaveBeenCalledTimes(1);
    expect(io.stdout()).toBe('[{"image":"a","key":"key:cosign.key"},{"image":"b","key":"key:cosign.key"}]\n');
  });

  it('closes the client and prints no report when the key or an image fails', async () => {
    const close = vi.spyOn(RegistryClient.prototype, 'close');
    const io = bufferIo();
    const command = { images: ['a', 'b'], loadKey: async () => 'key' };
    await expect(
      runImageCommand(
        io,
        { output: 'json' },
        {
          ...command,
          loadKey: async () => {
            throw new Error('no key');
          },
          each: async () => 1,
        },
      ),
    ).rejects.toThrow('no key');
    const each = vi.fn(async (image: string) => {
      if (image === 'b') throw new Error('b failed');
      return image;
    });
    await expect(runImageCommand(io, { output: 'json' }, { ...command, each })).rejects.toThrow('b failed');
    expect(each).toHaveBeenCalledTimes(2);
    expect(close).toHaveBeenCalledTimes(2);
    expect(io.stdout()).toBe('');
  });
});
