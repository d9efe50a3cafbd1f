/**
 * The integration suites' shared set-up: one moto_server per test file, a fresh scene before each test
 * (reset, KMS key, VPC with private/public subnets and groups, notice topic with an SQS inbox, the backout
 * switch at "policy"), and the server stopped after the file. The demo builds the same scene without jest.
 */
import {
  clientsFor,
  createKmsKey,
  createLedgerTable,
  createNetwork,
  createNoticeChannel,
  destroyClients,
  setEnforcementSwitch,
  type Clients,
  type Network,
  type NoticeChannel,
} from '../../tools/local/aws-scene';
import { switchParameterName } from '../../tools/local/cdk-out';
import { startEmulator, type Emulator } from '../../tools/local/emulator';

export interface EmulatorScene {
  readonly emulator: Emulator;
  readonly clients: Clients;
  readonly network: Network;
  readonly channel: NoticeChannel;
  readonly kmsKeyArn: string;
  /** The remediation ledger (DynamoDB), as the stack creates it. */
  readonly ledgerTable: string;
}

/** Registers the hooks; call the returned function inside a test (or a later hook) for the current scene. */
export function useEmulatorScene(options: { readonly switchParameter?: boolean } = {}): () => EmulatorScene {
  let emulator: Emulator | undefined;
  let clients: Clients | undefined;
  let scene: EmulatorScene | undefined;

  beforeAll(async () => {
    emulator = await startEmulator();
    clients = clientsFor(emulator);
  }, 60_000);

  afterAll(async () => {
    if (clients !== undefined) destroyClients(clients);
    await emulator?.stop();
  });

  beforeEach(async () => {
    if (emulator === undefined || clients === undefined) throw new Error('the emulator did not start (see beforeAll)');
    await emulator.reset();
    const kmsKeyArn = await createKmsKey(emulator);
    const network = await createNetwork(clients.ec2);
    const channel = await createNoticeChannel(clients, kmsKeyArn);
    // The stack creates the backout switch at "policy"; the functions read it on every cold start.
    if (options.switchParameter ?? true) await setEnforcementSwitch(clients.ssm, switchParameterName(), 'policy');
    const ledgerTable = await createLedgerTable(clients.dynamoDb);
    scene = { emulator, clients, network, channel, kmsKeyArn, ledgerTable };
  });

  return () => {
    if (scene === undefined) throw new Error('no emulator scene yet (use it inside a test)');
    return scene;
  };
}
