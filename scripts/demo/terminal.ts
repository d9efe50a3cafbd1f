/**
 * Plain-text output for the demo: colour only when stdout is a terminal (and NO_COLOR is not set), using
 * node's own util.styleText where the Node version has it (20.12+); otherwise no colour at all.
 */
import * as util from 'node:util';

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan' | 'magenta';

const styleText = (util as { styleText?: (format: Style | Style[], text: string) => string }).styleText;

export function colourEnabled(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY && typeof styleText === 'function';
}

const enabled = colourEnabled();

export function paint(style: Style | Style[], text: string): string {
  return enabled && styleText !== undefined ? styleText(style, text) : text;
}

export const bold = (text: string): string => paint('bold', text);
export const dim = (text: string): string => paint('dim', text);
export const red = (text: string): string => paint('red', text);
export const green = (text: string): string => paint('green', text);
export const yellow = (text: string): string => paint('yellow', text);
export const cyan = (text: string): string => paint('cyan', text);

// eslint-disable-next-line no-control-regex -- stripping ANSI colour codes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

/** Length as displayed (colour codes take no room). */
export function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)));
}

export function line(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** A labelled line: `  label     text`, continuation lines indented under the text. */
export function field(label: string, text: string | readonly string[], indent = 2): void {
  const lines = typeof text === 'string' ? [text] : text;
  const pad = ' '.repeat(indent);
  lines.forEach((content, index) => {
    line(`${pad}${index === 0 ? padEnd(dim(label), 10) : ' '.repeat(10)} ${content}`);
  });
}

/** Text inside a left rule, as a quoted email. */
export function quoted(text: string, indent = 13): void {
  const pad = ' '.repeat(indent);
  for (const content of text.split('\n')) line(`${pad}${dim('│')} ${content}`);
}

/** A table with a header row; cells may be coloured. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(visibleLength(title), ...rows.map((row) => visibleLength(row[column] ?? ''))));
  const render = (cells: readonly string[]): string => cells.map((cell, column) => padEnd(cell, widths[column] ?? 0)).join(' │ ').trimEnd();
  const rule = widths.map((width) => '─'.repeat(width)).join('─┼─');
  return [bold(render(header)), rule, ...rows.map(render)];
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
