/**
 * The EventBridge rules exactly as synthesized (cdk.out), recreated in moto's EventBridge with an SQS queue
 * as target each, receive every sample event of test/fixtures/events. This proves which events start which
 * responder, and that what a rule delivers is accepted by the responder it targets.
 *
 * moto quirks (MOTO-NOTES.md section 7): the delivered envelope has a new id and no `account` field;
 * delivery to SQS happens during PutEvents, so the queues can be read straight after.
 */
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { clientsFor, createLedgerTable, createQueue, destroyClients, drainQueue, type Clients } from '../../tools/local/aws-scene';
import { findBundles, findRules, readTemplate, RESPONDER_KINDS, type BundledFunction, type ResponderKind, type RuleTarget } from '../../tools/local/cdk-out';
import { startEmulator, type Emulator } from '../../tools/local/emulator';
import { listEventFiles, loadEvent, type SampleEvent } from '../../tools/local/sample-events';
import { decisionLog, invokeBundled } from '../../tools/local/lambda-runner';
import { motoGate } from '../support/moto-gate';

/** Every sample, and the responders its event must reach. A new sample fails the test until it is listed here. */
const EXPECTED_ROUTES: Readonly<Record<string, readonly ResponderKind[]>> = {
  'training-job-state-change.json': [], // Completed: too late to stop
  'variants/training-job.in-progress.json': ['training-job'],
  'notebook-instance-state-change.observed-swb.json': [], // Stopping: already on its way down
  'variants/notebook-instance.inservice.json': ['notebook-instance'],
  'variants/notebook-instance.pending.json': [], // not yet stoppable; its InService event follows
  'variants/model.created.json': ['model'], // model events carry no status: every one is checked
  'processing-job-state-change.json': [], // Failed: too late to stop
  'variants/processing-job.in-progress.json': ['processing-job'],
  'transform-job-state-change.json': [], // a placeholder status, not InProgress
  'variants/transform-job.in-progress.json': ['transform-job'],
  'hyperparameter-tuning-job-state-change.json': [], // a placeholder status, not InProgress
  'variants/hyper-parameter-tuning-job.in-progress.json': ['hyper-parameter-tuning-job'],
  'endpoint-state-change.json': ['endpoint'], // IN_SERVICE, as the documented event says
  'variants/endpoint.in-service-api-case.json': ['endpoint'],
  'variants/endpoint.creating.json': [], // not serving yet; its InService event follows
  'variants/endpoint.name-only.json': [], // no status: the rule matches actionable statuses only
  'endpoint-config-state-change.constructed.json': ['endpoint-config'], // no status field: every one is checked
  'variants/endpoint-config.name-only.json': ['endpoint-config'],
};

interface Delivered {
  readonly kind: ResponderKind;
  readonly body: Record<string, unknown>;
}

// Each invocation is a cold start of a bundle (~1 s); some tests make two.
jest.setTimeout(30_000);

const gate = motoGate('EventBridge rules against moto');

gate.describe('EventBridge rules from cdk.out, in moto', () => {
  let bundles: Record<ResponderKind, BundledFunction>;
  let rules: RuleTarget[];
  let emulator: Emulator | undefined;
  let clients: Clients;
  const queues = new Map<ResponderKind, string>();
  const deliveries = new Map<string, Delivered[]>();

  beforeAll(async () => {
    bundles = findBundles();
    rules = findRules(readTemplate());
    emulator = await startEmulator();
    clients = clientsFor(emulator);
    await createLedgerTable(clients.dynamoDb);
    for (const kind of RESPONDER_KINDS) {
      const rule = ruleFor(kind);
      const queue = await createQueue(clients.sqs, `guard-rule-${kind}`);
      queues.set(kind, queue.url);
      await clients.events.send(new PutRuleCommand({ Name: `guard-${kind}`, EventPattern: JSON.stringify(rule.eventPattern), State: 'ENABLED' }));
      await clients.events.send(new PutTargetsCommand({ Rule: `guard-${kind}`, Targets: [{ Id: 'queue', Arn: queue.arn }] }));
    }
    // One event at a time, reading every queue after each, so each delivery is attributed to its sample.
    for (const file of listEventFiles()) {
      const sample = loadEvent(file);
      const put = await clients.events.send(
        new PutEventsCommand({
          Entries: [{ Source: sample.source, DetailType: sample['detail-type'], Resources: sample.resources ?? [], Detail: JSON.stringify(sample.detail) }],
        }),
      );
      if (put.FailedEntryCount !== 0) throw new Error(`PutEvents rejected ${file}: ${JSON.stringify(put.Entries)}`);
      const delivered: Delivered[] = [];
      for (const [kind, url] of queues) {
        for (const message of await drainQueue(clients.sqs, url)) delivered.push({ kind, body: JSON.parse(message.Body ?? '{}') as Record<string, unknown> });
      }
      deliveries.set(file, delivered);
    }
  }, 60_000);

  afterAll(async () => {
    if (emulator === undefined) return;
    destroyClients(clients);
    await emulator.stop();
  });

  function ruleFor(kind: ResponderKind): RuleTarget {
    const matching = rules.filter((rule) => rule.functionLogicalIds.includes(bundles[kind].logicalId));
    if (matching.length !== 1) throw new Error(`expected one rule targeting ${bundles[kind].cdkPath}, found ${matching.length}`);
    return matching[0];
  }

  test('the template has one enabled rule per responder, each targeting only its own function', () => {
    const responderIds = RESPONDER_KINDS.map((kind) => bundles[kind].logicalId);
    expect(rules.filter((rule) => rule.functionLogicalIds.some((id) => responderIds.includes(id)))).toHaveLength(RESPONDER_KINDS.length);
    for (const kind of RESPONDER_KINDS) {
      const rule = ruleFor(kind);
      expect(rule.functionLogicalIds).toEqual([bundles[kind].logicalId]);
      expect(rule.state ?? 'ENABLED').toBe('ENABLED');
    }
  });

  test('every sample event is listed in the routing table (a new sample needs an expectation)', () => {
    expect(Object.keys(EXPECTED_ROUTES).sort()).toEqual(listEventFiles());
  });

  test.each(Object.entries(EXPECTED_ROUTES))('%s reaches %j', (file, expected) => {
    const delivered = deliveries.get(file) ?? [];
    expect(delivered.map((delivery) => delivery.kind).sort()).toEqual([...expected].sort());
    const sample: SampleEvent = loadEvent(file);
    for (const { body } of delivered) {
      expect(body).toMatchObject({ source: sample.source, 'detail-type': sample['detail-type'], resources: sample.resources ?? [], detail: sample.detail });
    }
  });

  test.each(RESPONDER_KINDS)('what the %s rule delivers is accepted by its responder (the resource does not exist: "gone")', async (kind) => {
    const delivered = [...deliveries.values()].flat().filter((delivery) => delivery.kind === kind);
    // As many as the samples and variants routed to this kind (the endpoint has two casings, the config two shapes).
    expect(delivered).toHaveLength(Object.values(EXPECTED_ROUTES).filter((kinds) => kinds.includes(kind)).length);
    const body = (delivered[0]).body;
    expect(body).not.toHaveProperty('account'); // moto leaves it out; the responder must not need it
    if (emulator === undefined) throw new Error('the emulator did not start');

    const invocation = await invokeBundled(bundles[kind], body, {
      emulatorEnv: emulator.env,
      env: { TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:unused', GUARD_SETTINGS: '{}', LEDGER_TABLE: 'sagemaker-guard-ledger' },
    });

    expect({ exitCode: invocation.exitCode, error: invocation.error }).toEqual({ exitCode: 0, error: undefined });
    expect(invocation.result).toEqual({ decision: 'gone', notified: false });
    expect(decisionLog(invocation)).toMatchObject({ correlation_id: body.id });
  });
});
