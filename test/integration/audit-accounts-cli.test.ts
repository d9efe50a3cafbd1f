/**
 * `sagemaker-guard audit --role-name` against moto_server: the bin assumes the member role in each account with STS
 * (moto keeps resources per account and hands out credentials of the role's account), lists the organization with
 * AWS Organizations, and audits and remediates each account with its own credentials. moto does not check that a role
 * exists or trusts the caller, so the account that cannot be entered is covered by test/cli/audit-accounts.test.ts
 * (MOTO-NOTES.md).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAccountCommand, CreateOrganizationCommand, DescribeCreateAccountStatusCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateNotebookInstanceCommand, DescribeNotebookInstanceCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { isolatedEnv } from '../../tools/local/emulator';
import { emulatorPolicy } from '../../tools/local/settings';
import { BIN, buildCli, ndjson, runCommand } from '../support/cli-process';
import { useEmulatorScene } from '../support/emulator-scene';
import { motoGate } from '../support/moto-gate';

const HUB = '123456789012';
const MEMBER = '222233334444';
const ROLE_NAME = 'SageMakerGuard-member';

jest.setTimeout(60_000);

const gate = motoGate('audit across accounts against moto');

gate.describe('npx sagemaker-guard audit --role-name against moto', () => {
  const scene = useEmulatorScene({ switchParameter: false });
  let workDir: string;
  let policyFile: string;

  beforeAll(() => {
    buildCli();
    workDir = mkdtempSync(join(tmpdir(), 'guard-audit-accounts-'));
    policyFile = join(workDir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify(emulatorPolicy()));
  }, 60_000);

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  const config = () => {
    const { emulator } = scene();
    return { endpoint: emulator.endpoint, region: emulator.region, credentials: { accessKeyId: emulator.env.AWS_ACCESS_KEY_ID, secretAccessKey: emulator.env.AWS_SECRET_ACCESS_KEY } };
  };

  /** SageMaker in `account`, through the member role, as the audit reaches it. */
  async function sageMakerOf(account: string): Promise<SageMakerClient> {
    const sts = new STSClient(config());
    try {
      const { Credentials: credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${ROLE_NAME}`, RoleSessionName: 'test-setup' }));
      if (credentials?.AccessKeyId === undefined || credentials.SecretAccessKey === undefined) throw new Error('moto returned no credentials');
      return new SageMakerClient({ ...config(), credentials: { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken } });
    } finally {
      sts.destroy();
    }
  }

  async function openNotebook(account: string, name: string): Promise<SageMakerClient> {
    const client = account === HUB ? new SageMakerClient(config()) : await sageMakerOf(account);
    await client.send(new CreateNotebookInstanceCommand({ NotebookInstanceName: name, InstanceType: 'ml.t3.medium', RoleArn: `arn:aws:iam::${account}:role/SageMakerExecution`, DirectInternetAccess: 'Enabled' }));
    return client;
  }

  const status = async (client: SageMakerClient, name: string) => (await client.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }))).NotebookInstanceStatus;
  const audit = (...args: string[]) =>
    runCommand(process.execPath, [BIN, 'audit', '--region', 'us-east-1', '--policy', policyFile, '--kinds', 'notebook-instance', '--role-name', ROLE_NAME, '--json', ...args], isolatedEnv(process.env, scene().emulator.env));

  test('--accounts: each account is audited with its own credentials, and each row names its account', async () => {
    const member = await openNotebook(MEMBER, 'member-open-nb');
    const hub = await openNotebook(HUB, 'hub-open-nb');
    try {
      const { code, stdout, stderr } = await audit('--accounts', `${MEMBER},${HUB}`);
      expect(stderr).toContain(`Accounts: ${MEMBER}, ${HUB}\n`);
      expect(code).toBe(1);
      const objects = ndjson(stdout);
      expect(objects.filter((object) => object.type === 'resource').map((object) => [object.account, object.name, object.action])).toEqual([
        [MEMBER, 'member-open-nb', 'would-stop'],
        [HUB, 'hub-open-nb', 'would-stop'],
      ]);
      expect(objects.at(-1)).toMatchObject({ type: 'summary', accounts: [MEMBER, HUB], checked: 2, unreachable: 0, exitCode: 1 });
      expect(await status(member, 'member-open-nb')).toBe('InService');
    } finally {
      member.destroy();
      hub.destroy();
    }
  });

  test('--organization --remediate --yes: nothing without the hub\'s ledger; with it, every active account of the organization, each notebook stopped in its own account', async () => {
    const organizations = new OrganizationsClient(config());
    let created: string | undefined;
    try {
      await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
      const request = await organizations.send(new CreateAccountCommand({ AccountName: 'ml-team', Email: 'ml-team@example.com' }));
      const state = await organizations.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: request.CreateAccountStatus?.Id ?? '' }));
      created = state.CreateAccountStatus?.AccountId;
    } finally {
      organizations.destroy();
    }
    if (created === undefined) throw new Error('moto created no account');
    const member = await openNotebook(created, 'team-open-nb');
    const hub = await openNotebook(HUB, 'hub-open-nb');
    try {
      // No hub stack where the audit looks: the estate the hub spares is unknown, so nothing is done anywhere.
      const blind = await audit('--organization', '--remediate', '--yes');
      expect(blind.code).toBe(2);
      expect(blind.stderr).toContain("--remediate acted on nothing: the hub's stack SageMakerGuard was not found in us-east-1");
      expect(await status(member, 'team-open-nb')).toBe('InService');
      expect(await status(hub, 'hub-open-nb')).toBe('InService');

      // The hub's ledger named: it records no start of enforcement, so nothing is existing estate.
      const { code, stdout, stderr } = await audit('--organization', '--remediate', '--yes', '--table', scene().ledgerTable);
      expect(stderr).toContain(`Accounts: ${[HUB, created].sort().join(', ')}\n`);
      expect(code).toBe(1);
      const rows = ndjson(stdout).filter((object) => object.type === 'resource');
      expect(rows.map((object) => [object.account, object.name, object.action]).sort()).toEqual(
        [
          [created, 'team-open-nb', 'stopped'],
          [HUB, 'hub-open-nb', 'stopped'],
        ].sort(),
      );
      expect(await status(member, 'team-open-nb')).toMatch(/^Stopp(ing|ed)$/);
      expect(await status(hub, 'hub-open-nb')).toMatch(/^Stopp(ing|ed)$/);
    } finally {
      member.destroy();
      hub.destroy();
    }
  });
});
