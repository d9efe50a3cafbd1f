/**
 * The real `sagemaker-guard` bin (`npx sagemaker-guard audit`, the esbuild bundle in dist/) against
 * moto_server: the audit reports and changes nothing; with --remediate --yes it stops and deletes as the
 * responder would. moto cannot show a model's network isolation or a notebook's IMDS setting (MOTO-NOTES.md),
 * so the policy file turns those two controls off.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateModelCommand, CreateNotebookInstanceCommand, DescribeModelCommand, DescribeNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import { listTags, type Clients, type Network } from '../../tools/local/aws-scene';
import { isolatedEnv } from '../../tools/local/emulator';
import { emulatorPolicy } from '../../tools/local/settings';
import { useEmulatorScene } from '../support/emulator-scene';
import { motoGate } from '../support/moto-gate';

const ROOT = resolve(__dirname, '../..');
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecution';
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';

jest.setTimeout(60_000);

interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command from the repository root, as a person would, with only the emulator's AWS environment. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((done, fail) => {
    const child = spawn(command, [...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('close', (code) => {
      // npm's own configuration warnings (npx) are not the command's output.
      done({ code, stdout, stderr: stderr.replace(/^npm warn .*\n/gm, '') });
    });
  });
}

function ndjson(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const gate = motoGate('audit command against moto');

gate.describe('npx sagemaker-guard audit against moto', () => {
  const scene = useEmulatorScene({ switchParameter: false });
  let clients: Clients;
  let network: Network;
  let kmsKeyArn: string;
  let workDir: string;
  let policyFile: string;

  beforeAll(() => {
    // The bin is the bundle: build it from the current sources first (npm ci does it through "prepare").
    const build = spawnSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build:cli failed: ${build.stderr}`);
    workDir = mkdtempSync(join(tmpdir(), 'guard-audit-'));
    policyFile = join(workDir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify(emulatorPolicy()));
  }, 60_000);

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    ({ clients, network, kmsKeyArn } = scene());
    await clients.sageMaker.send(
      new CreateNotebookInstanceCommand({
        NotebookInstanceName: 'locked-nb',
        InstanceType: 'ml.t3.medium',
        RoleArn: ROLE,
        SubnetId: network.privateSubnetId,
        SecurityGroupIds: [network.closedSecurityGroupId],
        DirectInternetAccess: 'Disabled',
        RootAccess: 'Disabled',
        KmsKeyId: kmsKeyArn,
      }),
    );
    await clients.sageMaker.send(new CreateNotebookInstanceCommand({ NotebookInstanceName: 'open-nb', InstanceType: 'ml.t3.medium', RoleArn: ROLE }));
    await clients.sageMaker.send(
      new CreateModelCommand({
        ModelName: 'vpc-model',
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: IMAGE },
        VpcConfig: { Subnets: [network.privateSubnetId], SecurityGroupIds: [network.closedSecurityGroupId] },
      }),
    );
    await clients.sageMaker.send(new CreateModelCommand({ ModelName: 'open-model', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: IMAGE } }));
  });


  const env = () => isolatedEnv(process.env, scene().emulator.env);
  /** As a person runs it: npx resolves the package's own bin (about 3 s of npm start-up). */
  const audit = (...args: string[]) => run('npx', ['sagemaker-guard', 'audit', '--region', 'us-east-1', '--policy', policyFile, ...args], env());
  /** The same bin, without npx's start-up. */
  const auditBin = (...args: string[]) => run(process.execPath, [join(ROOT, 'dist/cli.js'), 'audit', '--region', 'us-east-1', '--policy', policyFile, ...args], env());

  const notebookStatus = async (name: string) => (await clients.sageMaker.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }))).NotebookInstanceStatus;
  const modelExists = (name: string) =>
    clients.sageMaker.send(new DescribeModelCommand({ ModelName: name })).then(
      () => true,
      () => false,
    );
  const guardTagsOf = async (kind: string, name: string) =>
    (await listTags(clients.sageMaker, `arn:aws:sagemaker:us-east-1:123456789012:${kind}/${name}`)).filter((tag) => tag.Key?.startsWith('sagemaker-guard:') === true);

  test('--json reports every resource as NDJSON, exits 1, and changes nothing', async () => {
    const { code, stdout, stderr } = await audit('--json');

    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    const objects = ndjson(stdout);
    expect(objects.map((object) => [object.type, object.kind, object.name, object.decision, object.action])).toEqual([
      ['resource', 'model', 'vpc-model', 'compliant', 'none'],
      ['resource', 'model', 'open-model', 'remediate', 'would-delete'],
      ['resource', 'notebook-instance', 'locked-nb', 'compliant', 'none'],
      ['resource', 'notebook-instance', 'open-nb', 'remediate', 'would-stop'],
      ['summary', undefined, undefined, undefined, undefined],
    ]);
    expect(objects[1]).toMatchObject({ region: 'us-east-1', arn: 'arn:aws:sagemaker:us-east-1:123456789012:model/open-model', failed: [{ control: 'model.vpc', mode: 'enforce' }] });
    expect((objects[3].failed as { control: string }[]).map((failed) => failed.control)).toEqual([
      'notebook-instance.direct-internet-access',
      'notebook-instance.vpc',
      'notebook-instance.root-access',
      'notebook-instance.kms-key',
    ]);
    expect(objects[4]).toMatchObject({ type: 'summary', regions: ['us-east-1'], checked: 4, withViolations: 2, enforce: 2, gone: 0, failed: 0, exitCode: 1 });

    expect(await notebookStatus('open-nb')).toBe('InService');
    expect(await modelExists('open-model')).toBe(true);
    expect(await guardTagsOf('notebook-instance', 'open-nb')).toEqual([]);
    expect(await guardTagsOf('model', 'open-model')).toEqual([]);
  });

  test('the table, with its summary line', async () => {
    const { code, stdout } = await auditBin();
    expect(code).toBe(1);
    expect(stdout).toMatch(/^kind\s+name\s+status\s+decision\s+failed controls$/m);
    expect(stdout).toMatch(/^notebook-instance\s+open-nb\s+InService\s+would stop\s+notebook-instance\.direct-internet-access,/m);
    expect(stdout).toContain(
      '4 resources checked in 1 region: 2 with violations (2 enforce, 0 report), 0 exempt; by control: model.vpc=1, notebook-instance.direct-internet-access=1, ' +
        'notebook-instance.kms-key=1, notebook-instance.root-access=1, notebook-instance.vpc=1\n',
    );
  });

  test('--remediate --yes stops the open notebook and deletes the open model, and leaves the compliant ones', async () => {
    const { code, stdout, stderr } = await audit('--remediate', '--yes', '--json');

    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    const objects = ndjson(stdout);
    expect(objects.filter((object) => object.type === 'resource').map((object) => [object.name, object.action])).toEqual([
      ['vpc-model', 'none'],
      ['open-model', 'deleted'],
      ['locked-nb', 'none'],
      ['open-nb', 'stopped'],
    ]);
    expect(objects.at(-1)).toMatchObject({ type: 'summary', remediate: true, stopped: 1, deleted: 1 });
    expect(await notebookStatus('open-nb')).toBe('Stopped');
    expect(await modelExists('open-model')).toBe(false);
    expect(await notebookStatus('locked-nb')).toBe('InService');
    expect(await modelExists('vpc-model')).toBe(true);
    const tags = await guardTagsOf('notebook-instance', 'open-nb');
    expect(tags.map((tag) => tag.Key).sort()).toEqual(['sagemaker-guard:action', 'sagemaker-guard:event-id', 'sagemaker-guard:violations']);
  });

  test('--remediate without --yes, with no terminal to ask on, refuses with exit 2 and changes nothing', async () => {
    const { code, stdout, stderr } = await auditBin('--remediate');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('Add --yes to go ahead without asking');
    expect(await notebookStatus('open-nb')).toBe('InService');
  });

  test('a usage error exits 2 with the usage text', async () => {
    const { code, stderr } = await auditBin('--kinds', 'endpoint');
    expect(code).toBe(2);
    expect(stderr).toContain('sagemaker-guard: --kinds: unknown kind "endpoint"');
    expect(stderr).toContain('Usage: sagemaker-guard audit [options]');
  });
});
