/**
 * Review: README.md sends the reader to "Rolling it out" twice (sweep.actOnExisting, the existing estate),
 * and the commit message lists it, but no such section exists: nothing tells the operator when the estate
 * clock starts (the first deploy whose policy enforces anything), that it never moves, or what an upgrade
 * of an already-enforcing guard does.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

test('review: the README has the "Rolling it out" section it refers to', () => {
  const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  expect(readme.includes('See "Rolling it out"')).toBe(true);
  const headings = readme.split('\n').filter((line) => /^#{2,3} /.test(line));
  expect(headings.filter((line) => /^#{2,3} Rolling it out$/.test(line.trim()))).toHaveLength(1);
});
