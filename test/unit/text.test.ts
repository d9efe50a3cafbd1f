import { oneLine } from '../../lambda/core/text';

describe('oneLine: removes what could forge a line or reorder text', () => {
  test.each<[string, string, string]>([
    ['line feed', 'a\nb', 'ab'],
    ['carriage return', 'a\rb', 'ab'],
    ['CR LF', 'a\r\nb', 'ab'],
    ['U+2028 line separator', 'a\u2028b', 'ab'],
    ['U+2029 paragraph separator', 'a\u2029b', 'ab'],
    ['U+202E right-to-left override', 'a\u202Eb', 'ab'],
    ['U+200B zero-width space', 'a\u200Bb', 'ab'],
    ['tab (a control character too)', 'a\tb', 'ab'],
    ['U+0085 next line', 'a\u0085b', 'ab'],
    ['vertical tab and form feed', 'a\u000Bb\u000Cc', 'abc'],
    ['NUL and DEL', 'a\u0000b\u007Fc', 'abc'],
    ['U+2066 left-to-right isolate and U+2069 pop', 'a\u2066b\u2069c', 'abc'],
    ['U+FEFF byte order mark', '\uFEFFab', 'ab'],
    ['several at once', '\n\r\u2028\u2029\u202E\u200B\t', ''],
  ])('%s', (_title, value, expected) => {
    expect(oneLine(value)).toBe(expected);
  });

  test.each([
    ['plain text', 'team-a'],
    ['spaces are kept, inside and around', '  two  words  '],
    ['punctuation and the characters tags allow', 'a_b.c:d/e=f+g-h@i'],
    ['letters beyond ASCII', 'équipe-données 数据 команда'],
    ['emoji', 'ship it 🚀'],
    ['empty', ''],
  ])('%s is left as it is', (_title, value) => {
    expect(oneLine(value)).toBe(value);
  });

  test('every match is removed, not only the first, and a second pass changes nothing', () => {
    expect(oneLine('a\nb\nc\nd')).toBe('abcd');
    const once = oneLine('x\u2028y\u202Ez\n');
    expect(oneLine(once)).toBe(once);
  });
});
