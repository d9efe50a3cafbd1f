import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_CONTROLS } from '../../lambda/kinds/registry';
import { controlsTable, TABLE_END, TABLE_START, withControlsTable, type TableKind } from '../../lambda/controls/table';
import { parseSettings } from '../../lambda/core/settings';
import { GUARDRAILS_TABLE_END, GUARDRAILS_TABLE_START, guardrailsTable, withGuardrailsTable } from '../../lib/guardrails/table';
import { KIND_LIST } from '../../lambda/kinds/registry';

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
    expect(() => withGuardrailsTable('# no markers', parseSettings({}, 'test'))).toThrow(`README.md must contain the markers ${GUARDRAILS_TABLE_START}`);
  });

  test('its guardrails table is what the generator makes of the example policy (run `npm run docs` to refresh)', () => {
    const example = parseSettings(JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'example-policy.json'), 'utf8')), 'example');
    expect(withGuardrailsTable(readme, example)).toBe(readme);
    expect(readme.indexOf(GUARDRAILS_TABLE_END)).toBeGreaterThan(readme.indexOf(GUARDRAILS_TABLE_START));
  });
});

describe('the guardrails table', () => {
  const rowOf = (table: string, label: string) => table.split('\n').find((row) => row.startsWith(`| ${label} |`));

  test('one row per kind; every control in exactly one column', () => {
    const table = guardrailsTable(parseSettings({}, 'test'));
    const rows = table.split('\n').slice(2);
    expect(rows).toHaveLength(KIND_LIST.length);
    for (const spec of KIND_LIST) {
      const row = rowOf(table, spec.label) ?? '';
      for (const control of spec.controls) {
        const short = `\`${control.id.slice(spec.id.length + 1)}\``;
        expect(row.split(' | ').filter((column) => column.includes(short))).toHaveLength(1);
      }
    }
  });

  test('the columns follow the policy: enforced and seen by a key, respond only, left out; reasons grouped', () => {
    const table = guardrailsTable(parseSettings({ kinds: { model: { mode: 'report' } }, controls: { 'training-job.vpc': 'off' } }, 'test'));
    expect(rowOf(table, 'model')).toBe('| model | – | – | `network-isolation`, `vpc`, `allowed-network`, `required-tags` (the policy\'s mode for it is report) |');
    const notebook = rowOf(table, 'notebook instance') ?? '';
    expect(notebook.split(' | ')[1]).toContain('`direct-internet-access`');
    expect(notebook.split(' | ')[2]).toBe('`private-subnet`, `security-groups` (no condition key of sagemaker:CreateNotebookInstance can see what it checks)');
    const training = (rowOf(table, 'training job') ?? '').split(' | ');
    expect(training[3]).toContain("`vpc` (the policy's mode for it is off)");
    expect(training[3]).toContain('`instance-type` (the policy sets no kinds.training-job.allowedInstanceTypes)');
    expect(training[3]).toContain('; ');
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
