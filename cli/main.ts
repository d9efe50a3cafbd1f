/**
 * The `sagemaker-guard` command (run by cli/bin.ts, which `npm run build:cli` bundles into dist/cli.js, the package's "bin").
 *
 * Order matters: the lambda modules create their SDK clients, logger and metrics when loaded, reading
 * AWS_RETRY_MODE, AWS_REGION, AWS_PROFILE and the Powertools variables then. So the arguments are parsed
 * first (args.ts loads nothing of that), the environment is set, and only then is audit.ts imported.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { COMMAND, parseCommandLine, USAGE, UsageError, type AuditOptions } from './args';

/** Exit codes: 0 clean, 1 violations found, 2 usage, access or other errors. */
export const EXIT = { clean: 0, violations: 1, error: 2 } as const;

/** The environment the lambda modules must see when loaded: adaptive retries, the region and profile, silent Powertools. */
export function auditEnvironment(options: AuditOptions): Record<string, string> {
  return {
    AWS_RETRY_MODE: 'adaptive',
    ...(options.regions.length > 0 ? { AWS_REGION: options.regions[0] } : {}),
    ...(options.profile !== undefined ? { AWS_PROFILE: options.profile } : {}),
    // The responder's decision lines and EMF metrics would land in stdout, in the middle of --json.
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
}

async function readPolicy(file: string | undefined): Promise<unknown> {
  if (file === undefined) return {};
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--policy: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`--policy: ${file} is not JSON: ${(error as Error).message}`);
  }
}

/** The SDK warns on node 20 about its future node 22 requirement; the package supports node 20, so that one is not the user's business. */
function quietSdkNodeWarning(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (!warning.message.startsWith('NodeVersionSupportWarning')) process.stderr.write(`${warning.name}: ${warning.message}\n`);
  });
}

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^\s*y(es)?\s*$/i.test(await prompt.question(question));
  } finally {
    prompt.close();
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  let options: AuditOptions;
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.clean;
    }
    options = parsed.options;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${COMMAND}: ${error.message}\n\n${USAGE}\n`);
    return EXIT.error;
  }

  Object.assign(process.env, auditEnvironment(options));
  quietSdkNodeWarning();
  const { parseSettings, InvalidSettingsError } = await import('../lambda/core/settings');
  let settings;
  try {
    settings = parseSettings(await readPolicy(options.policyFile), options.policyFile ?? 'the built-in defaults');
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof InvalidSettingsError)) throw error;
    process.stderr.write(`${COMMAND}: ${error.message}\n(${COMMAND} audit --help for usage)\n`);
    return EXIT.error;
  }

  const { audit } = await import('./audit');
  const clients = await import('../lambda/aws/clients');
  try {
    return await audit(options, settings, {
      stdout: process.stdout,
      stderr: process.stderr,
      ...(process.stderr.isTTY ? { progress: process.stderr } : {}),
      interactive: process.stdin.isTTY && process.stderr.isTTY,
      confirm,
    });
  } finally {
    for (const client of [clients.sageMaker, clients.ec2, clients.sns]) client.destroy();
  }
}
