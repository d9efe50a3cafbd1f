/** What the commands write to and ask through: the process's streams in main.ts, strings in the tests. */

export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CommandIO {
  /** Results: table rows or NDJSON lines, and the summary. */
  readonly stdout: Output;
  /** Messages: errors, denied permissions, the prompt's outcome. */
  readonly stderr: Output;
  readonly now?: () => Date;
}

/** A command that may ask before it changes something. */
export interface InteractiveIO extends CommandIO {
  /** Whether someone can answer a prompt: stdin and stderr are terminals. */
  readonly interactive: boolean;
  /** Asks a yes/no question; true means go ahead. */
  readonly confirm: (question: string) => Promise<boolean>;
}

/** The width a table may use: the terminal's, or `fallback` for a file or a pipe (room enough that little wraps). */
export function tableWidth(output: Output, fallback: number): number {
  return output.isTTY === true ? (output.columns ?? 120) : fallback;
}

/** The region an SDK client will use, or undefined when none is configured (no --region, AWS_REGION or profile region). */
export async function clientRegion(client: { readonly config: { region: () => Promise<string> } }): Promise<string | undefined> {
  try {
    const region = await client.config.region();
    return region !== '' ? region : undefined;
  } catch {
    return undefined;
  }
}

export const NO_REGION = 'No AWS region: pass --region, set AWS_REGION, or give the profile a region in ~/.aws/config.';
