/**
 * The fault switch the Sigstore doubles share (each service's own faults: rekor-, fulcio-,
 * tsa-faults tests): counting, scoping, replacing, releasing hung requests, and one validation
 * of the options for every service.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../../src/errors/index.js';
import { createFaultController } from '../../../../src/testing/sigstore/faults.js';

type Kind = 'down' | 'hang' | 'slow' | 'lie';
const kinds: readonly Kind[] = ['down', 'hang', 'slow', 'lie'];

describe('the shared fault switch', () => {
  it('is met by the next `times` requests, then no more', () => {
    const faults = createFaultController<Kind>('Test', kinds);
    expect(faults.meet()).toBeUndefined();
    faults.switch.inject('down', { times: 2 });
    expect(faults.switch.active).toBe('down');
    expect(faults.meet()).toEqual({ kind: 'down', delayMs: 1000 });
    expect(faults.meet()?.kind).toBe('down');
    expect(faults.switch.active).toBeUndefined();
    expect(faults.meet()).toBeUndefined();
  });

  it('does not count a request the fault does not apply to', () => {
    const faults = createFaultController<Kind>('Test', kinds);
    faults.switch.inject('lie', { times: 1 });
    expect(faults.meet(({ kind }) => kind !== 'lie')).toBeUndefined();
    expect(faults.switch.active).toBe('lie');
    expect(faults.meet()?.kind).toBe('lie');
    expect(faults.switch.active).toBeUndefined();
  });

  it('lasts until cleared without `times`; a new fault replaces the old; delayMs is passed on', () => {
    const faults = createFaultController<Kind>('Test', kinds);
    faults.switch.inject('down');
    for (let n = 0; n < 5; n++) expect(faults.meet()?.kind).toBe('down');
    faults.switch.inject('slow', { delayMs: 0 });
    expect(faults.meet()).toEqual({ kind: 'slow', delayMs: 0 });
    faults.switch.clear();
    expect(faults.switch.active).toBeUndefined();
    expect(faults.meet()).toBeUndefined();
  });

  it('releases every hung request on clear, and only then', async () => {
    const faults = createFaultController<Kind>('Test', kinds);
    faults.switch.inject('hang');
    let released = 0;
    const held = [faults.released(), faults.released()].map((p) => p.then(() => released++));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(released).toBe(0);
    faults.switch.clear();
    await Promise.all(held);
    expect(released).toBe(2);
  });

  it('refuses an unknown kind and bad options with InvalidArgumentError, keeping the fault in force', () => {
    const faults = createFaultController<Kind>('Test', kinds);
    faults.switch.inject('down');
    expect(() => faults.switch.inject('up' as Kind)).toThrow(/unknown Test fault: up/);
    for (const options of [
      { times: 0 },
      { times: -1 },
      { times: 1.5 },
      { delayMs: -1 },
      { delayMs: Number.NaN },
    ])
      expect(() => faults.switch.inject('slow', options), JSON.stringify(options)).toThrow(
        InvalidArgumentError,
      );
    expect(faults.switch.active).toBe('down');
  });
});
