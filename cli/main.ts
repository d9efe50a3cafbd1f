/**
 * The `sagemaker-guard` command (run by cli/bin.ts, which `npm run build:cli` bundles into dist/cli.js, the package's "bin").
 *
 * Order matters: the lambda modules create their SDK clients, logger and metrics when loaded, reading
 * AWS_RETRY_MODE, AWS_REGION, AWS_PROFILE and the Powertools variables then. So the arguments are parsed
 * first (args.ts loads nothing of that), the environment is set, and only then is the command's module
 * (audit.ts, history/history.ts, redrive/redrive.ts) imported.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { COMMAND, parseCommandLine, usageOf, UsageError, type AuditOptions, type GuardrailsOptions, type HistoryOptions, type Parsed, type RedriveOptions } from './args';
import { choosePolicy, PolicyError, policyLine, type PolicyFiles } from './policy';

/** Exit codes: 0 clean, 1 violations found, 2 usage, access or other errors. */
export const EXIT = { clean: 0, violations: 1, error: 2 } as const;

/** The environment the lambda modules must see when loaded: adaptive retries, the region and profile, silent Powertools. */
export function commandEnvironment(region: string | undefined, profile: string | undefined): Record<string, string> {
  return {
    AWS_RETRY_MODE: 'adaptive',
    ...(region !== undefined ? { AWS_REGION: region } : {}),
    ...(profile !== undefined ? { AWS_PROFILE: profile } : {}),
    // The responder's decision lines and EMF metrics would land in stdout, in the middle of --json.
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
}

/** Across accounts the hub's region (its switch and ledger) is the default clients' region. */
export function auditEnvironment(options: AuditOptions): Record<string, string> {
  return commandEnvironment(options.members?.hubRegion ?? options.regions[0], options.profile);
}

/** The real file system, for the policy: relative paths from the current directory. */
function realFiles(): PolicyFiles {
  return { cwd: process.cwd(), readFile: (path) => readFileSync(path, 'utf8'), exists: (path) => existsSync(path) };
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

function interactive(): boolean {
  return process.stdin.isTTY && process.stderr.isTTY;
}

export async function main(argv: readonly string[]): Promise<number> {
  let parsed: Exclude<Parsed, { command: 'help' }>;
  try {
    const result = parseCommandLine(argv);
    if (result.command === 'help') {
      process.stdout.write(`${usageOf(result.topic)}\n`);
      return EXIT.clean;
    }
    parsed = result;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${COMMAND}: ${error.message}\n\n${usageOf(error.topic)}\n`);
    return EXIT.error;
  }
  quietSdkNodeWarning();
  switch (parsed.command) {
    case 'audit':
      return runAudit(parsed.options);
    case 'history':
      return runHistory(parsed.options);
    case 'redrive':
      return runRedrive(parsed.options);
    case 'guardrails':
      return runGuardrails(parsed.options);
  }
}

async function runGuardrails(options: GuardrailsOptions): Promise<number> {
  const { parseSettings, InvalidSettingsError } = await import('../lambda/core/settings');
  let settings;
  try {
    const policy = choosePolicy(options.policyFile, realFiles());
    settings = parseSettings(policy.input, policy.source);
    process.stderr.write(`${policyLine(policy)}\n`);
  } catch (error) {
    if (!(error instanceof PolicyError) && !(error instanceof InvalidSettingsError)) throw error;
    process.stderr.write(`${COMMAND}: ${error.message}\n(${COMMAND} guardrails --help for usage)\n`);
    return EXIT.error;
  }
  const { guardrailsCommand } = await import('./guardrails');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  return guardrailsCommand(options, settings, { stdout: process.stdout, stderr: process.stderr }, {
    mkdir: (dir) => {
      mkdirSync(dir, { recursive: true });
    },
    writeFile: (path, text) => {
      writeFileSync(path, text);
    },
  });
}

async function runAudit(options: AuditOptions): Promise<number> {
  Object.assign(process.env, auditEnvironment(options));
  const { parseSettings, InvalidSettingsError } = await import('../lambda/core/settings');
  let settings;
  let policy;
  try {
    policy = choosePolicy(options.policyFile, realFiles());
    settings = parseSettings(policy.input, policy.source);
  } catch (error) {
    if (!(error instanceof PolicyError) && !(error instanceof InvalidSettingsError)) throw error;
    process.stderr.write(`${COMMAND}: ${error.message}\n(${COMMAND} audit --help for usage)\n`);
    return EXIT.error;
  }

  const { audit } = await import('./audit');
  const { estateLookup } = await import('./estate');
  const clients = await import('../lambda/aws/clients');
  const { memberReach } = await import('./members');
  // STS and Organizations in the hub's region, or the SDK's default one.
  // Without any region the audit stops first (exit 2, saying so), before the reach is used.
  const reachRegion = options.members?.hubRegion ?? options.regions.at(0) ?? (await clients.sageMaker().config.region().catch(() => ''));
  const members = options.members !== undefined ? memberReach(options.members, reachRegion) : undefined;
  try {
    return await audit(options, settings, {
      stdout: process.stdout,
      stderr: process.stderr,
      ...(process.stderr.isTTY ? { progress: process.stderr } : {}),
      interactive: interactive(),
      confirm,
    }, { policySource: policy.source, policyLine: policyLine(policy), estate: estateLookup(options), ...(members !== undefined ? { members } : {}) });
  } finally {
    members?.destroy();
    for (const client of [clients.sageMaker(), clients.ec2(), clients.sns]) client.destroy();
  }
}

async function runHistory(options: HistoryOptions): Promise<number> {
  Object.assign(process.env, commandEnvironment(options.region, options.profile));
  const { RETRY } = await import('../lambda/aws/clients');
  const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { history } = await import('./history/history');
  const dynamoDb = new DynamoDBClient(RETRY);
  const cloudFormation = new CloudFormationClient(RETRY);
  try {
    return await history(options, { stdout: process.stdout, stderr: process.stderr }, { dynamoDb, cloudFormation });
  } finally {
    dynamoDb.destroy();
    cloudFormation.destroy();
  }
}

async function runRedrive(options: RedriveOptions): Promise<number> {
  Object.assign(process.env, commandEnvironment(options.region, options.profile));
  const { RETRY } = await import('../lambda/aws/clients');
  const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
  const { LambdaClient } = await import('@aws-sdk/client-lambda');
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  const { redrive } = await import('./redrive/redrive');
  const { LambdaInvoker } = await import('./redrive/lambda-invoker');
  const sqs = new SQSClient(RETRY);
  const cloudFormation = new CloudFormationClient(RETRY);
  // Few retries: an Invoke retried after a time-out may run the function twice (the responders' ledger
  // treats the repeat as the same episode, but there is no point in insisting).
  const invoker = new LambdaInvoker((region) => new LambdaClient({ maxAttempts: 3, retryMode: 'standard', region }));
  try {
    return await redrive(options, { stdout: process.stdout, stderr: process.stderr, interactive: interactive(), confirm }, { sqs, invoker, cloudFormation });
  } finally {
    sqs.destroy();
    cloudFormation.destroy();
    invoker.destroy();
  }
}
