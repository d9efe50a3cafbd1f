/**
 * An organization deployment's responder acting in a member account, against moto_server: moto keeps resources per
 * account and answers STS AssumeRole with credentials of the role's account, so the bundled function (from cdk.out)
 * assumes the member role with the SDK's own fromTemporaryCredentials, and stops the member's notebook there.
 * moto does not check that the role exists or trusts the caller; a role that cannot be assumed is covered by
 * test/handlers/member-accounts.test.ts (see MOTO-NOTES.md).
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateNotebookInstanceCommand, DescribeNotebookInstanceCommand, ListNotebookInstancesCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { receiveNotices } from '../../tools/local/aws-scene';
import { findBundles, type BundledFunction, type ResponderKind } from '../../tools/local/cdk-out';
import { invokeBundled } from '../../tools/local/lambda-runner';
import { eventFor, loadEvent } from '../../tools/local/sample-events';
import { emulatorPolicy } from '../../tools/local/settings';
import { useEmulatorScene } from '../support/emulator-scene';
import { motoGate } from '../support/moto-gate';

const MEMBER = '222233334444';
const MEMBER_ROLE = 'sagemaker-guard-member';
const EXECUTION_ROLE = `arn:aws:iam::${MEMBER}:role/SageMakerExecution`;

jest.setTimeout(60_000);

const gate = motoGate('member accounts against moto');

gate.describe('a responder of the hub acts in the member account the event came from', () => {
  const scene = useEmulatorScene();
  let bundles: Record<ResponderKind, BundledFunction>;
  let member: SageMakerClient | undefined;

  beforeAll(() => {
    bundles = findBundles();
  });

  /** A SageMaker client of the member account, through the same role the guard assumes. */
  beforeEach(async () => {
    const { emulator } = scene();
    const config = { endpoint: emulator.endpoint, region: emulator.region, credentials: { accessKeyId: emulator.env.AWS_ACCESS_KEY_ID, secretAccessKey: emulator.env.AWS_SECRET_ACCESS_KEY } };
    const sts = new STSClient(config);
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/${MEMBER_ROLE}`, RoleSessionName: 'test-setup' }));
    sts.destroy();
    const credentials = assumed.Credentials;
    if (credentials?.AccessKeyId === undefined || credentials.SecretAccessKey === undefined) throw new Error('moto returned no credentials');
    member?.destroy();
    member = new SageMakerClient({ ...config, credentials: { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken } });
  });

  afterAll(() => {
    member?.destroy();
  });

  const memberClient = (): SageMakerClient => {
    if (member === undefined) throw new Error('no member client (see beforeEach)');
    return member;
  };

  test('an open notebook in the member account is stopped there, the notice names the account, the hub account is untouched', async () => {
    const name = 'member-open-notebook';
    await memberClient().send(new CreateNotebookInstanceCommand({ NotebookInstanceName: name, InstanceType: 'ml.t3.medium', RoleArn: EXECUTION_ROLE, DirectInternetAccess: 'Enabled' }));
    // The hub's own account has no such notebook: acting with the hub's credentials could not find it.
    const { clients, channel, ledgerTable, emulator } = scene();
    expect((await clients.sageMaker.send(new ListNotebookInstancesCommand({}))).NotebookInstances ?? []).toEqual([]);

    const arn = `arn:aws:sagemaker:us-east-1:${MEMBER}:notebook-instance/${name}`;
    const event = { ...eventFor(loadEvent('variants/notebook-instance.inservice.json'), { NotebookInstanceName: name, NotebookInstanceArn: arn }, '00000000-0000-4000-9200-000000000001'), account: MEMBER, resources: [arn] };
    const invocation = await invokeBundled(bundles['notebook-instance'], event, {
      emulatorEnv: emulator.env,
      env: { TOPIC_ARN: channel.topicArn, GUARD_SETTINGS: JSON.stringify(emulatorPolicy()), LEDGER_TABLE: ledgerTable, GUARD_MEMBER_ROLE_NAME: MEMBER_ROLE },
    });
    expect(invocation.error).toBeUndefined();
    expect(invocation.result).toMatchObject({ decision: 'remediate', actionResult: { type: 'done' } });

    const status = (await memberClient().send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }))).NotebookInstanceStatus;
    expect(['Stopping', 'Stopped']).toContain(status);
    const notices = await receiveNotices(clients.sqs, channel.queueUrl);
    expect(notices).toHaveLength(1);
    expect(notices.at(0)?.Subject).toContain(name);
    expect(notices.at(0)?.Message).toContain(`Account:  ${MEMBER}`);
  });

  test('a single-account guard (no member role) looks in its own account only: the member\'s notebook is untouched', async () => {
    const name = 'member-open-notebook-2';
    await memberClient().send(new CreateNotebookInstanceCommand({ NotebookInstanceName: name, InstanceType: 'ml.t3.medium', RoleArn: EXECUTION_ROLE, DirectInternetAccess: 'Enabled' }));
    const { channel, ledgerTable, emulator } = scene();
    const arn = `arn:aws:sagemaker:us-east-1:${MEMBER}:notebook-instance/${name}`;
    const event = { ...eventFor(loadEvent('variants/notebook-instance.inservice.json'), { NotebookInstanceName: name, NotebookInstanceArn: arn }, '00000000-0000-4000-9200-000000000002'), account: MEMBER, resources: [arn] };
    const invocation = await invokeBundled(bundles['notebook-instance'], event, {
      emulatorEnv: emulator.env,
      env: { TOPIC_ARN: channel.topicArn, GUARD_SETTINGS: JSON.stringify(emulatorPolicy()), LEDGER_TABLE: ledgerTable },
    });
    // Its rules are on its own bus, so such an event never reaches it; given one, it finds no such notebook at home.
    expect(invocation.error).toBeUndefined();
    expect(invocation.result).toMatchObject({ decision: 'gone' });
    expect((await memberClient().send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }))).NotebookInstanceStatus).toBe('InService');
  });
});
