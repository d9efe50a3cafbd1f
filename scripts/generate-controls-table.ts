import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withControlsTable } from '../lambda/controls/table';

/** Rewrites the controls table in README.md from the catalog (`npm run docs`); `--check` only compares. */
const readmePath = join(__dirname, '..', 'README.md');
const current = readFileSync(readmePath, 'utf8');
const next = withControlsTable(current);
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('README.md controls table is out of date: run `npm run docs`.');
    process.exit(1);
  }
} else if (next !== current) {
  writeFileSync(readmePath, next);
  console.log('README.md controls table updated.');
} else {
  console.log('README.md controls table already up to date.');
}
