/** The redactor never forgets the caller's own credentials, however many tokens it has seen since. */
import { describe, expect, it } from 'vitest';
import { SecretRedactor } from '../../../src/registry/redact.js';

describe('SecretRedactor', () => {
  it('keeps a configured password through thousands of token refreshes', () => {
    const redactor = new SecretRedactor();
    redactor.addBasic('ci-bot', 'hunter2-correct-horse');
    redactor.add('static-registry-token-1234', true);
    for (let i = 0; i < 5000; i++) redactor.add(`issued-token-${i}-${'x'.repeat(8)}`);
    const echoed = 'denied: password hunter2-correct-horse and token static-registry-token-1234 refused';
    const scrubbed = redactor.scrub(echoed);
    expect(scrubbed).not.toContain('hunter2-correct-horse');
    expect(scrubbed).not.toContain('static-registry-token-1234');
    // The newest received tokens are still known; the oldest were let go (bounded memory).
    expect(redactor.scrub('issued-token-4999-xxxxxxxx')).not.toContain('issued-token-4999');
    expect(redactor.scrub('issued-token-0-xxxxxxxx')).toContain('issued-token-0');
  });
});
