/**
 * The audit across accounts (--role-name): each account is audited with its own clients (a fake MemberReach hands out
 * SageMaker and EC2 clients mocked per instance, so a call that reached the wrong account would find nothing, and the
 * tests can say which client received which call), rows carry the account, and an account that cannot be entered is
 * an error row and exit 2, never a silent skip.
 */
import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  type EC2ClientResolvedConfig,
  type Filter,
  type ServiceInputTypes as Ec2Input,
  type ServiceOutputTypes as Ec2Output,
} from '@aws-sdk/client-ec2';
import {
  DeleteModelCommand,
  DescribeModelCommand,
  DescribeNotebookInstanceCommand,
  ListModelsCommand,
  ListNotebookInstancesCommand,
  ListTagsCommand,
  SageMakerClient,
  StopNotebookInstanceCommand,
  type SageMakerClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { MemberAccessError, type Target } from '../../lambda/aws/accounts';
import { ec2 as callerEc2, sageMaker as callerSageMaker, type AccountClients } from '../../lambda/aws/clients';
import type { NotebookNetwork } from '../../lambda/kinds/notebook-instance/controls';
import { audit } from '../../cli/audit';
import { DEFAULT_CONCURRENCY, type AuditOptions } from '../../cli/args';
import type { EstateLookup } from '../../cli/estate';
import { AccountListError, type MemberReach } from '../../cli/members';
import { model, notebook, privateNetwork, settings } from '../fixtures/resources';
import { NOW, resetMocks, snsMock } from '../handlers/harness';

const A = '222233334444';
const B = '555566667777';
const LOCKED = '888899990000';
const ROLE = 'SageMakerGuard-member';
const OPTIONS: AuditOptions = {
  regions: ['us-east-1'],
  kinds: ['model', 'notebook-instance'],
  concurrency: DEFAULT_CONCURRENCY,
  format: 'json',
  remediate: false,
  yes: false,
  stack: 'SageMakerGuard',
  members: { roleName: ROLE, accounts: [A, B, LOCKED] },
};

type SageMakerStub = AwsStub<ServiceInputTypes, ServiceOutputTypes, SageMakerClientResolvedConfig>;
type Ec2Stub = AwsStub<Ec2Input, Ec2Output, EC2ClientResolvedConfig>;

/** The values a request's filter `name` asks for. */
const filterValues = (filters: readonly Filter[] | undefined, name: string): readonly string[] => filters?.find((filter) => filter.Name === name)?.Values ?? [];

/**
 * The EC2 of one account and region: it knows `networks` (its own subnets, route tables and security groups) and answers
 * the notebooks' network reads (lambda/kinds/notebook-instance/network.ts) by their filters, so a read of another
 * account's subnet finds nothing. Only route tables associated with a subnet: a VPC's main table is never found.
 */
function answerNetworkReads(stub: Ec2Stub, networks: readonly NotebookNetwork[]): void {
  const subnets = networks.flatMap((network) => network.subnet ?? []);
  const tables = networks.flatMap((network) => network.routeTable ?? []);
  const groups = networks.flatMap((network) => network.securityGroups);
  stub.on(DescribeSubnetsCommand).callsFake(({ Filters }: { Filters?: Filter[] }) => ({ Subnets: subnets.filter((subnet) => filterValues(Filters, 'subnet-id').includes(subnet.SubnetId ?? '')) }));
  stub.on(DescribeSecurityGroupsCommand).callsFake(({ Filters }: { Filters?: Filter[] }) => ({ SecurityGroups: groups.filter((group) => filterValues(Filters, 'group-id').includes(group.GroupId ?? '')) }));
  stub.on(DescribeRouteTablesCommand).callsFake(({ Filters }: { Filters?: Filter[] }) => ({
    RouteTables: tables.filter((table) => table.Associations?.some((association) => filterValues(Filters, 'association.subnet-id').includes(association.SubnetId ?? '')) === true),
  }));
}

/**
 * One mocked SageMaker client and one mocked EC2 client per account and region, as MemberAccounts would create them with
 * each role's credentials. In us-east-1 an account's EC2 knows `networks[account]`, by default the fixtures' private
 * network (the subnet, route table and group of the fixture notebook); elsewhere it knows no network.
 */
class FakeReach implements MemberReach {
  readonly stubs = new Map<string, SageMakerStub>();
  readonly ec2Stubs = new Map<string, Ec2Stub>();
  readonly entered: string[] = [];
  private readonly clients: { destroy(): void }[] = [];

  constructor(
    private readonly list: readonly string[] | Error,
    private readonly setUp: (account: string, stub: SageMakerStub) => void,
    private readonly networks: Readonly<Record<string, readonly NotebookNetwork[]>> = {},
  ) {}

  accounts(): Promise<readonly string[]> {
    return this.list instanceof Error ? Promise.reject(this.list) : Promise.resolve(this.list);
  }

  clientsFor(target: Target): Promise<AccountClients> {
    this.entered.push(`${target.account}/${target.region}`);
    if (target.account === LOCKED) {
      return Promise.reject(new MemberAccessError(target, this.roleArnOf(target.account), 'AccessDenied', `User: arn:aws:iam::${A}:user/auditor is not authorized to perform: sts:AssumeRole`));
    }
    const sageMaker = new SageMakerClient({ region: target.region });
    const ec2 = new EC2Client({ region: target.region });
    this.clients.push(sageMaker, ec2);
    const stub = mockClient(sageMaker);
    stub.on(ListModelsCommand).resolves({ Models: [] });
    stub.on(ListNotebookInstancesCommand).resolves({ NotebookInstances: [] });
    stub.on(ListTagsCommand).resolves({ Tags: [] });
    const ec2Stub = mockClient(ec2);
    // The resources are in us-east-1; the other regions are empty.
    if (target.region === 'us-east-1') this.setUp(target.account, stub);
    answerNetworkReads(ec2Stub, target.region === 'us-east-1' ? (this.networks[target.account] ?? [privateNetwork()]) : []);
    this.stubs.set(`${target.account}/${target.region}`, stub);
    this.ec2Stubs.set(`${target.account}/${target.region}`, ec2Stub);
    return Promise.resolve({ sageMaker, ec2 });
  }

  roleArnOf(account: string): string {
    return `arn:aws:iam::${account}:role/${ROLE}`;
  }

  destroy(): void {
    for (const client of this.clients) client.destroy();
  }

  stub(account: string, region = 'us-east-1'): SageMakerStub {
    return enteredIn(this.stubs, account, region);
  }

  ec2Stub(account: string, region = 'us-east-1'): Ec2Stub {
    return enteredIn(this.ec2Stubs, account, region);
  }
}

function enteredIn<T>(stubs: ReadonlyMap<string, T>, account: string, region: string): T {
  const stub = stubs.get(`${account}/${region}`);
  if (stub === undefined) throw new Error(`account ${account} was not entered in ${region}`);
  return stub;
}

/** A terminal that answers yes to every question, recording them; stdout goes to `out`. */
function answeringYes(questions: string[], out: (text: string) => unknown = () => true) {
  return {
    stdout: {
      write: (text: string) => {
        out(text);
        return true;
      },
    },
    stderr: { write: () => true },
    interactive: true,
    confirm: (question: string) => {
      questions.push(question);
      return Promise.resolve(true);
    },
    now: () => NOW,
  };
}

/** A has an open notebook, B a model outside any VPC. */
function estate(account: string, stub: SageMakerStub): void {
  if (account === A) {
    stub.on(ListNotebookInstancesCommand).resolves({ NotebookInstances: [{ NotebookInstanceName: 'open-nb' } as never] });
    stub.on(DescribeNotebookInstanceCommand).resolves({
      ...notebook({ NotebookInstanceName: 'open-nb', DirectInternetAccess: 'Enabled' }).notebook,
      NotebookInstanceArn: `arn:aws:sagemaker:us-east-1:${A}:notebook-instance/open-nb`,
    });
  }
  if (account === B) {
    stub.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'open-model' } as never, { ModelName: 'hidden' } as never] });
    stub.on(DescribeModelCommand, { ModelName: 'open-model' }).resolves(model({ ModelName: 'open-model', VpcConfig: undefined, ModelArn: `arn:aws:sagemaker:us-east-1:${B}:model/open-model` }));
    stub.on(DescribeModelCommand, { ModelName: 'hidden' }).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
  }
}

/** The fixtures' private network under ids of `account`'s own: subnet-, vpc-, rtb- and sg-<account>. */
function networkOf(account: string): NotebookNetwork {
  const fixture = privateNetwork();
  return {
    subnet: { ...fixture.subnet, SubnetId: `subnet-${account}`, VpcId: `vpc-${account}` },
    routeTable: { ...fixture.routeTable, RouteTableId: `rtb-${account}`, Associations: [{ SubnetId: `subnet-${account}`, Main: false }] },
    securityGroups: fixture.securityGroups.map((group) => ({ ...group, GroupId: `sg-${account}` })),
  };
}

/** A compliant notebook, nb-<account>, in the account's own subnet and security group (networkOf). */
function notebookInItsSubnet(account: string, stub: SageMakerStub): void {
  const name = `nb-${account}`;
  stub.on(ListNotebookInstancesCommand).resolves({ NotebookInstances: [{ NotebookInstanceName: name } as never] });
  stub.on(DescribeNotebookInstanceCommand).resolves(
    notebook({ NotebookInstanceName: name, NotebookInstanceArn: `arn:aws:sagemaker:us-east-1:${account}:notebook-instance/${name}`, SubnetId: `subnet-${account}`, SecurityGroups: [`sg-${account}`] }).notebook,
  );
}

/** What an EC2 client was sent, sorted: each call's command and its filters. */
function ec2Reads(stub: Ec2Stub): string[] {
  return stub
    .calls()
    .map((call) => {
      const command = call.args[0] as unknown as { readonly constructor: { readonly name: string }; readonly input: { readonly Filters?: readonly Filter[] } };
      return [command.constructor.name, ...(command.input.Filters ?? []).map((filter) => `${filter.Name ?? ''}=${(filter.Values ?? []).join(',')}`)].join(' ');
    })
    .sort();
}

async function run(reach: MemberReach, options: Partial<AuditOptions> = {}, extra: { estate?: EstateLookup; columns?: number } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await audit(
    { ...OPTIONS, ...options },
    settings(),
    {
      stdout: { write: (text: string) => (stdout += text), ...(extra.columns !== undefined ? { isTTY: true, columns: extra.columns } : {}) },
      stderr: { write: (text: string) => (stderr += text) },
      interactive: false,
      confirm: () => Promise.resolve(false),
      now: () => NOW,
    },
    { members: reach, ...(extra.estate !== undefined ? { estate: extra.estate } : {}) },
  );
  return { code, stdout, stderr, objects: stdout.trim().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/**
 * The caller's own clients (what sageMaker() and ec2() give outside withClients), mocked per instance, once (sinon will
 * not stub an instance again while its class is stubbed). The harness's class-level mocks cannot see them: mockClient of
 * an instance puts its class's own send back, so after FakeReach enters an account they record nothing.
 */
const own: { readonly sageMaker: SageMakerStub; readonly ec2: Ec2Stub } = { sageMaker: mockClient(callerSageMaker()), ec2: mockClient(callerEc2()) };

let reach: FakeReach;

beforeEach(() => {
  resetMocks();
  own.sageMaker.resetHistory();
  own.ec2.resetHistory();
  reach = new FakeReach([A, B, LOCKED], estate);
});

afterEach(() => {
  reach.destroy();
});

describe('sagemaker-guard audit --role-name', () => {
  test('each account with its own clients, rows carry the account, and the account it cannot enter is an error row and exit 2', async () => {
    const { code, objects, stderr } = await run(reach, { regions: ['us-east-1', 'eu-west-1'] });

    expect(code).toBe(2);
    expect(reach.entered).toEqual([`${A}/us-east-1`, `${A}/eu-west-1`, `${B}/us-east-1`, `${B}/eu-west-1`, `${LOCKED}/us-east-1`, `${LOCKED}/eu-west-1`]);
    expect(objects.map((object) => [object.type, object.account, object.region, object.name ?? object.call])).toEqual([
      ['resource', A, 'us-east-1', 'open-nb'],
      ['resource', B, 'us-east-1', 'open-model'],
      ['error', B, 'us-east-1', 'hidden'],
      ['error', LOCKED, 'us-east-1', 'sts:AssumeRole'],
      ['error', LOCKED, 'eu-west-1', 'sts:AssumeRole'],
      ['summary', undefined, undefined, undefined],
    ]);
    expect(objects[3]).toMatchObject({ roleArn: `arn:aws:iam::${LOCKED}:role/${ROLE}`, error: { name: 'MemberAccessError', message: expect.stringContaining('not authorized to perform: sts:AssumeRole') as unknown } });
    expect(objects.at(-1)).toMatchObject({ accounts: [A, B, LOCKED], regions: ['us-east-1', 'eu-west-1'], checked: 2, withViolations: 2, failed: 1, unreachable: 2, exitCode: 2 });
    expect(reach.stub(A, 'eu-west-1')).toHaveReceivedCommand(ListNotebookInstancesCommand);
    expect(stderr).toContain(`Accounts: ${A}, ${B}, ${LOCKED}\n`);
    expect(stderr).toContain(`Could not enter account ${LOCKED} in us-east-1: nothing there was checked (MemberAccessError: cannot assume arn:aws:iam::${LOCKED}:role/${ROLE}`);
    expect(stderr).toContain(`Could not enter account ${LOCKED} in eu-west-1`);
    // Nothing went to the caller's own clients, nor was anything changed.
    expect(own.sageMaker.calls()).toHaveLength(0);
    expect(own.ec2.calls()).toHaveLength(0);
    // A's notebook is in the fixtures' subnet: its network was read with A's EC2.
    expect(reach.ec2Stub(A)).toHaveReceivedCommandWith(DescribeSubnetsCommand, { Filters: [{ Name: 'subnet-id', Values: ['subnet-0private'] }] });
    for (const stub of reach.stubs.values()) {
      expect(stub).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
      expect(stub).not.toHaveReceivedCommand(DeleteModelCommand);
    }
  });

  test('each notebook\'s network is read with the EC2 client of its own account: B\'s subnet, route table and groups through B\'s, never A\'s', async () => {
    // Each account's EC2 knows its own network only: B's reads sent through A's client would find no subnet, and B's
    // notebook would fail notebook-instance.private-subnet ("not found by ec2:DescribeSubnets").
    const separate = new FakeReach([A, B], notebookInItsSubnet, { [A]: [networkOf(A)], [B]: [networkOf(B)] });
    try {
      const { code, objects } = await run(separate, { kinds: ['notebook-instance'], members: { roleName: ROLE, accounts: [A, B] } });
      expect(ec2Reads(separate.ec2Stub(A))).toEqual([
        `DescribeRouteTablesCommand association.subnet-id=subnet-${A}`,
        `DescribeSecurityGroupsCommand group-id=sg-${A}`,
        `DescribeSubnetsCommand subnet-id=subnet-${A}`,
      ]);
      expect(ec2Reads(separate.ec2Stub(B))).toEqual([
        `DescribeRouteTablesCommand association.subnet-id=subnet-${B}`,
        `DescribeSecurityGroupsCommand group-id=sg-${B}`,
        `DescribeSubnetsCommand subnet-id=subnet-${B}`,
      ]);
      expect(own.ec2.calls()).toHaveLength(0);
      // Both networks were found where they are: both notebooks pass.
      expect(code).toBe(0);
      expect(objects.at(-1)).toMatchObject({ accounts: [A, B], checked: 2, withViolations: 0, failed: 0, exitCode: 0 });
    } finally {
      separate.destroy();
    }
  });

  test('every account entered is clean: exit 0, and the summary line counts the accounts', async () => {
    const clean = new FakeReach([A, B], () => undefined);
    try {
      const { code, stdout } = await run(clean, { format: 'table', members: { roleName: ROLE, accounts: [A, B] } });
      expect(code).toBe(0);
      expect(stdout).toContain('0 resources checked in 2 accounts and 1 region: 0 with violations');
    } finally {
      clean.destroy();
    }
  });

  test('the table always shows the account, even on a narrow terminal, for error rows and the account not entered', async () => {
    const { code, stdout } = await run(reach, { format: 'table' }, { columns: 100 });
    expect(code).toBe(2);
    expect(stdout.split('\n')[0]).toMatch(/^account\s+kind\s+name\s+status\s+decision\s+severity\s+failed controls$/);
    expect(stdout).toMatch(new RegExp(`^${A}\\s+notebook-instance\\s+open-nb\\s+InService\\s+would stop`, 'm'));
    expect(stdout).toMatch(new RegExp(`^${B}\\s+model\\s+hidden\\s+-\\s+error \\(throttled\\)`, 'm'));
    // The role ARN wraps in the narrow name column.
    expect(stdout).toMatch(new RegExp(`^${LOCKED}\\s+-\\s+arn:aws:ia\\S*\\s+-\\s+error \\(no access\\)\\s+-\\s+could not enter the account`, 'm'));
    expect(stdout).toContain('; 1 account and region could not be entered');
  });

  test('csv: the account in the first column of every record, the account not entered included', async () => {
    const { stdout } = await run(reach, { format: 'csv' });
    const records = stdout.trim().split('\r\n').map((line) => line.split(',').slice(0, 3).join(','));
    expect(records).toEqual([
      'account,region,kind',
      `${A},us-east-1,notebook-instance`,
      `${B},us-east-1,model`,
      `${B},us-east-1,model`,
      `${LOCKED},us-east-1,`,
    ]);
  });

  test('--remediate --yes stops and deletes in the account each resource is in, with that account\'s clients, and sends no notice', async () => {
    const { code, objects } = await run(reach, { remediate: true, yes: true });
    expect(code).toBe(2);
    expect(reach.stub(A)).toHaveReceivedCommandWith(StopNotebookInstanceCommand, { NotebookInstanceName: 'open-nb' });
    expect(reach.stub(B)).toHaveReceivedCommandWith(DeleteModelCommand, { ModelName: 'open-model' });
    expect(reach.stub(A)).not.toHaveReceivedCommand(DeleteModelCommand);
    expect(reach.stub(B)).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
    expect(own.sageMaker.calls()).toHaveLength(0);
    expect(own.ec2.calls()).toHaveLength(0);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
    expect(objects.at(-1)).toMatchObject({ stopped: 1, deleted: 1, unreachable: 1 });
  });

  test('the existing estate is the hub\'s: read once, in the hub region, for every account and region', async () => {
    const estateLookup = jest.fn<ReturnType<EstateLookup>, Parameters<EstateLookup>>(() =>
      Promise.resolve({ state: 'known', since: new Date('2026-11-15T00:00:00Z'), line: 'Existing estate in us-east-2: enforcement began 2026-11-15T00:00:00.000Z' }),
    );
    const { objects, stderr } = await run(reach, { regions: ['us-east-1', 'eu-west-1'], members: { roleName: ROLE, accounts: [A, B, LOCKED], hubRegion: 'us-east-2' } }, { estate: estateLookup });
    expect(new Set(estateLookup.mock.calls.map(([region]) => region))).toEqual(new Set(['us-east-2']));
    expect(stderr.match(/^Existing estate/gm)).toHaveLength(1);
    // Older than enforcement (the fixtures' models were created on 2026-11-01): reported as the existing estate, as the hub's responders would.
    expect(objects.find((object) => object.name === 'open-model')).toMatchObject({ account: B, region: 'us-east-1', decision: 'report', existingEstate: { enforcementSince: '2026-11-15T00:00:00.000Z' } });
  });

  test.each<[string, Awaited<ReturnType<EstateLookup>>, RegExp]>([
    [
      'the hub\'s stack is not found (not the hub account, or not the hub region)',
      { state: 'none', noStack: true, line: 'Existing estate in us-east-1: none known (stack SageMakerGuard was not found in us-east-1)' },
      /--remediate acted on nothing: the hub's stack SageMakerGuard was not found in us-east-1 \(see above\), so the existing estate the guard spares is not known/,
    ],
    [
      'the hub\'s ledger cannot be read',
      { state: 'unreadable', line: 'Existing estate in us-east-1: the ledger could not be read (AccessDeniedException: no)' },
      /--remediate acted on nothing in any account \(the hub's ledger in us-east-1\): the existing estate there could not be read/,
    ],
  ])('--remediate --yes acts on nothing in any account when %s, says so once, and exits 2', async (_title, reading, message) => {
    const { code, stderr, objects } = await run(reach, { regions: ['us-east-1', 'eu-west-1'], remediate: true, yes: true }, { estate: () => Promise.resolve(reading) });
    expect(code).toBe(2);
    for (const stub of reach.stubs.values()) {
      expect(stub).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
      expect(stub).not.toHaveReceivedCommand(DeleteModelCommand);
    }
    expect(stderr.match(new RegExp(message.source, 'g'))).toHaveLength(1);
    // Still audited: what would be done is shown.
    expect(objects.find((object) => object.name === 'open-nb')).toMatchObject({ account: A, action: 'would-stop' });
  });

  test('a listing that fails in one account (throttled past the retries) is an error row there; the other accounts are still audited, exit 2', async () => {
    const flaky = new FakeReach([A, B], (account, stub) => {
      estate(account, stub);
      if (account === A) stub.on(ListNotebookInstancesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    });
    try {
      const { code, objects, stderr } = await run(flaky, { members: { roleName: ROLE, accounts: [A, B] } });
      expect(code).toBe(2);
      expect(flaky.entered).toEqual([`${A}/us-east-1`, `${B}/us-east-1`]);
      expect(objects.filter((object) => object.type === 'error' && object.call !== undefined)).toEqual([
        expect.objectContaining({ account: A, region: 'us-east-1', kind: 'notebook-instance', call: 'sagemaker:ListNotebookInstances' }),
      ]);
      expect(objects.find((object) => object.name === 'open-model')).toMatchObject({ account: B });
      expect(objects.at(-1)).toMatchObject({ listingErrors: 1, exitCode: 2 });
      expect(stderr).toContain(`Could not list notebook instances in account ${A} in us-east-1 (sagemaker:ListNotebookInstances): ThrottlingException: Rate exceeded`);
    } finally {
      flaky.destroy();
    }
  });

  test('interactive --remediate: the question counts the accounts entered, and the act pass enters no account the preview could not', async () => {
    // B's role fails while the audit is shown, then works: acting there would act on what nobody was shown.
    let bTries = 0;
    class Recovering extends FakeReach {
      override clientsFor(target: Target): Promise<AccountClients> {
        if (target.account === B && bTries++ === 0) return Promise.reject(new MemberAccessError(target, this.roleArnOf(B), 'AccessDenied', 'not yet'));
        return super.clientsFor(target);
      }
    }
    const recovering = new Recovering([A, B], estate);
    const questions: string[] = [];
    let stdout = '';
    try {
      const code = await audit(
        { ...OPTIONS, remediate: true, members: { roleName: ROLE, accounts: [A, B] } },
        settings(),
        answeringYes(questions, (text) => (stdout += text)),
        { members: recovering },
      );
      expect(code).toBe(2);
      expect(questions).toEqual(['Stop 1 notebook instance in 1 account (us-east-1), as the responder would (no notices are sent)? [y/N] ']);
      expect(recovering.stub(A)).toHaveReceivedCommandWith(StopNotebookInstanceCommand, { NotebookInstanceName: 'open-nb' });
      // B was tried once, by the preview; the act pass does not even try it.
      expect(bTries).toBe(1);
      expect(recovering.entered).toEqual([`${A}/us-east-1`, `${A}/us-east-1`]);
      expect(recovering.stubs.has(`${B}/us-east-1`)).toBe(false);
      expect(stdout).toContain('it could not be entered when the audit was shown, so nothing is done there now');
    } finally {
      recovering.destroy();
    }
  });

  test('interactive --remediate acts only on what the preview showed: a listing throttled in the preview that works in the act pass is not acted on', async () => {
    // A's notebooks cannot be listed while the audit is shown (throttled past the retries), then can: its open notebook
    // was never shown, so it must not be stopped; B's model was shown and is deleted.
    let aListings = 0;
    const flakyEstate = (account: string, stub: SageMakerStub): void => {
      estate(account, stub);
      if (account === A && aListings++ === 0) stub.on(ListNotebookInstancesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    };
    const reach = new FakeReach([A, B], flakyEstate);
    const questions: string[] = [];
    try {
      const code = await audit(
        { ...OPTIONS, remediate: true, members: { roleName: ROLE, accounts: [A, B] } },
        settings(),
        answeringYes(questions),
        { members: reach },
      );
      expect(questions).toEqual(['Delete 1 model in 2 accounts (us-east-1), as the responder would (no notices are sent)? [y/N] ']);
      expect(aListings).toBe(2);
      // The act pass listed A's notebooks and found open-nb, but did not even describe it.
      expect(reach.stub(A)).toHaveReceivedCommand(ListNotebookInstancesCommand);
      expect(reach.stub(A)).not.toHaveReceivedCommand(DescribeNotebookInstanceCommand);
      expect(reach.stub(A)).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
      expect(reach.stub(B)).toHaveReceivedCommandWith(DeleteModelCommand, { ModelName: 'open-model' });
      // The preview's listing error stays an error: exit 2.
      expect(code).toBe(2);
    } finally {
      reach.destroy();
    }
  });

  test('an organization with no active account audits nothing and exits 2', async () => {
    const empty = new FakeReach([], estate);
    const { code, stdout, stderr } = await run(empty, { members: { roleName: ROLE, accounts: 'organization' } });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--organization: the organization lists no active account. Nothing was audited.');
    expect(empty.entered).toEqual([]);
  });

  test('an organization that cannot be listed audits nothing and exits 2, saying why', async () => {
    const failing = new FakeReach(new AccountListError('--organization: the organization\'s accounts could not be listed (AccessDeniedException: no)'), estate);
    const { code, stdout, stderr } = await run(failing, { members: { roleName: ROLE, accounts: 'organization' } });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('could not be listed (AccessDeniedException: no)');
    expect(failing.entered).toEqual([]);
  });
});
