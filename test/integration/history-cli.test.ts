/**
 * `sagemaker-guard history`, the real bin (the esbuild bundle of cli/bin.ts), against moto_server: records
 * written with the ledger adapter the responders use, read back through the by-day index, with the table
 * named by --table or found from a CloudFormation stack's LedgerTableName output.
 *
 * The bundle is built into a temporary directory with the package's own build:cli script (only the output
 * path changed), so that this file and audit-cli.test.ts, which rebuilds dist/cli.js, can run at the same time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { documentClient, Ledger } from '../../lambda/aws/ledger';
import { dayOf, expiresAt, remediationSk, resourcePk, type RemediationRecord, type ResourceRef } from '../../lambda/ledger/records';
import { isolatedEnv } from '../../tools/local/emulator';
import { useEmulatorScene } from '../support/emulator-scene';
import { motoGate } from '../support/moto-gate';
import { runCommand } from '../support/cli-process';

const ROOT = resolve(__dirname, '../..');
const DAY_MS = 24 * 3600 * 1000;

jest.setTimeout(60_000);


/** `npm run build:cli`, writing to `outfile` instead of dist/cli.js. */
function buildCli(outfile: string): void {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const script = scripts['build:cli'];
  if (!script.includes('dist/cli.js')) throw new Error(`build:cli no longer writes dist/cli.js: ${script}`);
  const build = spawnSync('sh', ['-c', script.replaceAll('dist/cli.js', outfile)], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}` },
  });
  if (build.status !== 0) throw new Error(`build:cli failed: ${build.stderr}`);
}

function ndjson(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A remediation record as the responder creates it, `daysAgo` days before now. */
function remediation(ref: ResourceRef, at: Date, overrides: Partial<RemediationRecord> = {}): RemediationRecord {
  const episode = at.toISOString();
  const action = overrides.action ?? (ref.kind === 'model' ? 'delete' : 'stop');
  return {
    pk: resourcePk(ref),
    sk: remediationSk(episode, action),
    type: 'remediation',
    at: at.toISOString(),
    day: dayOf(at),
    expiresAt: expiresAt(at),
    holder: `event-${ref.name}`,
    leaseUntil: 0,
    ref,
    arn: `arn:aws:sagemaker:${ref.region}:${ref.account}:${ref.kind}/${ref.name.toLowerCase()}`,
    episode,
    action,
    controls: ref.kind === 'model' ? ['model.vpc'] : ['notebook-instance.direct-internet-access', 'notebook-instance.root-access'],
    actAttempts: 1,
    result: { type: 'done' },
    resultAt: at.toISOString(),
    correlationId: `event-${ref.name}`,
    notice: 'sent',
    messageId: `msg-${ref.name}`,
    sentAt: at.toISOString(),
    ...overrides,
  };
}

const gate = motoGate('history command against moto');

gate.describe('sagemaker-guard history against moto', () => {
  const scene = useEmulatorScene({ switchParameter: false });
  let workDir: string;
  let cli: string;
  let table: string;
  let cloudFormation: CloudFormationClient | undefined;
  /** One clock for the records and the command: they run seconds apart, so "today" is the same day (except at midnight UTC). */
  const now = new Date();
  const ago = (days: number, hours = 0) => new Date(now.getTime() - days * DAY_MS - hours * 3600 * 1000);
  const notebook: ResourceRef = { account: '123456789012', region: 'us-east-1', kind: 'notebook-instance', name: 'Open-Notebook' };
  const locked: ResourceRef = { ...notebook, name: 'Locked-Role-Notebook' };
  const model: ResourceRef = { account: '123456789012', region: 'us-east-1', kind: 'model', name: 'open-model' };
  const old: ResourceRef = { ...notebook, name: 'Last-Month' };

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'guard-history-'));
    cli = join(workDir, 'cli.js');
    buildCli(cli);
  }, 60_000);

  afterAll(() => {
    cloudFormation?.destroy();
    rmSync(workDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    const { clients, ledgerTable } = scene();
    table = ledgerTable;
    const ledger = new Ledger(table, documentClient(clients.dynamoDb));
    const records = [
      remediation(old, ago(30)),
      remediation(notebook, ago(3, 2)),
      remediation(locked, ago(1), {
        result: { type: 'denied', errorName: 'AccessDeniedException', permission: 'sagemaker:StopNotebookInstance', message: 'not authorized' },
        notice: 'pending',
        messageId: undefined,
        sentAt: undefined,
      }),
      remediation(model, ago(0, 0), { result: undefined, resultAt: undefined, notice: undefined, messageId: undefined, sentAt: undefined }),
    ];
    for (const record of records) expect(await ledger.create(record)).toBe(true);
  });

  /** A CloudFormation client on the emulator (the scene has none), made on first use. */
  function stacks(): CloudFormationClient {
    const { emulator } = scene();
    cloudFormation ??= new CloudFormationClient({
      endpoint: emulator.endpoint,
      region: emulator.region,
      credentials: { accessKeyId: emulator.env.AWS_ACCESS_KEY_ID, secretAccessKey: emulator.env.AWS_SECRET_ACCESS_KEY },
      maxAttempts: 1,
    });
    return cloudFormation;
  }

  const env = () => isolatedEnv(process.env, scene().emulator.env);
  const history = (...args: string[]) => runCommand(process.execPath, [cli, 'history', '--region', 'us-east-1', ...args], env());

  test('--json: the last 7 days, oldest first, one object per record and a summary; an older record is left out', async () => {
    const { code, stdout, stderr } = await history('--table', table, '--json');

    expect(code).toBe(0);
    const objects = ndjson(stdout);
    expect(objects.map((object) => [object.type, object.name, object.action, object.resultType, object.notice])).toEqual([
      ['remediation', 'Open-Notebook', 'stop', 'done', 'sent'],
      ['remediation', 'Locked-Role-Notebook', 'stop', 'denied', 'pending'],
      ['remediation', 'open-model', 'delete', 'in doubt', null],
      ['summary', undefined, undefined, undefined, undefined],
    ]);
    expect(objects[1]).toMatchObject({
      kind: 'notebook-instance',
      account: '123456789012',
      region: 'us-east-1',
      controls: ['notebook-instance.direct-internet-access', 'notebook-instance.root-access'],
      result: { type: 'denied', errorName: 'AccessDeniedException', permission: 'sagemaker:StopNotebookInstance' },
    });
    expect(objects[3]).toMatchObject({ type: 'summary', table, days: 8, records: 3, results: { done: 1, denied: 1, 'in doubt': 1 }, complete: true });
    expect(stderr).toContain('1 record is in doubt');
  });

  test('the table, and --since further back', async () => {
    const { code, stdout } = await history('--table', table, '--since', dayOf(ago(31)));

    expect(code).toBe(0);
    expect(stdout).toMatch(/^time\s+kind\s+name\s+account\s+region\s+controls\s+action\s+result\s+notice$/m);
    expect(stdout).toMatch(/^\S+Z\s+notebook-instance\s+Last-Month\s+123456789012\s+us-east-1\s+notebook-instance\.direct-internet-access\s+stop\s+done\s+sent$/m);
    expect(stdout).toMatch(/^\S+Z\s+notebook-instance\s+Locked-Role-Notebook\s+123456789012\s+us-east-1\s+notebook-instance\.direct-internet-access\s+stop\s+denied\s+pending$/m);
    expect(stdout).toMatch(/^\s+notebook-instance\.root-access\s+\(AccessDeniedException,$/m);
    expect(stdout).toMatch(/^\S+Z\s+model\s+open-model\s+123456789012\s+us-east-1\s+model\.vpc\s+delete\s+in doubt\s+-$/m);
    expect(stdout.indexOf('Last-Month')).toBeLessThan(stdout.indexOf('Open-Notebook'));
    expect(stdout).toMatch(/\n4 records from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(32 days\) in sagemaker-guard-ledger: 3 stop, 1 delete; results: 2 done, 1 denied, 1 in doubt;/);
  });

  test('the table from the stack output LedgerTableName', async () => {
    await stacks().send(
      new CreateStackCommand({
        StackName: 'GuardUnderTest',
        TemplateBody: JSON.stringify({
          Resources: { Placeholder: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'guard-under-test-placeholder' } } },
          Outputs: { LedgerTableName: { Value: table }, TopicArn: { Value: 'arn:aws:sns:us-east-1:123456789012:unused' } },
        }),
      }),
    );

    const { code, stdout } = await history('--stack', 'GuardUnderTest', '--json');

    expect(code).toBe(0);
    expect(ndjson(stdout).at(-1)).toMatchObject({ type: 'summary', table, records: 3 });
  });

  test('a stack that does not exist, or has no LedgerTableName output: exit 2 with what to do', async () => {
    let result = await history('--stack', 'NoSuchStack');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('stack NoSuchStack was not found in us-east-1: pass --region (and --profile) for the account and region it is deployed in, --stack with its name, or --table NAME');

    await stacks().send(
      new CreateStackCommand({
        StackName: 'OldGuard',
        TemplateBody: JSON.stringify({
          Resources: { Placeholder: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'old-guard-placeholder' } } },
          Outputs: { TopicArn: { Value: 'arn:aws:sns:us-east-1:123456789012:unused' } },
        }),
      }),
    );
    result = await history('--stack', 'OldGuard');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('stack OldGuard (CREATE_COMPLETE) has no output LedgerTableName (its outputs: TopicArn): deploy the current version of the guard, or pass --table NAME');
  });

  test('a table that does not exist: exit 2', async () => {
    const { code, stderr } = await history('--table', 'no-such-ledger');
    expect(code).toBe(2);
    expect(stderr).toContain('table no-such-ledger was not found in us-east-1');
  });
});
