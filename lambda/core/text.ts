/**
 * Characters that must never reach a notice from a value the guarded users control (tags, names, reasons):
 * control characters (line breaks included), format characters (bidirectional overrides, zero-width
 * characters), and the Unicode line and paragraph separators U+2028/U+2029, all valid in SageMaker tags.
 * One could forge a second, official-looking paragraph in a mail or reorder what a reader sees.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** The value with every unsafe character removed: one line of text, as the guard wrote the line around it. */
export function oneLine(value: string): string {
  return value.replace(UNSAFE, '');
}

const SUBJECT_LIMIT = 100;

/** An SNS subject: printable ASCII only, no line breaks, at most 100 characters (cut with "..."). */
export function snsSubject(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length <= SUBJECT_LIMIT ? clean : `${clean.slice(0, SUBJECT_LIMIT - 3)}...`;
}
