import { breakLongWords, ChunkedTable, renderPlainTable } from '../../cli/table';

describe('plain tables', () => {
  test('a word longer than its cell goes onto lines of its own rather than being cut', () => {
    expect(breakLongWords('denied: arn:aws:lambda:us-east-1:123456789012:function:f', 20)).toBe('denied: arn:aws:lambda:us-ea\nst-1:123456789012:fu\nnction:f');
    expect(breakLongWords('short words\nstay as they are', 20)).toBe('short words\nstay as they are');
    const text = renderPlainTable({ head: ['a', 'details'], colWidths: [5, 22] }, [['x', 'replay failed: ResourceNotFoundException: Function not found']], true);
    expect(text).not.toContain('…');
    expect(text.replace(/\s+/g, '')).toContain('replayfailed:ResourceNotFoundException:Functionnotfound');
  });

  test('chunks line up under one header', () => {
    let out = '';
    const table = new ChunkedTable({ head: ['name', 'state'], colWidths: [10, 8] }, (text) => (out += text), 2);
    expect(table.written).toBe(false);
    for (const name of ['a', 'bb', 'ccc']) table.add([name, 'ok']);
    table.flush();
    expect(table.written).toBe(true);
    expect(out).toBe('name      state\na         ok\nbb        ok\nccc       ok\n');
  });
});
