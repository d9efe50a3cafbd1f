/**
 * `npm run demo` end to end, as a user runs it: a child process that synthesizes the app, starts
 * moto_server, runs the bundled responders and prints a summary. The synth goes to a temporary directory
 * (SAGEMAKER_GUARD_CDK_OUT), as from a fresh clone, so that it never rewrites the cdk.out other suites read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../tools/local/cdk-out';
import { motoGate } from '../support/moto-gate';

const DEMO = join(REPO_ROOT, 'scripts', 'demo.ts');

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the demo with tsx's loader in this node (so that a signal sent to the child reaches the demo itself). */
function startDemo(args: readonly string[], env: Readonly<Record<string, string>>): { child: ChildProcess; done: Promise<Run>; stdout: () => string } {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  delete childEnv.FORCE_COLOR;
  const child = spawn(process.execPath, ['--import', 'tsx', DEMO, ...args], { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<Run>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done, stdout: () => stdout };
}

async function endpointAnswers(endpoint: string): Promise<boolean> {
  try {
    await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

function emulatorEndpoint(stdout: string): string {
  const match = / on (http:\/\/127\.0\.0\.1:\d+) \(ready/.exec(stdout);
  if (match === null) throw new Error(`the demo did not say where the emulator runs:\n${stdout}`);
  return match[1];
}

/** The rows of the summary table, each as its trimmed cells. */
function summaryRows(stdout: string): string[][] {
  const summary = stdout.slice(stdout.lastIndexOf('\nSummary'));
  return summary
    .split('\n')
    .filter((text) => text.includes('│'))
    .map((text) => text.split('│').map((cell) => cell.trim()))
    .slice(1); // the header
}

test('without moto_server the demo exits non-zero at once, saying how to install it', async () => {
  const { done } = startDemo([], { MOTO_SERVER: join(tmpdir(), 'no-such-dir', 'moto_server') });
  const run = await done;

  expect(run.code).toBe(2);
  expect(run.stderr).toContain('Cannot run the demo: the AWS emulator moto_server is missing.');
  // Once, and pinned to the moto the tests run against.
  expect(run.stderr.split('pip install').length - 1).toBe(1);
  expect(run.stderr).toContain('pip install "moto[server]==5.2.1"');
  expect(run.stdout).not.toContain('npx cdk synth');
}, 30_000);

const gate = motoGate('npm run demo');

gate.describe('npm run demo (against moto)', () => {
  const cdkOut = mkdtempSync(join(tmpdir(), 'sagemaker-guard-demo-cdk-out-'));
  afterAll(() => {
    rmSync(cdkOut, { recursive: true, force: true });
  });

  test('from no cdk.out at all: synthesizes, runs the seven scenes, prints the summary, stops the emulator, exits 0', async () => {
    // How long it takes is the benchmarks' business (README, Performance), not a pass/fail here.
    const run = await startDemo([], { SAGEMAKER_GUARD_CDK_OUT: cdkOut }).done;

    if (run.code !== 0) throw new Error(`the demo exited ${String(run.code ?? run.signal)}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    expect(run.stdout).toContain('npx cdk synth --quiet (no ');
    expect(summaryRows(run.stdout)).toEqual([
      ['notebook research-open', '5', 'remediate', 'stopped', 'Stopped', 'yes (stopped)', 'ok'],
      ['notebook research-private', '0', 'compliant', 'none', 'InService', 'no', 'ok'],
      ['model churn-open', '1', 'remediate', 'deleted', 'deleted', 'yes (deleted)', 'ok'],
      ['model churn-private', '0', 'compliant', 'none', 'exists', 'no', 'ok'],
      ['training job fraud-train', '1', 'report (would stop)', 'none: moto cannot stop jobs', 'Completed', 'yes (would-stop)', 'ok'],
      // Non-compliant, but moto completes a processing job at once: nothing to stop, no notice.
      ['processing job fraud-features', '3', 'not-actionable', 'none', 'Completed', 'no', 'ok'],
      // Endpoints are reported under a global enforce: the notice says what would be done.
      ['endpoint churn-serving', '1', 'report', 'none (report mode): would be deleted', 'InService', 'yes (would-delete)', 'ok'],
    ]);
    // What moto cannot do is said, not hidden.
    expect(run.stdout).toContain('model.network-isolation   moto always reports EnableNetworkIsolation=false');
    expect(run.stdout).toContain("notebook-instance.imdsv2  moto never returns a notebook's InstanceMetadataServiceConfiguration");
    expect(run.stdout).toContain('moto cannot run or stop a training job');
    // The bundles of the synth it just made ran, not the TypeScript sources.
    expect(run.stdout).toContain(`${cdkOut.split('/').at(-1) ?? ''}/asset.`);
    // Notices are printed as a subscriber receives them.
    expect(run.stdout).toContain('Subject: [sagemaker-guard] Stopped notebook instance research-open: 5 controls failed');
    expect(run.stdout).toContain('Subject: [sagemaker-guard] Deleted model churn-open: 1 control failed');
    expect(run.stdout).toContain('Subject: [sagemaker-guard] Would stop training job fraud-train: 1 control failed');
    expect(run.stdout).toMatch(/Done in \d+\.\d s\. The emulator is stopped/);
    expect(run.stdout).not.toContain('\u001b['); // NO_COLOR, and not a terminal: no colour codes
    expect(await endpointAnswers(emulatorEndpoint(run.stdout))).toBe(false);
  }, 120_000);

  test('Ctrl-C (SIGINT) stops the emulator and exits 130', async () => {
    // cdk.out is fresh from the previous test (or is synthesized again, if lambda/ changed meanwhile).
    const demo = startDemo([], { SAGEMAKER_GUARD_CDK_OUT: cdkOut });
    const deadline = Date.now() + 90_000;
    while (!/127\.0\.0\.1:\d+ \(ready/.test(demo.stdout()) && Date.now() < deadline && demo.child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const endpoint = emulatorEndpoint(demo.stdout());
    expect(await endpointAnswers(endpoint)).toBe(true);

    demo.child.kill('SIGINT');
    const run = await demo.done;

    expect(run.code).toBe(130);
    expect(run.stderr).toContain('Interrupted (Ctrl-C): stopping the emulator.');
    expect(run.stderr).toContain('The emulator is stopped.');
    expect(run.stderr).not.toContain('The demo failed');
    expect(await endpointAnswers(endpoint)).toBe(false);
  }, 120_000);
});
