import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_CONTROLS } from '../../lambda/kinds/registry';
import { controlsTable, TABLE_END, TABLE_START, withControlsTable, type TableKind } from '../../lambda/controls/table';
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

describe('the controls table', () => {
  const kind = {
    label: 'widget',
    controls: [
      { id: 'widget.a', title: 'A | B', severity: 'low', why: 'why', fix: 'run `x | y`', prevent: { rule: 'allowed', lists: [{ key: 'sagemaker:One', setting: 'a', values: () => undefined }, { key: 'sagemaker:Two', setting: 'b', values: () => undefined }] } },
      { id: 'widget.b', title: 'B', severity: 'high', why: 'w', fix: 'f' },
    ],
  } as const satisfies TableKind;

  test('a pipe in a cell is escaped (it would split the cell); keys are code, "respond only" when none', () => {
    expect(controlsTable([kind]).split('\n').slice(2)).toEqual([
      '| `widget.a` | widget | A \\| B | low | why | run `x \\| y` | `sagemaker:One`, `sagemaker:Two` |',
      '| `widget.b` | widget | B | high | w | f | respond only |',
    ]);
  });

  test('the block between the markers is replaced, also when the start marker opens the file', () => {
    const table = controlsTable();
    expect(withControlsTable(`${TABLE_START}\nold\n${TABLE_END}\nafter`)).toBe(`${TABLE_START}\n${table}\n${TABLE_END}\nafter`);
  });

  test('an end marker before the start marker is an error, not a scrambled README', () => {
    expect(() => withControlsTable(`${TABLE_END}\n${TABLE_START}\n`)).toThrow('README.md must contain the markers');
    expect(() => withControlsTable(`${TABLE_START}\n`)).toThrow('README.md must contain the markers');
  });
});
