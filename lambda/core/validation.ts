import type { z } from 'zod';

/** The value found at a path in an unknown input, or undefined. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/** One line per schema issue: "path: what is expected (given: value)". */
export function describeIssues(error: z.ZodError, input: unknown): string[] {
  return error.issues.map((issue) => {
    const given = valueAt(input, issue.path);
    const shown = given === undefined ? ' (absent)' : ` (given: ${truncate(JSON.stringify(given), 80)})`;
    return `${formatPath(issue.path)}: ${issue.message}${shown}`;
  });
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
