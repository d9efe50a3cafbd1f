/**
 * The real `sagemaker-guard` bin (`npx sagemaker-guard audit`, the esbuild bundle in dist/) against
 * moto_server: the audit reports and changes nothing; with --remediate --yes it stops and deletes as the
 * responder would, and shows the status after. moto cannot show a model's network isolation or a
 * notebook's IMDS setting (MOTO-NOTES.md), so the policy file turns those two controls off. The policy can
 * also come from a cdk.json, named or in the current directory; the enforcement switch is read first.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateModelCommand, CreateNotebookInstanceCommand, DescribeModelCommand, DescribeNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { createLedgerTable, listTags, type Clients, type Network } from '../../tools/local/aws-scene';
import { isolatedEnv } from '../../tools/local/emulator';
import { emulatorPolicy } from '../../tools/local/settings';
import { BIN, buildCli, ndjson, ROOT, runCommand } from '../support/cli-process';
import { useEmulatorScene } from '../support/emulator-scene';
import { motoGate } from '../support/moto-gate';

const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecution';
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';

jest.setTimeout(60_000);

interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  /** stderr without the existing-estate lines (checked apart, in `estate`). */
  readonly stderr: string;
  readonly estate: readonly string[];
}

const ESTATE_LINE = /^Existing estate in .*\n/gm;

/** Runs a command from the repository root (or `cwd`), as a person would, with only the emulator's AWS environment. */
async function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<CommandResult> {
  const { code, stdout, stderr } = await runCommand(command, args, env, cwd);
  // npm's own configuration warnings (npx) are not the command's output.
  const own = stderr.replace(/^npm warn .*\n/gm, '');
  return { code, stdout, stderr: own.replace(ESTATE_LINE, ''), estate: (own.match(ESTATE_LINE) ?? []).map((line) => line.trimEnd()) };
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
    buildCli();
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
    await clients.sageMaker.send(
      new CreateNotebookInstanceCommand({ NotebookInstanceName: 'open-nb', InstanceType: 'ml.t3.medium', RoleArn: ROLE, Tags: [{ Key: 'owner', Value: 'Smith, Alice <alice@example.com>' }] }),
    );
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
  const auditBin = (...args: string[]) => run(process.execPath, [BIN, 'audit', '--region', 'us-east-1', '--policy', policyFile, ...args], env());
  /** The bin without --policy, run in `cwd`. */
  const auditIn = (cwd: string, ...args: string[]) => run(process.execPath, [BIN, 'audit', '--region', 'us-east-1', ...args], env(), cwd);
  /** What the audit says on stderr of the policy file (set in beforeAll). */
  const policyLine = (): string => `Policy: policy file ${policyFile}\n`;

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

    expect({ code, stderr }).toEqual({ code: 1, stderr: policyLine() });
    const objects = ndjson(stdout);
    expect(objects.map((object) => [object.type, object.kind, object.name, object.decision, object.action])).toEqual([
      ['resource', 'model', 'vpc-model', 'compliant', 'none'],
      ['resource', 'model', 'open-model', 'remediate', 'would-delete'],
      ['resource', 'notebook-instance', 'locked-nb', 'compliant', 'none'],
      ['resource', 'notebook-instance', 'open-nb', 'remediate', 'would-stop'],
      ['summary', undefined, undefined, undefined, undefined],
    ]);
    expect(objects[1]).toMatchObject({ region: 'us-east-1', arn: 'arn:aws:sagemaker:us-east-1:123456789012:model/open-model', failed: [{ control: 'model.vpc', mode: 'enforce' }] });
    expect(objects[1]).toMatchObject({ account: '123456789012', owner: null, severity: 'high' });
    expect(objects[3]).toMatchObject({ account: '123456789012', owner: 'Smith, Alice <alice@example.com>', severity: 'critical', status: 'InService' });
    expect(objects[3]).not.toHaveProperty('statusBefore');
    expect((objects[3].failed as { control: string }[]).map((failed) => failed.control)).toEqual([
      'notebook-instance.direct-internet-access',
      'notebook-instance.vpc',
      'notebook-instance.root-access',
      'notebook-instance.kms-key',
    ]);
    expect(objects[4]).toMatchObject({ type: 'summary', regions: ['us-east-1'], checked: 4, withViolations: 2, enforce: 2, gone: 0, failed: 0, policySource: `policy file ${policyFile}`, exitCode: 1 });

    expect(await notebookStatus('open-nb')).toBe('InService');
    expect(await modelExists('open-model')).toBe(true);
    expect(await guardTagsOf('notebook-instance', 'open-nb')).toEqual([]);
    expect(await guardTagsOf('model', 'open-model')).toEqual([]);
  });

  test('the table, with its summary line', async () => {
    const { code, stdout } = await auditBin();
    expect(code).toBe(1);
    expect(stdout).toMatch(/^account\s+kind\s+name\s+owner\s+status\s+decision\s+severity\s+failed controls$/m);
    expect(stdout).toMatch(/^123456789012\s+notebook-instance\s+open-nb\s+Smith, Alice\s+InService\s+would stop\s+critical\s+notebook-instance\.direct-internet-access,/m);
    expect(stdout).toMatch(/^123456789012\s+model\s+open-model\s+-\s+-\s+would delete\s+high\s+model\.vpc$/m);
    expect(stdout).toContain(
      '4 resources checked in 1 region: 2 with violations (2 enforce, 0 report), 0 exempt; by control: model.vpc=1, notebook-instance.direct-internet-access=1, ' +
        'notebook-instance.kms-key=1, notebook-instance.root-access=1, notebook-instance.vpc=1\n',
    );
  });

  test('--remediate --yes stops the open notebook and deletes the open model, and leaves the compliant ones', async () => {
    const { code, stdout, stderr } = await audit('--remediate', '--yes', '--json');

    expect({ code, stderr }).toEqual({ code: 1, stderr: policyLine() });
    const objects = ndjson(stdout);
    // The status is the one after the action, read again: moto stops a notebook at once.
    expect(objects.filter((object) => object.type === 'resource').map((object) => [object.name, object.action, object.status, object.statusBefore])).toEqual([
      ['vpc-model', 'none', null, undefined],
      ['open-model', 'deleted', 'gone', null],
      ['locked-nb', 'none', 'InService', undefined],
      ['open-nb', 'stopped', 'Stopped', 'InService'],
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

  test('--remediate --yes in a table: the status column shows the status after the action', async () => {
    const { code, stdout } = await auditBin('--remediate', '--yes');
    expect(code).toBe(1);
    expect(stdout).toMatch(/^123456789012\s+notebook-instance\s+open-nb\s+Smith, Alice\s+Stopped\s+stopped\s+critical\s/m);
    expect(stdout).toMatch(/^123456789012\s+model\s+open-model\s+-\s+gone\s+deleted\s+high\s+model\.vpc$/m);
    expect(stdout).toMatch(/^123456789012\s+notebook-instance\s+locked-nb\s+-\s+InService\s+compliant\s+-$/m);
  });

  test('--format csv: RFC 4180 records, one per failed control, the summary on stderr', async () => {
    const { code, stdout, stderr } = await auditBin('--format', 'csv', '--kinds', 'notebook-instance');
    expect(code).toBe(1);
    const records = stdout.split('\r\n');
    expect(records[0]).toBe('account,region,kind,name,status,owner,control,severity,mode,action,message');
    expect(records.slice(1, 3)).toEqual([
      '123456789012,us-east-1,notebook-instance,open-nb,InService,"Smith, Alice <alice@example.com>",notebook-instance.direct-internet-access,critical,enforce,would-stop,DirectInternetAccess is Enabled',
      '123456789012,us-east-1,notebook-instance,open-nb,InService,"Smith, Alice <alice@example.com>",notebook-instance.vpc,high,enforce,would-stop,SubnetId is absent',
    ]);
    expect(records).toHaveLength(6); // the header, four controls, and the empty string after the last CRLF
    expect(records.at(-1)).toBe('');
    expect(stdout).not.toContain('locked-nb');
    expect(stderr).toBe(`${policyLine()}2 resources checked in 1 region: 1 with violations (1 enforce, 0 report), 0 exempt; by control: notebook-instance.direct-internet-access=1, notebook-instance.kms-key=1, notebook-instance.root-access=1, notebook-instance.vpc=1\n`);
  });

  test('--policy naming a cdk.json reads its context.policyFile, relative to the cdk.json', async () => {
    const project = join(workDir, 'project');
    mkdirSync(join(project, 'config'), { recursive: true });
    writeFileSync(join(project, 'config', 'policy.json'), JSON.stringify(emulatorPolicy({ controls: { 'model.vpc': 'report' } })));
    writeFileSync(join(project, 'cdk.json'), JSON.stringify({ app: 'npx tsx bin/sagemaker-guard.ts', watch: { include: ['**'] }, context: { policyFile: 'config/policy.json', notificationEmails: '' } }));
    const { code, stdout, stderr } = await auditIn(workDir, '--policy', 'project/cdk.json', '--json', '--kinds', 'model');
    expect(code).toBe(1);
    const source = `policy file ${join(project, 'config', 'policy.json')}, the context.policyFile of ${join(project, 'cdk.json')}`;
    expect(stderr).toBe(`Policy: ${source}\n`);
    const objects = ndjson(stdout);
    expect(objects.find((object) => object.name === 'open-model')).toMatchObject({ decision: 'report', failed: [{ control: 'model.vpc', mode: 'report' }] });
    expect(objects.at(-1)).toMatchObject({ type: 'summary', policySource: source });
  });

  test('without --policy, the cdk.json of the current directory: its context.policy, and it says so', async () => {
    const project = join(workDir, 'here');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'cdk.json'), JSON.stringify({ app: 'x', context: { policy: emulatorPolicy({ controls: { 'model.vpc': 'off' } }) } }));
    const { code, stdout, stderr } = await auditIn(project, '--json', '--kinds', 'model');
    expect(code).toBe(0);
    expect(stderr).toBe(`Policy: context.policy of ${join(project, 'cdk.json')} (the cdk.json in the current directory: what cdk deploy deploys from here; --policy FILE for another)\n`);
    expect(ndjson(stdout).at(-1)).toMatchObject({ type: 'summary', checked: 2, withViolations: 0, policySource: `context.policy of ${join(project, 'cdk.json')}` });
  });

  test('without --policy or a cdk.json: the built-in defaults, and it says so', async () => {
    const empty = join(workDir, 'empty');
    mkdirSync(empty, { recursive: true });
    const { code, stdout, stderr } = await auditIn(empty, '--json', '--kinds', 'model');
    expect(code).toBe(1);
    expect(stderr).toBe('Policy: the built-in defaults (no --policy, and no cdk.json in the current directory)\n');
    // The defaults enforce model.network-isolation, which no moto model passes.
    expect(ndjson(stdout).at(-1)).toMatchObject({ type: 'summary', withViolations: 2, byControl: { 'model.network-isolation': 2 } });
  });

  test.each<[string, string | undefined, string]>([
    ['missing', undefined, 'it does not exist (SSM parameter /sagemaker-guard/enforcement does not exist (deleted?))'],
    ['invalid', 'off', 'it holds something else (SSM parameter /sagemaker-guard/enforcement holds "off", not one of policy, report)'],
  ])('--switch-parameter with the switch %s: exit 2, nothing audited or changed', async (_name, value, detail) => {
    if (value !== undefined) await clients.ssm.send(new PutParameterCommand({ Name: '/sagemaker-guard/enforcement', Value: value, Type: 'String', Overwrite: true }));
    const { code, stdout, stderr } = await auditBin('--switch-parameter', '/sagemaker-guard/enforcement', '--remediate', '--yes', '--json');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `${policyLine()}--switch-parameter /sagemaker-guard/enforcement: the enforcement switch cannot be used in us-east-1: ${detail}. ` +
        'It must hold one of "policy", "report". Nothing was audited.\n',
    );
    expect(await notebookStatus('open-nb')).toBe('InService');
    expect(await modelExists('open-model')).toBe(true);
  });

  test('--switch-parameter at "report": the audit runs, and reports what it would otherwise enforce', async () => {
    await clients.ssm.send(new PutParameterCommand({ Name: '/sagemaker-guard/enforcement', Value: 'report', Type: 'String', Overwrite: true }));
    const { code, stdout, stderr } = await auditBin('--switch-parameter', '/sagemaker-guard/enforcement', '--remediate', '--yes', '--json');
    expect(code).toBe(1);
    expect(stderr).toContain('Enforcement switch /sagemaker-guard/enforcement in us-east-1: report');
    expect(ndjson(stdout).at(-1)).toMatchObject({ type: 'summary', report: 2, enforce: 0, stopped: 0, deleted: 0, switch: { value: 'report' } });
    expect(await notebookStatus('open-nb')).toBe('InService');
  });

  test('a single-valued option given twice is refused, naming both values', async () => {
    const { code, stderr } = await auditBin('--profile', 'dev', '--profile', 'prod');
    expect(code).toBe(2);
    expect(stderr).toContain('sagemaker-guard: --profile was given twice ("dev" and "prod"): it takes one value, so give it once');
  });

  test('a usage error exits 2 with the usage text', async () => {
    const { code, stderr } = await auditBin('--kinds', 'studio-domain');
    expect(code).toBe(2);
    expect(stderr).toContain('sagemaker-guard: --kinds: unknown kind "studio-domain"');
    expect(stderr).toContain('Usage: sagemaker-guard audit [options]');
  });

  test('the existing estate: no guard deployed here says so; with the ledger (--table), older resources are marked and spared', async () => {
    const { code, estate } = await auditBin('--json', '--kinds', 'model');
    expect(code).toBe(1);
    expect(estate).toEqual([expect.stringContaining('Existing estate in us-east-1: none known (stack SageMakerGuard was not found in us-east-1')]);

    // The guard's deploy recorded enforcement after these models were created: they are the existing estate.
    const table = await createLedgerTable(clients.dynamoDb, 'audit-ledger', new Date(Date.now() + 1_000));
    const spared = await auditBin('--json', '--kinds', 'model', '--table', table, '--remediate', '--yes');
    expect(spared.code).toBe(1);
    expect(spared.estate).toEqual([expect.stringMatching(/^Existing estate in us-east-1: enforcement began .* \(ledger audit-ledger\); older resources are marked "existing"/)]);
    const rows = ndjson(spared.stdout);
    expect(rows.find((row) => row.name === 'open-model')).toMatchObject({ decision: 'report', existingEstate: { enforcementSince: expect.any(String) as unknown } });
    // Only open-model fails an enforced control (vpc-model is compliant under the emulator policy).
    expect(rows.at(-1)).toMatchObject({ type: 'summary', existing: 1, deleted: 0 });
    expect(await modelExists('open-model')).toBe(true);
  });
});
