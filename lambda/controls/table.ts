import { KIND_LIST } from '../kinds/registry';
import { preventionKeys, type Control } from './types';

/** What the table reads of a kind: its label and its controls (the registry's KindSpec has both). */
export interface TableKind {
  readonly label: string;
  readonly controls: readonly Pick<Control<never>, 'id' | 'title' | 'severity' | 'why' | 'fix' | 'prevent'>[];
}

export const TABLE_START = '<!-- controls-table:start (generated from lambda/controls by `npm run docs`; do not edit) -->';
export const TABLE_END = '<!-- controls-table:end -->';

/** The README's table of controls, rendered from the catalog: the docs cannot drift from the checks. */
export function controlsTable(kinds: readonly TableKind[] = KIND_LIST): string {
  const rows = kinds.flatMap((spec) => spec.controls.map((control) => ({ control, label: spec.label }))).map(({ control, label }) =>
    [
      `\`${control.id}\``,
      label,
      control.title,
      control.severity,
      control.why,
      control.fix,
      preventionKeys(control.prevent).map((key) => `\`${key}\``).join(', ') || 'respond only',
    ]
      .map((cell) => cell.replace(/\|/g, '\\|'))
      .join(' | '),
  );
  return [
    '| id | resource | control | severity | why | how to fix | guardrail condition keys |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

/** Replaces the generated block between two markers; throws if the markers are missing or out of order. */
export function withBlock(readme: string, startMarker: string, endMarker: string, content: string): string {
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  if (start < 0 || end < start) throw new Error(`README.md must contain the markers ${startMarker} and ${endMarker}`);
  return `${readme.slice(0, start + startMarker.length)}\n${content}\n${readme.slice(end)}`;
}

/** Replaces the generated controls table; throws if the markers are missing. */
export function withControlsTable(readme: string): string {
  return withBlock(readme, TABLE_START, TABLE_END, controlsTable());
}
