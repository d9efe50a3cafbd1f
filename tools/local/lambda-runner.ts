/**
 * Runs a bundled Lambda handler the way Lambda would on a cold start: a fresh `node` process loads the
 * bundle, calls the exported handler once with the event and a fake context, and exits. stdout/stderr are
 * captured and every JSON line (Powertools logs, EMF metrics) is parsed so tests can assert on them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BundledFunction } from './cdk-out';
import { isolatedEnv, type EmulatorEnv } from './emulator';

export type LogLine = Record<string, unknown>;

export interface Invocation {
  /** The handler's return value (undefined when it threw). */
  readonly result: unknown;
  /** What the handler (or loading the module, at cold start) threw. */
  readonly error?: { readonly name: string; readonly message: string };
  /** Every stdout/stderr line that is a JSON object, in order (stdout first, then stderr). */
  readonly logs: readonly LogLine[];
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly durationMs: number;
}

export interface InvokeOptions {
  readonly emulatorEnv: EmulatorEnv;
  /** Function environment (TOPIC_ARN, GUARD_SETTINGS, ...); applied over the template's literal variables. */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/*
 * The child: load the bundle (module load is where the cold-start checks of the environment run), call
 * the handler, write the outcome to a file (so logs on stdout cannot be mistaken for it), and exit
 * non-zero if anything threw, as a failed Lambda invocation would.
 */
const CHILD_SCRIPT = `
const fs = require('node:fs');
const [entry, exportName, eventFile, outcomeFile] = process.argv.slice(1);
const write = (outcome) => fs.writeFileSync(outcomeFile, JSON.stringify(outcome));
const deadline = Date.now() + Number(process.env.SAGEMAKER_GUARD_LOCAL_TIMEOUT_MS || 60000);
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:' + process.env.AWS_REGION + ':123456789012:function:' + process.env.AWS_LAMBDA_FUNCTION_NAME,
  memoryLimitInMB: '256',
  awsRequestId: require('node:crypto').randomUUID(),
  logGroupName: '/aws/lambda/' + process.env.AWS_LAMBDA_FUNCTION_NAME,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done() {}, fail() {}, succeed() {},
};
(async () => {
  try {
    const handler = require(entry)[exportName];
    if (typeof handler !== 'function') throw new Error(entry + ' does not export a function named ' + exportName);
    const event = JSON.parse(fs.readFileSync(eventFile, 'utf8'));
    const result = await handler(event, context);
    write({ ok: true, result: result === undefined ? null : result });
  } catch (error) {
    write({ ok: false, error: { name: String(error && error.name), message: String(error && error.message) } });
    process.exitCode = 1;
  }
})();
`;

export function parseJsonLines(text: string): LogLine[] {
  return text.split('\n').flatMap((line): LogLine[] => {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) return [];
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
      return [parsed as LogLine];
    } catch {
      return [];
    }
  });
}

interface Outcome {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
}

/** Invokes the bundled handler once in a new node process against the emulator. Never throws for a handler error. */
export async function invokeBundled(fn: BundledFunction, event: unknown, options: InvokeOptions): Promise<Invocation> {
  const dir = mkdtempSync(join(tmpdir(), 'sagemaker-guard-invoke-'));
  const eventFile = join(dir, 'event.json');
  const outcomeFile = join(dir, 'outcome.json');
  writeFileSync(eventFile, JSON.stringify(event));
  const functionName = `SageMakerGuard-${fn.constructId}`;
  const env = isolatedEnv(process.env, options.emulatorEnv, {
    ...fn.literalEnvironment,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    // Powertools reports cold_start only for on-demand initialisation, as Lambda sets it.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    SAGEMAKER_GUARD_LOCAL_TIMEOUT_MS: String(fn.timeoutSeconds * 1000),
    ...(options.env ?? {}),
  });
  // Pretty-printed (multi-line) logs would defeat the line parser.
  delete env.POWERTOOLS_DEV;
  const started = Date.now();
  try {
    const { stdout, stderr, exitCode } = await new Promise<{ stdout: string; stderr: string; exitCode: number | null }>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', CHILD_SCRIPT, fn.entryFile, fn.exportName, eventFile, outcomeFile], {
        env,
        cwd: fn.assetDir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${fn.constructId} did not finish within ${options.timeoutMs ?? 30_000} ms.\nstdout:\n${out}\nstderr:\n${err}`));
      }, options.timeoutMs ?? 30_000);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ stdout: out, stderr: err, exitCode: code });
      });
    });
    let outcome: Outcome | undefined;
    try {
      outcome = JSON.parse(readFileSync(outcomeFile, 'utf8')) as Outcome;
    } catch {
      outcome = undefined;
    }
    return {
      result: outcome?.ok === true ? outcome.result : undefined,
      ...(outcome?.error !== undefined ? { error: outcome.error } : outcome === undefined ? { error: { name: 'NoOutcome', message: `the process exited (${String(exitCode)}) without reporting an outcome` } } : {}),
      logs: [...parseJsonLines(stdout), ...parseJsonLines(stderr)],
      stdout,
      stderr,
      exitCode,
      durationMs: Date.now() - started,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The log lines with the given message (Powertools puts the log message in `message`). */
export function logsWithMessage(invocation: Invocation, message: string): LogLine[] {
  return invocation.logs.filter((line) => line.message === message);
}

/** The single 'Decision' log line of an invocation; throws with the captured output when there is not exactly one. */
export function decisionLog(invocation: Invocation): LogLine {
  const lines = logsWithMessage(invocation, 'Decision');
  if (lines.length !== 1) {
    throw new Error(`expected one "Decision" log line, found ${lines.length}.\nstdout:\n${invocation.stdout}\nstderr:\n${invocation.stderr}`);
  }
  return lines[0];
}
