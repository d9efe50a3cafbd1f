/**
 * The CLI integration suites' way of running the real `sagemaker-guard` bin: the bundle built from the current
 * sources, a command run as a person would (its exit code and output collected), and its NDJSON output read.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The repository root: where the commands run unless told otherwise. */
export const ROOT = resolve(__dirname, '../..');
/** The bin, as npm ci builds it (the package's "prepare" runs build:cli). */
export const BIN = join(ROOT, 'dist/cli.js');

export interface CommandOutput {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Builds BIN from the current sources with the package's own build:cli script; throws with its stderr when it fails. */
export function buildCli(): void {
  const build = spawnSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build:cli failed: ${build.stderr}`);
}

/** Runs `command` in `cwd` (the repository root unless given) with `env` as its whole environment, and collects what it writes. */
export function runCommand(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<CommandOutput> {
  return new Promise((done, fail) => {
    const child = spawn(command, [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('close', (code) => {
      done({ code, stdout, stderr });
    });
  });
}

/** The objects of NDJSON output (--json), one a line. */
export function ndjson(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
