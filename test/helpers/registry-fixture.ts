/**
 * The registry part of an integration test file: an anonymous docker-registry and a
 * `RegistryClient` for it, started before the file's tests and closed after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { RegistryClient } from '../../src/registry/index.js';
import { type RunningRegistry, startDockerRegistry } from './docker-registry.js';

/** The running registry and its client; read them inside tests (they exist once `beforeAll` ran). */
export interface RegistryFixture {
  readonly registry: RunningRegistry;
  readonly client: RegistryClient;
}

/** Registers the `beforeAll` / `afterAll` that start and close the registry and its client. */
export function registryFixture(): RegistryFixture {
  const state: { registry?: RunningRegistry; client?: RegistryClient } = {};
  beforeAll(async () => {
    state.registry = await startDockerRegistry('none');
    state.client = new RegistryClient({ dockerConfig: false });
  });
  afterAll(async () => {
    await state.client?.close();
    await state.registry?.close();
  });
  const started = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`the ${name} is not started yet: use it inside a test`);
    return value;
  };
  return {
    get registry() {
      return started(state.registry, 'registry');
    },
    get client() {
      return started(state.client, 'registry client');
    },
  };
}
