/** docs/index.md links every guide under docs/ and names every example, so none is orphaned. */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const index = readFileSync(resolve(ROOT, 'docs', 'index.md'), 'utf8');

describe('docs/index.md', () => {
  it('links every guide', () => {
    const guides = readdirSync(resolve(ROOT, 'docs')).filter((f) => f.endsWith('.md') && f !== 'index.md');
    expect(guides.length).toBeGreaterThan(5);
    for (const guide of guides) expect(index, guide).toContain(`](${guide})`);
  });

  it('names every example', () => {
    for (const example of readdirSync(resolve(ROOT, 'examples')))
      expect(index, example).toContain(`\`${example}\``);
  });
});
