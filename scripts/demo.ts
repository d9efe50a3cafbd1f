/**
 * `npm run demo`: the real, bundled responders (cdk.out) against a local AWS emulator (moto_server on
 * 127.0.0.1), with no AWS account. It synthesizes the app when cdk.out is missing or older than the
 * sources, starts moto, builds a small scene (a VPC with a private and a public subnet, a KMS key, the SNS
 * topic with an SQS queue subscribed as the "inbox"), recreates the synthesized EventBridge rules, and for
 * seven resources sends the event SageMaker would send, invokes the function the rule routes it to, and
 * prints what it decided and did, the state read back, and the notice. It ends with a summary table and
 * exits non-zero when an outcome is not the expected one. moto is stopped on exit, Ctrl-C and failure.
 *
 *   npm run demo [-- --synth | --no-synth] [-- --verbose]
 */
import { parseArgs } from 'node:util';
import { KINDS, RESOURCE_KINDS } from '../lambda/kinds/registry';
import { PAST_TENSE } from '../lambda/kinds/types';
import { relative } from 'node:path';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateNotebookInstanceCommand,
  CreateProcessingJobCommand,
  CreateTrainingJobCommand,
  DescribeModelCommand,
  DescribeNotebookInstanceCommand,
  DescribeEndpointCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import {
  attributesOf,
  clientsFor,
  createKmsKey,
  createNetwork,
  createLedgerTable,
  createNoticeChannel,
  setEnforcementSwitch,
  createQueue,
  destroyClients,
  drainQueue,
  listTags,
  receiveNotices,
  type Clients,
  type Network,
  type NoticeChannel,
  type SnsEnvelope,
} from '../tools/local/aws-scene';
import {
  CDK_OUT,
  changedSinceSynth,
  findBundles,
  findRules,
  readTemplate,
  switchParameterName,
  REPO_ROOT,
  RESPONDER_KINDS,
  type BundledFunction,
  type ResponderKind,
  type RuleTarget,
} from '../tools/local/cdk-out';
import { checkMotoAvailable, startEmulator, type Emulator } from '../tools/local/emulator';
import { decisionLog, invokeBundled, type Invocation, type LogLine } from '../tools/local/lambda-runner';
import { loadEvent, type SampleEvent } from '../tools/local/sample-events';
import { emulatorPolicy, OFF_IN_THE_EMULATOR } from '../tools/local/settings';
import { synthesize } from '../tools/local/synth';
import { motoMissingLines } from './demo/moto-missing';
import { startTrainingJobLens, type TrainingJobLens } from './demo/training-job-lens';
import { bold, cyan, dim, field, green, line, quoted, red, seconds, table, yellow } from './demo/terminal';

/** The functions' settings here: the controls moto cannot represent are off (and the demo says so). */
const DEMO_SETTINGS = emulatorPolicy();
const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/SageMakerExecution`;
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';

/** The published sample (or variant) each kind's events are modelled on. */
const SAMPLES: Partial<Record<ResponderKind, string>> = {
  'notebook-instance': 'variants/notebook-instance.inservice.json',
  model: 'variants/model.created.json',
  'training-job': 'variants/training-job.in-progress.json',
  'processing-job': 'variants/processing-job.in-progress.json',
  endpoint: 'endpoint-state-change.json',
};
const SHORT_LABEL: Partial<Record<ResponderKind, string>> = { 'notebook-instance': 'notebook' };
const labelOf = (kind: ResponderKind): string => SHORT_LABEL[kind] ?? KINDS[kind].label;

interface Options {
  readonly synth: 'auto' | 'always' | 'never';
  readonly verbose: boolean;
}

/** One line of the summary. */
interface Row {
  readonly kind: ResponderKind;
  readonly name: string;
  readonly failed: readonly string[];
  readonly decision: string;
  readonly action: string;
  readonly state: string;
  readonly notice: string;
  /** Why the outcome is not the expected one, if it is not. */
  readonly problem?: string;
}

interface Expected {
  readonly decision: string;
  readonly state: string;
  readonly notified: boolean;
}

interface Stage {
  readonly emulator: Emulator;
  readonly clients: Clients;
  readonly network: Network;
  readonly channel: NoticeChannel;
  readonly ledgerTable: string;
  readonly bundles: Record<ResponderKind, BundledFunction>;
  readonly rules: Record<ResponderKind, RuleTarget>;
  /** The SQS queue each rule delivers to, standing in for its Lambda target. */
  readonly inboxes: Record<ResponderKind, string>;
  readonly options: Options;
}

// ---------------------------------------------------------------------------------------------------------
// Clean-up: whatever happens, the emulator (and the lens) go away with this process.

let emulatorToStop: Emulator | undefined;
let lensToClose: TrainingJobLens | undefined;

async function cleanUp(): Promise<void> {
  const lens = lensToClose;
  lensToClose = undefined;
  await lens?.close();
  const emulator = emulatorToStop;
  emulatorToStop = undefined;
  await emulator?.stop();
}

let interrupted = false;

function onSignal(signal: NodeJS.Signals): void {
  const code = signal === 'SIGINT' ? 130 : 143;
  if (interrupted) process.exit(code);
  interrupted = true;
  // tools/local/emulator.ts listens too, and has already killed moto; waiting for it here is for the message.
  process.stderr.write(`\n${signal === 'SIGINT' ? 'Interrupted (Ctrl-C)' : `Got ${signal}`}: stopping the emulator.\n`);
  void cleanUp().finally(() => {
    process.stderr.write('The emulator is stopped.\n');
    process.exit(code);
  });
}

// ---------------------------------------------------------------------------------------------------------

function parseOptions(argv: readonly string[]): Options | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      synth: { type: 'boolean' },
      'no-synth': { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) return 'help';
  if (values.synth === true && values['no-synth'] === true) throw new Error('--synth and --no-synth exclude each other');
  return { synth: values.synth === true ? 'always' : values['no-synth'] === true ? 'never' : 'auto', verbose: values.verbose === true };
}

const USAGE = `Usage: npm run demo [-- [--synth | --no-synth] [--verbose]]

Runs the bundled sagemaker-guard responders (cdk.out) against moto_server on 127.0.0.1: no AWS account.
  --synth       always run \`npx cdk synth\` first (default: only when cdk.out is missing or out of date)
  --no-synth    use cdk.out as it is
  --verbose     print each event in full and each function's decision log line
Environment: MOTO_SERVER=/path/to/moto_server picks the emulator; NO_COLOR=1 turns colour off.`;

async function prepareCdkOut(options: Options): Promise<void> {
  const shown = relative(process.cwd(), CDK_OUT) || '.';
  const changed = changedSinceSynth(CDK_OUT);
  if (options.synth === 'never') {
    if (changed === undefined) throw new Error(`${shown} has no synthesized app; run without --no-synth (or \`npx cdk synth\`) first`);
    field('synth', `using ${shown} as it is (--no-synth)${changed.length > 0 ? yellow(` although ${changed.join(', ')} changed since`) : ''}`);
    return;
  }
  if (options.synth === 'auto' && changed !== undefined && changed.length === 0) {
    field('synth', `${shown} is up to date with lambda/, lib/, bin/ and cdk.json: using its bundles`);
    return;
  }
  const why = options.synth === 'always' ? '--synth' : changed === undefined ? `no ${shown} yet` : `${changed.join(', ')} changed since the last synth`;
  process.stdout.write(`  ${dim('synth'.padEnd(10))} npx cdk synth --quiet (${why}) ... `);
  const result = await synthesize(CDK_OUT);
  line(`done in ${seconds(result.durationMs)}`);
}

function ruleFor(rules: readonly RuleTarget[], bundle: BundledFunction): RuleTarget {
  const matching = rules.filter((rule) => rule.functionLogicalIds.includes(bundle.logicalId));
  if (matching.length !== 1) throw new Error(`expected one EventBridge rule targeting ${bundle.cdkPath} in cdk.out, found ${matching.length}`);
  return matching[0];
}

async function buildStage(emulator: Emulator, options: Options): Promise<Stage> {
  const template = readTemplate();
  const bundles = findBundles();
  const allRules = findRules(template);
  const clients = clientsFor(emulator);
  const kmsKeyArn = await createKmsKey(emulator, 'sagemaker-guard demo key');
  const network = await createNetwork(clients.ec2);
  const channel = await createNoticeChannel(clients, kmsKeyArn);
  const ledgerTable = await createLedgerTable(clients.dynamoDb);
  // The stack creates the backout switch at "policy"; the functions read it.
  await setEnforcementSwitch(clients.ssm, switchParameterName(template), 'policy');
  const rules = {} as Record<ResponderKind, RuleTarget>;
  const inboxes = {} as Record<ResponderKind, string>;
  for (const kind of RESPONDER_KINDS) {
    const rule = ruleFor(allRules, bundles[kind]);
    rules[kind] = rule;
    const queue = await createQueue(clients.sqs, `inbox-${bundles[kind].constructId}`);
    inboxes[kind] = queue.url;
    const name = rule.ruleLogicalId.slice(0, 64);
    await clients.events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(rule.eventPattern), State: 'ENABLED' }));
    await clients.events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'function-inbox', Arn: queue.arn }] }));
  }

  field('network', [
    `VPC ${network.vpcId} (10.20.0.0/16)`,
    `private subnet ${network.privateSubnetId}: no public IPs, only the local route`,
    `public subnet  ${network.publicSubnetId}: public IPs, 0.0.0.0/0 -> ${network.internetGatewayId}`,
    `security group ${network.closedSecurityGroupId} closed (no rules); ${network.openSecurityGroupId} open (ssh from 0.0.0.0/0)`,
  ]);
  field('notices', [`SNS topic ${channel.topicArn} (encrypted with KMS key ${kmsKeyArn.split('/').at(-1) ?? ''})`, `with an SQS queue subscribed: it receives what an email subscriber would`]);
  field('rules', [
    'the 3 EventBridge rules of cdk.out, with their synthesized patterns:',
    ...RESPONDER_KINDS.map((kind) => `${bundles[kind].constructId.padEnd(26)} ${dim(JSON.stringify(rules[kind].eventPattern))}`),
    dim('(each delivers to a queue the demo reads to invoke the function: moto cannot run Lambda functions itself)'),
  ]);
  field('functions', [
    ...RESPONDER_KINDS.map((kind) => `${bundles[kind].constructId.padEnd(26)} ${relative(REPO_ROOT, bundles[kind].entryFile)}`),
    `GUARD_SETTINGS ${JSON.stringify(DEMO_SETTINGS)}`,
    `${yellow('two controls are off in this demo, because moto cannot represent what they check')}:`,
    `  model.network-isolation   moto always reports EnableNetworkIsolation=false, even for a model created with true`,
    `  notebook-instance.imdsv2  moto never returns a notebook's InstanceMetadataServiceConfiguration`,
    `and, for the same reasons, ${OFF_IN_THE_EMULATOR.filter((id) => id !== 'model.network-isolation' && id !== 'notebook-instance.imdsv2').join(', ')}`,
  ]);
  return { emulator, clients, network, channel, ledgerTable, bundles, rules, inboxes, options };
}

// ---------------------------------------------------------------------------------------------------------
// Events

function epochMs(value: unknown): unknown {
  return value instanceof Date ? value.getTime() : value;
}

/**
 * The event SageMaker sends: the envelope of the published sample, and a detail made of the resource's
 * description (the fields the sample has), its tags as a map, and the status the event reports.
 */
function sageMakerEvent(kind: ResponderKind, arn: string, described: Record<string, unknown>, tags: readonly Tag[], detail: Record<string, unknown> = {}): SampleEvent {
  const file = SAMPLES[kind];
  if (file === undefined) throw new Error(`the demo has no sample event for ${kind}: add one to SAMPLES`);
  const sample = loadEvent(file);
  const fromDescription = Object.fromEntries(
    Object.keys(sample.detail)
      .filter((key) => described[key] !== undefined && key !== 'Tags')
      .map((key) => [key, epochMs(described[key])]),
  );
  return {
    ...sample,
    resources: [arn],
    detail: { ...fromDescription, ...detail, Tags: Object.fromEntries(tags.map((tag) => [tag.Key ?? '', tag.Value ?? ''])) },
  };
}

function eventSummary(event: Record<string, unknown>, kind: ResponderKind): string[] {
  const detail = (event.detail ?? {}) as Record<string, unknown>;
  const interesting: Partial<Record<ResponderKind, string[]>> = {
    'notebook-instance': ['NotebookInstanceName', 'NotebookInstanceStatus', 'DirectInternetAccess', 'SubnetId'],
    model: ['ModelName', 'ModelArn'],
    'training-job': ['TrainingJobName', 'TrainingJobStatus', 'SecondaryStatus'],
  };
  const shown = (interesting[kind] ?? [KINDS[kind].nameField, ...(KINDS[kind].statusField !== undefined ? [KINDS[kind].statusField] : [])]).filter((key) => key in detail);
  const rest = Object.keys(detail).length - shown.length;
  const fields = shown.map((key) => `"${key}":${JSON.stringify(detail[key])}`).join(',');
  return [
    `${String(event['detail-type'])} from ${String(event.source)}, id ${String(event.id)}`,
    dim(`detail {${fields}${rest > 0 ? `, ...${rest} more` : ''}}`),
  ];
}

/** PutEvents, then every inbox: the deliveries, by the kind of the rule that matched. */
async function sendThroughEventBridge(stage: Stage, event: SampleEvent): Promise<{ kind: ResponderKind; body: Record<string, unknown> }[]> {
  const put = await stage.clients.events.send(
    new PutEventsCommand({
      Entries: [{ Source: event.source, DetailType: event['detail-type'], Resources: event.resources ?? [], Detail: JSON.stringify(event.detail) }],
    }),
  );
  if (put.FailedEntryCount !== 0) throw new Error(`PutEvents rejected the event: ${JSON.stringify(put.Entries)}`);
  const delivered: { kind: ResponderKind; body: Record<string, unknown> }[] = [];
  for (const kind of RESPONDER_KINDS) {
    for (const message of await drainQueue(stage.clients.sqs, stage.inboxes[kind])) {
      delivered.push({ kind, body: JSON.parse(message.Body ?? '{}') as Record<string, unknown> });
    }
  }
  return delivered;
}

// ---------------------------------------------------------------------------------------------------------
// One resource: event -> rule -> function -> controls -> action -> state -> notice

interface Scenario {
  readonly kind: ResponderKind;
  readonly name: string;
  readonly title: string;
  readonly created: readonly string[];
  readonly expected: Expected;
  /** Creates the resource; returns its ARN, description and tags. */
  create(stage: Stage): Promise<{ arn: string; described: Record<string, unknown>; tags: Tag[] }>;
  /** The state read back from the emulator after the function ran. */
  state(stage: Stage): Promise<string>;
  /** Extra status fields of the event (the status SageMaker reports). */
  readonly eventDetail?: Record<string, unknown>;
  readonly note?: readonly string[];
}

function invoke(stage: Stage, kind: ResponderKind, event: unknown, settings: unknown = DEMO_SETTINGS, endpoint?: string): Promise<Invocation> {
  const emulatorEnv = endpoint === undefined ? stage.emulator.env : { ...stage.emulator.env, AWS_ENDPOINT_URL: endpoint };
  return invokeBundled(stage.bundles[kind], event, {
    emulatorEnv,
    env: { TOPIC_ARN: stage.channel.topicArn, GUARD_SETTINGS: JSON.stringify(settings), LEDGER_TABLE: stage.ledgerTable },
  });
}

function requireSuccess(invocation: Invocation, what: string): LogLine {
  if (invocation.exitCode !== 0 || invocation.error !== undefined) {
    throw new Error(`${what} failed (exit ${String(invocation.exitCode)}): ${JSON.stringify(invocation.error)}\n${invocation.stdout}\n${invocation.stderr}`);
  }
  return decisionLog(invocation);
}

/** A control's outcome as the decision line gives it: `pass`, `fail: found`, `skip: why`, `off: why`, maybe with `[mode]`. */
function parseOutcome(text: string): { status: string; detail: string } {
  const match = /^(\w+)(?:\s*\[([^\]]*)\])?(?::\s*(.*))?$/s.exec(text);
  if (match === null) return { status: text, detail: '' };
  const [, status, mode, detail] = [...match] as (string | undefined)[];
  return { status: status ?? text, detail: detail ?? mode ?? '' };
}

function controlLines(decision: LogLine, verbose: boolean): { failed: string[]; lines: string[] } {
  const controls = (decision.controls ?? {}) as Record<string, unknown>;
  const failed = Array.isArray(decision.failed) ? decision.failed.map(String) : [];
  const lines: string[] = [];
  const skipped: string[] = [];
  for (const id of failed) lines.push(`${red('✗ fail')}  ${id.padEnd(42)} ${parseOutcome(asText(controls[id])).detail}`);
  for (const [id, outcome] of Object.entries(controls)) {
    if (failed.includes(id)) continue;
    const { status, detail } = parseOutcome(asText(outcome));
    if (status === 'pass') lines.push(`${green('✓ pass')}  ${id}`);
    else if (status === 'skip' && !verbose) skipped.push(id);
    else {
      const why = (OFF_IN_THE_EMULATOR as readonly string[]).includes(id) && status === 'off' ? `${detail} (moto cannot represent it, see above)` : detail;
      lines.push(`${dim(`- ${status}`.padEnd(6))}  ${id.padEnd(42)} ${dim(why)}`);
    }
  }
  if (skipped.length > 0) lines.push(dim(`- skip  ${skipped.length} not applicable or not configured (--verbose says which and why)`));
  return { failed, lines };
}

function asText(value: unknown): string {
  if (value === undefined) return '';
  // JSON.stringify gives undefined for functions and symbols, whatever its type says.
  const json = JSON.stringify(value) as string | undefined;
  return typeof value === 'string' ? value : (json ?? '');
}

/** `yes (<action attribute>)` for the summary. */
function noticeSummary(notices: readonly SnsEnvelope[]): string {
  const action = notices.map((notice) => attributesOf(notice).action as string | undefined).join(', ');
  return `yes (${action})`;
}

function latestTags(tags: readonly Tag[]): Record<string, string> {
  // moto appends a re-added key instead of overwriting it: the last value is the current one.
  const map: Record<string, string> = {};
  for (const tag of tags) if (tag.Key !== undefined) map[tag.Key] = tag.Value ?? '';
  return map;
}

function printNotice(notice: SnsEnvelope, heading: string): void {
  const attributes = attributesOf(notice);
  field('notice', [heading, dim(`SNS message attributes: ${Object.entries(attributes).map(([key, value]) => `${key}=${value}`).join(', ')}`)]);
  quoted(`Subject: ${notice.Subject ?? '(none)'}\n\n${notice.Message.trimEnd()}`);
}

const ACTION_TEXT = Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, { api: KINDS[kind].api, past: PAST_TENSE[KINDS[kind].action] }])) as Record<ResponderKind, { api: string; past: string }>;

function actionOf(kind: ResponderKind, result: Record<string, unknown>): string {
  const decision = String(result.decision);
  const actionResult = result.actionResult as { type?: string; status?: string } | undefined;
  switch (decision) {
    case 'remediate':
      return actionResult?.type === 'done' ? ACTION_TEXT[kind].past : `${ACTION_TEXT[kind].api}: ${actionResult?.type ?? 'unknown'}`;
    case 'report':
      return `none (report mode): would be ${ACTION_TEXT[kind].past}`;
    default:
      return 'none';
  }
}

async function runScenario(stage: Stage, scenario: Scenario, index: number, count: number): Promise<Row> {
  const { kind, name } = scenario;
  line();
  line(bold(cyan(`── ${index}/${count}  ${labelOf(kind)} ${name}: ${scenario.title}`)));
  const { arn, described, tags } = await scenario.create(stage);
  field('created', [...scenario.created]);
  for (const note of scenario.note ?? []) field('', yellow(note));

  const event = sageMakerEvent(kind, arn, described, tags, scenario.eventDetail);
  const delivered = await sendThroughEventBridge(stage, event);
  const routed = delivered.filter((delivery) => delivery.kind === kind);
  if (delivered.length !== 1 || routed.length !== 1) {
    throw new Error(`the ${labelOf(kind)} event was delivered to [${delivered.map((delivery) => delivery.kind).join(', ')}] instead of exactly the ${kind} rule`);
  }
  const body = (routed[0] as { body: Record<string, unknown> }).body;
  field('event', eventSummary(body, kind));
  if (stage.options.verbose) quoted(JSON.stringify(body, null, 2));
  field('routed', `PutEvents -> rule ${stage.rules[kind].ruleLogicalId} matched -> ${stage.bundles[kind].constructId} (bundled code, fresh node process)`);

  const invocation = await invoke(stage, kind, body);
  const decision = requireSuccess(invocation, stage.bundles[kind].constructId);
  if (stage.options.verbose) quoted(JSON.stringify(decision, null, 2));
  const result = (invocation.result ?? {}) as Record<string, unknown>;
  const { failed, lines } = controlLines(decision, stage.options.verbose);
  field('controls', lines);
  field('decision', `${bold(String(result.decision))} ${dim(`(switch ${asText(decision.switch ?? 'policy')}; ran in ${seconds(invocation.durationMs)})`)}`);
  let action = actionOf(kind, result);
  field('action', action === 'none' ? dim('none') : action);

  let decisionText = String(result.decision);
  let noticeText = 'no';
  let state = await scenario.state(stage);
  const guardTags = Object.entries(latestTags(await listTags(stage.clients.sageMaker, arn).catch(() => [])))
    .filter(([key]) => key.startsWith('sagemaker-guard:'))
    .map(([key, value]) => `${key}=${value}`);
  field('state', [`${bold(state)} ${dim('(read back from the emulator)')}`, ...guardTags.map((tag, index) => `${index === 0 ? 'tags: ' : '      '}${tag}`)]);

  const notices = await receiveNotices(stage.clients.sqs, stage.channel.queueUrl);
  for (const notice of notices) printNotice(notice, 'as an email subscriber receives it (read from the SQS queue subscribed to the topic):');
  if (notices.length === 0) field('notice', dim('none sent'));
  if (notices.length > 0) noticeText = noticeSummary(notices);

  if (kind === 'training-job' && result.decision === 'not-actionable') {
    ({ decisionText, action, noticeText, state } = await trainingJobThroughLens(stage, body, state));
  }

  const notified = noticeText.startsWith('yes');
  const problems = [
    decisionText.split(' ')[0] !== scenario.expected.decision ? `decision ${decisionText}, expected ${scenario.expected.decision}` : undefined,
    state !== scenario.expected.state ? `state ${state}, expected ${scenario.expected.state}` : undefined,
    notified !== scenario.expected.notified ? `notice ${noticeText}, expected ${scenario.expected.notified ? 'one' : 'none'}` : undefined,
  ].filter((problem): problem is string => problem !== undefined);
  return { kind, name, failed, decision: decisionText, action, state, notice: noticeText, ...(problems.length > 0 ? { problem: problems.join('; ') } : {}) };
}

/**
 * moto completes a training job at once and has no StopTrainingJob: the honest first answer is
 * "not-actionable". To show the decision and notice for a job that is still running, the same event goes
 * to the same bundle once more, in report mode, through a lens that shows the job as InProgress.
 */
async function trainingJobThroughLens(
  stage: Stage,
  body: Record<string, unknown>,
  state: string,
): Promise<{ decisionText: string; action: string; noticeText: string; state: string }> {
  line();
  field('', [
    yellow('moto cannot run or stop a training job: it marks every job Completed the moment it is created, and'),
    yellow('StopTrainingJob is not implemented. So the guard rightly did nothing above (too late to stop a finished job).'),
    yellow('To show what it decides for a job that is still running, the same event goes to the same bundle again,'),
    yellow('in report mode (check and notify, never act), through a proxy that shows the job as InProgress.'),
    yellow('Nothing is stopped: on AWS, in enforce mode, the job would be stopped and the notice would say "Stopped".'),
  ]);
  const lens = await startTrainingJobLens(stage.emulator.endpoint);
  lensToClose = lens;
  try {
    const invocation = await invoke(stage, 'training-job', body, { ...DEMO_SETTINGS, mode: 'report' }, lens.endpoint);
    const decision = requireSuccess(invocation, 'TrainingJobResponder (report mode, through the lens)');
    if (stage.options.verbose) quoted(JSON.stringify(decision, null, 2));
    const result = (invocation.result ?? {}) as Record<string, unknown>;
    const resource = (decision.resource ?? {}) as Record<string, unknown>;
    field('decision', `${bold(String(result.decision))} ${dim(`(report mode; the function saw status ${String(resource.status)}, rewritten ${lens.rewrites()}x by the lens)`)}`);
    const action = 'none: moto cannot stop jobs';
    field('action', action);
    const notices = await receiveNotices(stage.clients.sqs, stage.channel.queueUrl);
    for (const notice of notices) printNotice(notice, 'as an email subscriber receives it (read from the SQS queue subscribed to the topic):');
    if (notices.length === 0) field('notice', dim('none sent'));
    const described = await stage.clients.sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: asText(resource.name) }));
    const stateNow = described.TrainingJobStatus ?? state;
    field('state', `${bold(stateNow)} ${dim('(read back from moto itself, not through the lens)')}`);
    return {
      decisionText: `${String(result.decision)} (would stop)`,
      action,
      noticeText: notices.length > 0 ? noticeSummary(notices) : 'no',
      state: stateNow,
    };
  } finally {
    lensToClose = undefined;
    await lens.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// The scene's seven resources

function scenarios(stage: Stage): Scenario[] {
  const { network, channel } = stage;
  const sageMaker = stage.clients.sageMaker;
  const notebookState = async (name: string): Promise<string> =>
    (await sageMaker.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }))).NotebookInstanceStatus ?? 'unknown';
  const modelState = async (name: string): Promise<string> => {
    try {
      await sageMaker.send(new DescribeModelCommand({ ModelName: name }));
      return 'exists';
    } catch (error) {
      if (/Could not find model/.test((error as Error).message)) return 'deleted';
      throw error;
    }
  };
  const notebook = (name: string, input: Omit<ConstructorParameters<typeof CreateNotebookInstanceCommand>[0], 'NotebookInstanceName' | 'InstanceType' | 'RoleArn'>) => async () => {
    const { NotebookInstanceArn: arn } = await sageMaker.send(new CreateNotebookInstanceCommand({ NotebookInstanceName: name, InstanceType: 'ml.t3.medium', RoleArn: ROLE, ...input }));
    const described = await sageMaker.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }));
    return { arn: arn ?? '', described: described as unknown as Record<string, unknown>, tags: input.Tags ?? [] };
  };
  const model = (name: string, input: Omit<ConstructorParameters<typeof CreateModelCommand>[0], 'ModelName' | 'ExecutionRoleArn'>) => async () => {
    const { ModelArn: arn } = await sageMaker.send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: ROLE, ...input }));
    const described = await sageMaker.send(new DescribeModelCommand({ ModelName: name }));
    return { arn: arn ?? '', described: described as unknown as Record<string, unknown>, tags: input.Tags ?? [] };
  };
  const privateVpc = { Subnets: [network.privateSubnetId], SecurityGroupIds: [network.closedSecurityGroupId] };

  return [
    {
      kind: 'notebook-instance',
      name: 'research-open',
      title: 'direct internet access, in the public subnet',
      created: [
        `CreateNotebookInstance DirectInternetAccess=Enabled, SubnetId=${network.publicSubnetId} (public),`,
        `SecurityGroupIds=[${network.openSecurityGroupId}] (ssh open to the world), no RootAccess (defaults to Enabled), no KMS key`,
      ],
      expected: { decision: 'remediate', state: 'Stopped', notified: true },
      create: notebook('research-open', {
        SubnetId: network.publicSubnetId,
        SecurityGroupIds: [network.openSecurityGroupId],
        DirectInternetAccess: 'Enabled',
        Tags: [{ Key: 'owner', Value: 'alice@example.com' }],
      }),
      state: () => notebookState('research-open'),
    },
    {
      kind: 'notebook-instance',
      name: 'research-private',
      title: 'locked down inside the private subnet',
      created: [
        `CreateNotebookInstance DirectInternetAccess=Disabled, SubnetId=${network.privateSubnetId} (private),`,
        `SecurityGroupIds=[${network.closedSecurityGroupId}] (closed), RootAccess=Disabled, KmsKeyId=<the customer key>, IMDSv2 only`,
      ],
      expected: { decision: 'compliant', state: 'InService', notified: false },
      create: notebook('research-private', {
        SubnetId: network.privateSubnetId,
        SecurityGroupIds: [network.closedSecurityGroupId],
        DirectInternetAccess: 'Disabled',
        RootAccess: 'Disabled',
        KmsKeyId: channel.kmsKeyArn,
        InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: '2' },
        Tags: [{ Key: 'owner', Value: 'bob@example.com' }],
      }),
      state: () => notebookState('research-private'),
    },
    {
      kind: 'model',
      name: 'churn-open',
      title: 'no network isolation and no VPC',
      created: ['CreateModel with EnableNetworkIsolation=false and no VpcConfig'],
      note: [
        'moto cannot represent a model\'s network isolation (it always reports false), so model.network-isolation is off',
        'in this demo: this model is caught by its missing VpcConfig (model.vpc). On AWS it would fail both controls.',
      ],
      expected: { decision: 'remediate', state: 'deleted', notified: true },
      create: model('churn-open', { PrimaryContainer: { Image: IMAGE }, EnableNetworkIsolation: false, Tags: [{ Key: 'owner', Value: 'team-churn' }] }),
      state: () => modelState('churn-open'),
    },
    {
      kind: 'model',
      name: 'churn-private',
      title: 'network isolation, in the private subnet',
      created: [`CreateModel with EnableNetworkIsolation=true and VpcConfig subnets [${network.privateSubnetId}], security groups [${network.closedSecurityGroupId}]`],
      expected: { decision: 'compliant', state: 'exists', notified: false },
      create: model('churn-private', { PrimaryContainer: { Image: IMAGE }, EnableNetworkIsolation: true, VpcConfig: privateVpc, Tags: [{ Key: 'owner', Value: 'team-churn' }] }),
      state: () => modelState('churn-private'),
    },
    {
      kind: 'training-job',
      name: 'fraud-train',
      title: 'no network isolation (otherwise compliant)',
      created: [
        'CreateTrainingJob with EnableNetworkIsolation=false, in the private subnet, one ml.m5.xlarge instance,',
        'volume and output encrypted with the customer key',
      ],
      expected: { decision: 'report', state: 'Completed', notified: true },
      eventDetail: { TrainingJobStatus: 'InProgress', SecondaryStatus: 'Starting' },
      create: async () => {
        const name = 'fraud-train';
        const tags = [{ Key: 'owner', Value: 'team-fraud' }];
        const { TrainingJobArn: arn } = await sageMaker.send(
          new CreateTrainingJobCommand({
            TrainingJobName: name,
            AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
            RoleArn: ROLE,
            OutputDataConfig: { S3OutputPath: 's3://example-bucket/fraud/output', KmsKeyId: channel.kmsKeyArn },
            ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 10, VolumeKmsKeyId: channel.kmsKeyArn },
            VpcConfig: privateVpc,
            StoppingCondition: { MaxRuntimeInSeconds: 3600 },
            EnableNetworkIsolation: false,
            Tags: tags,
          }),
        );
        const described = await sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
        // The event of a job that has just started has no end time.
        return { arn: arn ?? '', described: { ...described, TrainingEndTime: undefined } as unknown as Record<string, unknown>, tags };
      },
      state: async () => (await sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'fraud-train' }))).TrainingJobStatus ?? 'unknown',
    },
    {
      kind: 'processing-job',
      name: 'fraud-features',
      title: 'no network isolation and no VPC',
      created: [
        'CreateProcessingJob with NetworkConfig.EnableNetworkIsolation=false and no VpcConfig, one ml.m5.xlarge instance,',
        'volume and output encrypted with the customer key',
      ],
      note: [
        'moto completes a processing job at once and has no StopProcessingJob (moto 5.2.1), so the honest answer is',
        '"not-actionable": the job already ended. On AWS, a running job would be stopped and its owner told.',
      ],
      expected: { decision: 'not-actionable', state: 'Completed', notified: false },
      eventDetail: { ProcessingJobStatus: 'InProgress' },
      create: async () => {
        const name = 'fraud-features';
        const tags = [{ Key: 'owner', Value: 'team-fraud' }];
        const { ProcessingJobArn: arn } = await sageMaker.send(
          new CreateProcessingJobCommand({
            ProcessingJobName: name,
            RoleArn: ROLE,
            AppSpecification: { ImageUri: IMAGE },
            ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30, VolumeKmsKeyId: channel.kmsKeyArn } },
            ProcessingOutputConfig: {
              KmsKeyId: channel.kmsKeyArn,
              Outputs: [{ OutputName: 'features', S3Output: { S3Uri: 's3://example-bucket/fraud/features', LocalPath: '/opt/ml/processing/output', S3UploadMode: 'EndOfJob' } }],
            },
            NetworkConfig: { EnableNetworkIsolation: false },
            StoppingCondition: { MaxRuntimeInSeconds: 3600 },
            Tags: tags,
          }),
        );
        const described = await sageMaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
        // The event of a job that has just started has no end time.
        return { arn: arn ?? '', described: { ...described, ProcessingEndTime: undefined } as unknown as Record<string, unknown>, tags };
      },
      state: async () => (await sageMaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: 'fraud-features' }))).ProcessingJobStatus ?? 'unknown',
    },
    {
      kind: 'endpoint',
      name: 'churn-serving',
      title: 'serves a model outside any VPC (endpoints default to report)',
      created: [
        'CreateModel churn-serving-model with no VpcConfig; CreateEndpointConfig churn-serving-config with one ml.m5.xlarge',
        'variant of it, volume encrypted with the customer key; CreateEndpoint churn-serving from that config',
      ],
      note: [
        'Deleting a serving endpoint is drastic, so endpoints are reported under a global enforce: the notice says',
        '"Would delete". The policy key kinds.endpoint.mode: enforce makes the guard delete it.',
      ],
      expected: { decision: 'report', state: 'InService', notified: true },
      eventDetail: { EndpointStatus: 'IN_SERVICE' },
      create: async () => {
        const tags = [{ Key: 'owner', Value: 'team-churn' }];
        await sageMaker.send(new CreateModelCommand({ ModelName: 'churn-serving-model', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: IMAGE }, EnableNetworkIsolation: true, Tags: tags }));
        await sageMaker.send(
          new CreateEndpointConfigCommand({
            EndpointConfigName: 'churn-serving-config',
            ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'churn-serving-model', InitialInstanceCount: 1, InstanceType: 'ml.m5.xlarge' }],
            KmsKeyId: channel.kmsKeyArn,
            Tags: tags,
          }),
        );
        const { EndpointArn: arn } = await sageMaker.send(new CreateEndpointCommand({ EndpointName: 'churn-serving', EndpointConfigName: 'churn-serving-config', Tags: tags }));
        const described = await sageMaker.send(new DescribeEndpointCommand({ EndpointName: 'churn-serving' }));
        return { arn: arn ?? '', described: described as unknown as Record<string, unknown>, tags };
      },
      state: async () => (await sageMaker.send(new DescribeEndpointCommand({ EndpointName: 'churn-serving' }))).EndpointStatus ?? 'unknown',
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------

function printSummary(rows: readonly Row[]): void {
  line();
  line(bold('Summary'));
  const body = rows.map((row) => [
    `${labelOf(row.kind)} ${row.name}`,
    row.failed.length === 0 ? green('0') : red(String(row.failed.length)),
    row.decision,
    row.action,
    row.state,
    row.notice,
    row.problem === undefined ? green('ok') : red('UNEXPECTED'),
  ]);
  for (const text of table(['resource', 'failed', 'decision', 'action', 'state now', 'notice', 'check'], body)) line(`  ${text}`);
  for (const row of rows) if (row.problem !== undefined) line(red(`  ${labelOf(row.kind)} ${row.name}: ${row.problem}`));
}

async function main(argv: readonly string[]): Promise<number> {
  const started = Date.now();
  // The SDK's notice that its 2027 releases need Node 22 is not news to someone trying the tool.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const options = parseOptions(argv);
  if (options === 'help') {
    line(USAGE);
    return 0;
  }
  line(bold('sagemaker-guard demo: the bundled responders against a local AWS emulator'));
  line(dim('Nothing here talks to AWS: every call goes to moto_server on 127.0.0.1, which this demo starts and stops.'));
  line();

  const moto = checkMotoAvailable();
  if (!moto.available) {
    process.stderr.write(`${red('Cannot run the demo: the AWS emulator moto_server is missing.')}\n`);
    for (const text of motoMissingLines(moto)) process.stderr.write(`  ${text}\n`);
    return 2;
  }

  line(bold('1. The app, as it would be deployed'));
  await prepareCdkOut(options);

  line(bold('2. The emulator'));
  const moduleStarted = Date.now();
  const emulator = await startEmulator();
  emulatorToStop = emulator;
  field('moto', `${moto.command} on ${emulator.endpoint} (ready in ${seconds(Date.now() - moduleStarted)}; stopped when the demo ends)`);

  line(bold('3. The scene'));
  const stage = await buildStage(emulator, options);

  line();
  line(bold('4. Five resources, one SageMaker event each'));
  const list = scenarios(stage);
  const rows: Row[] = [];
  for (const [index, scenario] of list.entries()) rows.push(await runScenario(stage, scenario, index + 1, list.length));

  printSummary(rows);
  destroyClients(stage.clients);
  await cleanUp();
  const failed = rows.filter((row) => row.problem !== undefined).length;
  line();
  line(`${failed === 0 ? green('Done') : red(`${failed} unexpected outcome${failed === 1 ? '' : 's'}`)} in ${seconds(Date.now() - started)}. The emulator is stopped; nothing was left running.`);
  if (failed === 0) line(dim('Deploy it for real: see "Deploy" in README.md.'));
  return failed === 0 ? 0 : 1;
}

process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    // After Ctrl-C, what fails next is the interruption itself: onSignal reports it and exits.
    if (interrupted) return;
    process.stderr.write(`\n${red('The demo failed:')} ${error instanceof Error ? error.message : String(error)}\n`);
    await cleanUp().catch(() => undefined);
    process.stderr.write('The emulator is stopped.\n');
    process.exitCode = 1;
  },
);
