import type { core } from 'zod/mini';
// The ES module build, which esbuild tree-shakes (jest.config.js maps it to the CommonJS build for the tests).
import en from 'zod/v4/locales/en.js';

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

/**
 * One line per schema issue: "path: what is expected (given: value)". Takes the error of a classic zod
 * schema (lib/config.ts) as well as of a zod/mini one (the functions): both are a core `$ZodError`.
 */
export function describeIssues(error: core.$ZodError, input: unknown): string[] {
  return error.issues.map((issue) => {
    const given = valueAt(input, issue.path);
    const shown = given === undefined ? ' (absent)' : ` (given: ${truncate(JSON.stringify(given), 80)})`;
    return `${formatPath(issue.path)}: ${issue.message}${shown}`;
  });
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** zod's English messages, for the issues a schema does not word itself (about 3 KB bundled: this locale only). */
const english = en().localeError;

/**
 * The message of every issue a schema does not word itself: zod's English locale, so the functions bundle that
 * one locale and not all of them (zod/mini configures none; classic zod configures English globally, so the CDK app
 * and the functions say the same). Pass it to every parse of a zod/mini schema: `schema.safeParse(input, { error: issueMessage })`.
 */
export function issueMessage(issue: core.$ZodRawIssue): string {
  const message = english(issue);
  if (typeof message === 'string') return message;
  return message?.message ?? `Invalid input (${issue.code})`;
}
