import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withControlsTable } from '../lambda/controls/table';
import { parseSettings } from '../lambda/core/settings';
import { withGuardrailsTable } from '../lib/guardrails/table';

/**
 * Rewrites README.md's generated tables (`npm run docs`): the controls table from the catalog, and what the README's
 * example policy (test/fixtures/example-policy.json) makes of each control in the guardrails. `--check` only compares.
 */
const root = join(__dirname, '..');
const readmePath = join(root, 'README.md');
const examplePath = join(root, 'test', 'fixtures', 'example-policy.json');
const current = readFileSync(readmePath, 'utf8');
const example = parseSettings(JSON.parse(readFileSync(examplePath, 'utf8')) as unknown, examplePath);
const next = withGuardrailsTable(withControlsTable(current), example);
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('README.md generated tables are out of date: run `npm run docs`.');
    process.exit(1);
  }
} else if (next !== current) {
  writeFileSync(readmePath, next);
  console.log('README.md generated tables updated.');
} else {
  console.log('README.md generated tables already up to date.');
}
