/**
 * A local AWS emulator (moto_server) for integration tests and the demo.
 *
 * startEmulator() runs `moto_server -H 127.0.0.1 -p <free port>`, waits until GET /moto-api/ answers 200,
 * and returns the endpoint, the environment the AWS SDK needs to talk to it (and to nothing else), reset()
 * and stop(). The server is killed on stop(), and also when this process exits or is interrupted, so it
 * never outlives its owner. Nothing here ever talks to real AWS.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** The moto release the integration tests and the demo are tested with (CI's image has it). */
export const MOTO_VERSION = '5.2.1';
/** How to install it: the one place the command is spelled out. */
export const MOTO_INSTALL_COMMAND = `pip install "moto[server]==${MOTO_VERSION}"`;
export const MOTO_INSTALL_HINT = `Install it with: ${MOTO_INSTALL_COMMAND} (it provides the moto_server command; Python 3.9+).`;

/** The command to run; MOTO_SERVER may point at another executable (for example a virtualenv's). */
export function motoCommand(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.MOTO_SERVER;
  return override !== undefined && override !== '' ? override : 'moto_server';
}

export type MotoAvailability = { readonly available: true; readonly command: string } | { readonly available: false; readonly command: string; readonly reason: string };

/** Whether moto_server can be run here (it runs `moto_server --help`, about half a second). */
export function checkMotoAvailable(command: string = motoCommand()): MotoAvailability {
  const probe = spawnSync(command, ['--help'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (probe.error !== undefined) {
    const code = (probe.error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `\`${command}\` was not found on PATH` : `\`${command} --help\` failed: ${probe.error.message}`;
    return { available: false, command, reason: `${why}. ${MOTO_INSTALL_HINT}` };
  }
  if (probe.status !== 0) {
    const output = `${probe.stderr}${probe.stdout}`.trim().split('\n').slice(-3).join(' | ');
    return { available: false, command, reason: `\`${command} --help\` exited with ${String(probe.status ?? probe.signal)} (${output}). ${MOTO_INSTALL_HINT}` };
  }
  return { available: true, command };
}

/** Asks the OS for a free TCP port on 127.0.0.1 (bind to port 0, read it, release it). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => {
        if (port === undefined) reject(new Error('could not read the port the OS assigned'));
        else resolve(port);
      });
    });
  });
}

export interface EmulatorEnv {
  readonly AWS_ENDPOINT_URL: string;
  readonly AWS_REGION: string;
  readonly AWS_DEFAULT_REGION: string;
  readonly AWS_ACCESS_KEY_ID: string;
  readonly AWS_SECRET_ACCESS_KEY: string;
  /** Stops the SDK from ever asking an instance metadata service for credentials or region. */
  readonly AWS_EC2_METADATA_DISABLED: string;
}

export interface Emulator {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  /** What an AWS SDK process needs to use the emulator (and only it). */
  readonly env: EmulatorEnv;
  /** Clears every service's state (POST /moto-api/reset). Note: moto recreates the default VPC with a new id. */
  reset(): Promise<void>;
  /** Kills the server and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
  /** The last lines moto printed, for error messages. */
  output(): string;
}

export interface StartOptions {
  readonly command?: string;
  readonly region?: string;
  /** How long to wait for GET /moto-api/ to answer 200. */
  readonly readyTimeoutMs?: number;
}

const DEFAULT_REGION = 'us-east-1';
const OUTPUT_LIMIT = 64 * 1024;

/** The environment variables the AWS SDKs read that could point a process at real AWS. */
export const AWS_ENV_PREFIXES = ['AWS_'] as const;

/** A copy of env without any AWS_* variable (profiles, real credentials, endpoints), plus the emulator's. */
export function isolatedEnv(base: NodeJS.ProcessEnv, emulatorEnv: EmulatorEnv, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (!AWS_ENV_PREFIXES.some((prefix) => key.startsWith(prefix))) clean[key] = value;
  }
  return { ...clean, ...emulatorEnv, ...extra };
}

/** Emulators still running in this process, killed synchronously if the process goes away. */
const running = new Set<ChildProcess>();
let hooksInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // The server runs in its own process group (detached), so wrappers such as a pyenv shim go too.
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  for (const child of running) killGroup(child, 'SIGKILL');
  running.clear();
  // If nobody else handles the signal, behave as if we had not been listening: die of it.
  if (process.listenerCount(signal) <= 1) {
    uninstallHooks();
    process.kill(process.pid, signal);
  }
}

const onExit = (): void => {
  for (const child of running) killGroup(child, 'SIGKILL');
  running.clear();
};
const onSigint = (): void => {
  onSignal('SIGINT');
};
const onSigterm = (): void => {
  onSignal('SIGTERM');
};

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', onExit);
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
}

function uninstallHooks(): void {
  if (!hooksInstalled) return;
  hooksInstalled = false;
  process.off('exit', onExit);
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function answers200(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', done);
      resolve(false);
    }, timeoutMs);
    function done(): void {
      clearTimeout(timer);
      resolve(true);
    }
    child.once('exit', done);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  killGroup(child, 'SIGTERM');
  if (!(await waitForExit(child, 3_000))) {
    killGroup(child, 'SIGKILL');
    await waitForExit(child, 3_000);
  }
  running.delete(child);
  if (running.size === 0) uninstallHooks();
}

class StartError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'EmulatorStartError';
  }
}

async function startOnce(command: string, region: string, readyTimeoutMs: number): Promise<Emulator> {
  const port = await findFreePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    // MOTO_PORT: where moto's own services call back (the Step Functions engine's tasks reach Lambda and S3 at
    // http://localhost:$MOTO_PORT). moto_server sets it from -p only when it is not set already: an inherited one would
    // send those calls to another port.
    env: { ...process.env, PYTHONUNBUFFERED: '1', MOTO_PORT: String(port) },
  });
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  running.add(child);
  installHooks();

  let spawnError: NodeJS.ErrnoException | undefined;
  child.once('error', (error: NodeJS.ErrnoException) => {
    spawnError = error;
  });
  const tail = (): string => output.trim().split('\n').slice(-15).join('\n');

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (spawnError !== undefined) {
      running.delete(child);
      const why = spawnError.code === 'ENOENT' ? `\`${command}\` was not found on PATH` : `could not run \`${command}\`: ${spawnError.message}`;
      throw new StartError(`moto_server did not start: ${why}. ${MOTO_INSTALL_HINT}`, false);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      running.delete(child);
      const portTaken = /address already in use/i.test(output);
      const hint = child.exitCode === 127 ? ` ${MOTO_INSTALL_HINT}` : '';
      throw new StartError(`moto_server exited (${String(child.exitCode ?? child.signalCode)}) before it was ready on ${endpoint}.${hint}\n${tail()}`, portTaken);
    }
    if (await answers200(`${endpoint}/moto-api/`)) break;
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new StartError(`moto_server did not answer 200 on ${endpoint}/moto-api/ within ${readyTimeoutMs} ms.\n${tail()}`, false);
    }
    await delay(100);
  }

  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    port,
    region,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`moto reset failed: HTTP ${response.status} ${body.slice(0, 200)}`);
    },
    stop() {
      stopped ??= stopChild(child);
      return stopped;
    },
    output: () => output,
  };
}

/**
 * Starts moto_server on 127.0.0.1 on a free port and waits until it answers. Throws an error that says
 * how to install moto when the command is missing. Retries on another port if the chosen one was taken
 * in the meantime.
 */
export async function startEmulator(options: StartOptions = {}): Promise<Emulator> {
  const command = options.command ?? motoCommand();
  const region = options.region ?? DEFAULT_REGION;
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(command, region, readyTimeoutMs);
    } catch (error) {
      if (!(error instanceof StartError) || !error.retryable || attempt >= 3) throw error;
    }
  }
}
