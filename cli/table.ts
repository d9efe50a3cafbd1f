/** Borderless cli-table3 tables with fixed column widths, so that tables written a chunk at a time line up. */
import Table from 'cli-table3';

export interface PlainTable {
  readonly head: readonly string[];
  /** Column widths, padding included. */
  readonly colWidths: readonly number[];
  /** Columns whose values have no spaces (names, ids): they wrap anywhere rather than being cut. */
  readonly wrapAnywhere?: readonly number[];
}

/** Right padding of every cell (no left padding). */
const PADDING = 2;

/**
 * Words longer than the cell is wide, broken onto lines of their own: cli-table3 would cut them short with
 * an ellipsis (an ARN, a long error name), and what it cuts is usually what the reader needs.
 */
export function breakLongWords(text: string, width: number): string {
  if (width < 1) return text;
  return text
    .split('\n')
    .map((line) =>
      line
        .split(' ')
        .map((word) => (word.length <= width ? word : (word.match(new RegExp(`.{1,${width}}`, 'g')) ?? [word]).join('\n')))
        .join(' '),
    )
    .join('\n');
}

const NO_BORDERS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '',
};

/** Renders rows (and the header, for the first chunk); a newline inside a value starts a new line in its cell. */
export function renderPlainTable(layout: PlainTable, rows: readonly (readonly string[])[], withHeader: boolean): string {
  const table = new Table({
    ...(withHeader ? { head: [...layout.head] } : {}),
    colWidths: [...layout.colWidths],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': PADDING, compact: true },
    chars: NO_BORDERS,
  });
  const anywhere = new Set(layout.wrapAnywhere ?? []);
  for (const row of rows) {
    table.push(
      row.map((content, column) =>
        anywhere.has(column) ? { content, wrapOnWordBoundary: false } : breakLongWords(content, (layout.colWidths[column] ?? PADDING + 1) - PADDING),
      ),
    );
  }
  // Trailing padding is noise in a file or a pipe.
  return table.toString().split('\n').map((line) => line.trimEnd()).join('\n');
}

/** Writes a table a chunk of rows at a time: bounded memory, and rows that appear as they are read. */
export class ChunkedTable {
  private rows: string[][] = [];
  private headerWritten = false;

  constructor(
    private readonly layout: PlainTable,
    private readonly write: (text: string) => void,
    private readonly chunk = 100,
  ) {}

  add(row: string[]): void {
    this.rows.push(row);
    if (this.rows.length >= this.chunk) this.flush();
  }

  flush(): void {
    if (this.rows.length === 0) return;
    this.write(`${renderPlainTable(this.layout, this.rows, !this.headerWritten)}\n`);
    this.headerWritten = true;
    this.rows = [];
  }

  /** Whether any row was written. */
  get written(): boolean {
    return this.headerWritten;
  }
}
