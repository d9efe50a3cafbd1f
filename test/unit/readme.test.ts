import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_CONTROLS } from '../../lambda/kinds/registry';
import { controlsTable, withControlsTable } from '../../lambda/controls/table';
import { parseSettings } from '../../lambda/core/settings';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

describe('README', () => {
  test('its controls table is the one the catalog generates (run `npm run docs` to refresh)', () => {
    expect(withControlsTable(readme)).toBe(readme);
  });

  test('the table has one row per control', () => {
    const rows = controlsTable().split('\n').slice(2);
    expect(rows).toHaveLength(ALL_CONTROLS.length);
    for (const control of ALL_CONTROLS) expect(controlsTable()).toContain(`\`${control.id}\``);
  });

  test('its complete example policy is the tested fixture, and it is valid', () => {
    const block = /<!-- example-policy:start[^>]*-->\s*```json\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const shown: unknown = JSON.parse(block![1]);
    const fixture: unknown = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'example-policy.json'), 'utf8'));
    expect(shown).toEqual(fixture);
    expect(() => parseSettings(shown, 'README example')).not.toThrow();
  });

  test('missing markers are a clear error', () => {
    expect(() => withControlsTable('# no markers')).toThrow('README.md must contain the markers');
  });
});
