/**
 * A caller's `Signer` seen through the caller's `AbortSignal`: `Signer` is a plugin interface, so a
 * plugin may ignore the signal (and hang past the abort) or reject with the bare `signal.reason`.
 * Through this view both calls stop waiting as soon as the signal fires and every abort is a typed
 * error (`AbortedError` / `OperationTimeoutError`). It adds nothing else: no retries, no caching.
 */
import { InvalidArgumentError } from '../errors/base.js';
import { untilAborted } from '../internal/abort.js';
import type { PublicKey } from '../keys/key-objects.js';
import type { Signer } from '../keys/signer.js';

/**
 * `signer` bounded by `signal` (`signer` itself when there is no signal), after checking that it is
 * a Signer at all — `caller` names the function for the error (`signImage`).
 */
export function abortableSigner(signer: unknown, signal: AbortSignal | undefined, caller: string): Signer {
  const s = signer as Partial<Signer> | null | undefined;
  if (typeof s?.sign !== 'function' || typeof s.publicKey !== 'function')
    throw new InvalidArgumentError(`${caller} needs options.signer: a Signer with sign() and publicKey()`);
  if (s.certificateChain !== undefined && typeof s.certificateChain !== 'function')
    throw new InvalidArgumentError(
      `${caller}: options.signer.certificateChain must be a function when present`,
    );
  if (signal === undefined) return signer as Signer;
  const inner = signer as Signer;
  const chain = inner.certificateChain?.bind(inner);
  return {
    publicKey: (): Promise<PublicKey> =>
      untilAborted(inner.publicKey(), signal, 'Reading the signer’s public key'),
    sign: (data, options) => untilAborted(inner.sign(data, { ...options, signal }), signal, 'Signing'),
    ...(chain === undefined
      ? {}
      : {
          certificateChain: () =>
            untilAborted(chain({ signal }), signal, 'Reading the signer’s certificate chain'),
        }),
  };
}
