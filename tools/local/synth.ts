/**
 * Runs `npx cdk synth --quiet` for local tools (the demo), so that they can start from a fresh clone.
 *
 * The CLI runs with every AWS_* variable removed and the AWS config and credentials files pointed at
 * nothing: synthesizing this app needs no account, and a local tool must never reach real AWS (with
 * credentials, the CLI would otherwise ask STS for the default account).
 */
import { spawn } from 'node:child_process';
import { devNull } from 'node:os';
import { resolve } from 'node:path';
import { CDK_OUT, REPO_ROOT } from './cdk-out';
import { AWS_ENV_PREFIXES } from './emulator';

export interface SynthResult {
  readonly durationMs: number;
  /** The last lines the CLI printed (it prints little with --quiet: esbuild's bundle sizes). */
  readonly output: string;
}

export class SynthError extends Error {
  override readonly name = 'SynthError';
}

/** The environment for the CDK CLI: the caller's, minus anything that could point it at an AWS account. */
export function offlineCdkEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (!AWS_ENV_PREFIXES.some((prefix) => key.startsWith(prefix))) env[key] = value;
  }
  return {
    ...env,
    AWS_CONFIG_FILE: devNull,
    AWS_SHARED_CREDENTIALS_FILE: devNull,
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
}

/** Synthesizes the app into `cdkOut` (the repository's cdk.out by default), as `npm run synth` does. */
export function synthesize(cdkOut: string = CDK_OUT): Promise<SynthResult> {
  // A local synthesis deploys nowhere: nobody is subscribed by email, on purpose (lib/recipients.ts).
  const args = ['cdk', 'synth', '--quiet', '--no-notices', '-c', 'notificationEmails=none'];
  if (resolve(cdkOut) !== resolve(REPO_ROOT, 'cdk.out')) args.push('--output', cdkOut);
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.platform === 'win32' ? 'npx.cmd' : 'npx', args, {
      cwd: REPO_ROOT,
      env: offlineCdkEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-32 * 1024);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) => {
      reject(new SynthError(`could not run \`npx ${args.join(' ')}\`: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      const tail = output.trim().split('\n').slice(-20).join('\n');
      if (code === 0) resolvePromise({ durationMs: Date.now() - started, output: tail });
      else reject(new SynthError(`\`npx ${args.join(' ')}\` failed (${String(code ?? signal)}):\n${tail}`));
    });
  });
}
