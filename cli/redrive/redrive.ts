/**
 * `sagemaker-guard redrive`: reads the guard's dead-letter queue until it returns nothing, replays each
 * message's original event to the function that failed it (synchronously, through an Invoker), and deletes
 * a message only after its replay succeeded. Whatever is left (unreadable, failed, or only listed) is made
 * visible again at the end, so the queue looks as it did, minus what was replayed.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { classifyError, errorName } from '../../lambda/aws/errors';
import type { RedriveOptions } from '../args';
import { deniedAction } from '../denied';
import { clientRegion, NO_REGION, tableWidth, type InteractiveIO } from '../io';
import { STACK_OUTPUTS, stackOutput, StackOutputError } from '../stack';
import { ChunkedTable } from '../table';
import { parseEnvelope, type Envelope, type Replay } from './envelope';
import { outcomeRow, redriveLayout, redriveSummary, type Outcome } from './format';

export type InvokeResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** Runs a function once, synchronously, with an event; a function error or a failed call is `ok: false`. */
export interface Invoker {
  invoke(functionArn: string, payload: unknown): Promise<InvokeResult>;
}

export interface RedriveDeps {
  readonly sqs: SQSClient;
  readonly invoker: Invoker;
  /** Finds the queue from the stack's DeadLetterQueueUrl output when --queue-url is not given. */
  readonly cloudFormation: CloudFormationClient;
  /** Long-poll wait of each ReceiveMessage, so that an empty answer means an empty queue (default 2 s; tests use 0). */
  readonly waitSeconds?: number;
}

/**
 * How long a received message stays hidden: a preview, the question, and up to ten replays of at most a
 * minute each (the responders' timeout), with room to spare. Whatever is left is made visible again at
 * the end of the run; if the run dies, it reappears after this.
 */
export const VISIBILITY_SECONDS = 30 * 60;
const DEFAULT_WAIT_SECONDS = 2;
const EXIT = { ok: 0, error: 2 } as const;

interface Received {
  readonly message: Message;
  readonly id: string;
  readonly envelope: Envelope;
}

export async function redrive(options: RedriveOptions, io: InteractiveIO, deps: RedriveDeps): Promise<number> {
  if (!options.dryRun && !options.yes && !io.interactive) {
    io.stderr.write(
      'redrive replays events to the guard\'s functions, which may stop or delete resources, so it asks first, and nobody can answer here (not a terminal). ' +
        'Add --yes to replay without asking, or --dry-run to list what would be replayed. Nothing was read or changed.\n',
    );
    return EXIT.error;
  }
  if ((await clientRegion(deps.sqs)) === undefined) {
    io.stderr.write(`${NO_REGION}\n`);
    return EXIT.error;
  }
  let queueUrl: string;
  try {
    queueUrl = options.queueUrl ?? (await stackOutput(deps.cloudFormation, options.stack, STACK_OUTPUTS.deadLetterQueue, '--queue-url URL'));
  } catch (error) {
    if (!(error instanceof StackOutputError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return EXIT.error;
  }
  return new Run(options, io, deps, queueUrl).go();
}

class Run {
  private readonly seen = new Set<string>();
  private readonly outcomes: Outcome[] = [];
  /** Received and not deleted: made visible again at the end. */
  private readonly held = new Map<string, Message>();
  private table: ChunkedTable;
  private stoppedEarly = false;

  constructor(
    private readonly options: RedriveOptions,
    private readonly io: InteractiveIO,
    private readonly deps: RedriveDeps,
    private readonly queueUrl: string,
  ) {
    this.table = this.newTable();
  }

  private newTable(): ChunkedTable {
    return new ChunkedTable(redriveLayout(tableWidth(this.io.stdout, 200)), (text) => this.io.stdout.write(text));
  }

  async go(): Promise<number> {
    let declined = false;
    try {
      if (this.options.dryRun) {
        for await (const batch of this.receive()) for (const received of batch) this.record(received, received.envelope.ok ? { type: 'would-replay' } : undefined);
      } else if (this.options.yes) {
        for await (const batch of this.receive()) for (const received of batch) await this.replay(received);
      } else {
        declined = !(await this.askThenReplay());
      }
    } catch (error) {
      this.table.flush();
      this.io.stderr.write(`${this.receiveFailure(error)}\n`);
      await this.release();
      this.io.stdout.write(`${this.table.written ? '\n' : ''}${redriveSummary(this.outcomes, { dryRun: this.options.dryRun, incomplete: true })}\n`);
      return EXIT.error;
    }
    return this.finish(declined);
  }

  /** Interactive: list everything, ask, then replay what was listed. False when the answer is no. */
  private async askThenReplay(): Promise<boolean> {
    const all: Received[] = [];
    for await (const batch of this.receive()) {
      for (const received of batch) {
        all.push(received);
        if (received.envelope.ok) this.row(received, { type: 'would-replay' });
        else this.record(received, undefined);
      }
    }
    const replayable = all.filter((received) => received.envelope.ok);
    if (replayable.length === 0) return true;
    this.table.flush();
    const unreadable = all.length - replayable.length;
    const question =
      `Replay ${replayable.length} event${replayable.length === 1 ? '' : 's'} to the guard's functions` +
      `${unreadable > 0 ? ` (${unreadable} message${unreadable === 1 ? '' : 's'} cannot be read and stay)` : ''}? [y/N] `;
    if (!(await this.io.confirm(question))) {
      for (const received of replayable) this.outcomes.push(outcomeOf(received, { type: 'declined' }));
      return false;
    }
    // The results in a table of their own, under the preview and the answer.
    this.io.stdout.write('\n');
    this.table = this.newTable();
    for (const received of replayable) {
      await this.replay(received);
      this.table.flush();
    }
    return true;
  }

  /** Batches of messages not seen before in this run, until the queue returns nothing. */
  private async *receive(): AsyncGenerator<Received[]> {
    for (;;) {
      const answer = await this.deps.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: VISIBILITY_SECONDS,
          WaitTimeSeconds: this.deps.waitSeconds ?? DEFAULT_WAIT_SECONDS,
          MessageAttributeNames: ['All'],
        }),
      );
      const messages = answer.Messages ?? [];
      if (messages.length === 0) return;
      const fresh: Received[] = [];
      for (const [index, message] of messages.entries()) {
        const id = message.MessageId ?? `(no id ${this.seen.size + index + 1})`;
        if (this.seen.has(id)) continue;
        this.seen.add(id);
        if (message.ReceiptHandle !== undefined) this.held.set(id, message);
        fresh.push({ message, id, envelope: message.ReceiptHandle === undefined ? { ok: false, reason: 'the message has no receipt handle, so it could not be deleted' } : parseEnvelope(message) });
      }
      // Only messages handled already: this run outlasted their visibility timeout. Stop rather than go round.
      if (fresh.length === 0) {
        this.stoppedEarly = true;
        return;
      }
      yield fresh;
      this.table.flush();
    }
  }

  private async replay(received: Received): Promise<void> {
    const { envelope } = received;
    if (!envelope.ok) {
      this.record(received, undefined);
      return;
    }
    const result = await this.invoke(envelope);
    if (!result.ok) {
      this.record(received, { type: 'failed', error: result.error });
      return;
    }
    try {
      await this.deps.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: received.message.ReceiptHandle }));
      this.held.delete(received.id);
      this.record(received, { type: 'replayed' });
    } catch (error) {
      const denied = classifyError(error).type === 'access-denied' ? `${deniedAction((error as Error).message) ?? 'sqs:DeleteMessage'} was denied: ` : '';
      this.record(received, { type: 'not-deleted', error: `${denied}${errorName(error)}: ${(error as Error).message}` });
    }
  }

  private async invoke(replay: Replay): Promise<InvokeResult> {
    try {
      return await this.deps.invoker.invoke(replay.functionArn, replay.event);
    } catch (error) {
      return { ok: false, error: `${errorName(error)}: ${(error as Error).message}` };
    }
  }

  private record(received: Received, result: Outcome['result'] | undefined): void {
    const outcome = outcomeOf(received, result);
    this.outcomes.push(outcome);
    this.table.add(outcomeRow(outcome));
  }

  private row(received: Received, result: Outcome['result']): void {
    this.table.add(outcomeRow(outcomeOf(received, result)));
  }

  private async finish(declined: boolean): Promise<number> {
    this.table.flush();
    await this.release();
    const { io } = this;
    if (this.outcomes.length === 0) {
      io.stdout.write('The dead-letter queue is empty: nothing to replay.\n');
      return EXIT.ok;
    }
    io.stdout.write(`${this.table.written ? '\n' : ''}${redriveSummary(this.outcomes, { dryRun: this.options.dryRun, incomplete: this.stoppedEarly })}\n`);
    if (this.stoppedEarly) io.stderr.write('The queue returned only messages this run had already handled (the run outlasted their visibility timeout); run redrive again for the rest.\n');
    if (declined) io.stderr.write('Nothing was replayed.\n');
    const bad = this.outcomes.some((outcome) => outcome.result === undefined || outcome.result.type === 'failed' || outcome.result.type === 'not-deleted');
    return bad || this.stoppedEarly ? EXIT.error : EXIT.ok;
  }

  /** Makes what was received and not deleted visible again, so the queue shows it at once (not in 30 minutes). */
  private async release(): Promise<void> {
    const failures: string[] = [];
    for (const message of this.held.values()) {
      try {
        await this.deps.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
      } catch (error) {
        failures.push(`${errorName(error)}: ${(error as Error).message}`);
      }
    }
    this.held.clear();
    if (failures.length > 0) {
      this.io.stderr.write(
        `${failures.length} message${failures.length === 1 ? '' : 's'} could not be made visible again (sqs:ChangeMessageVisibility; ${failures[0]}); ` +
          `they reappear in the queue ${VISIBILITY_SECONDS / 60} minutes after they were read.\n`,
      );
    }
  }

  private receiveFailure(error: unknown): string {
    const name = errorName(error);
    const message = (error as Error).message;
    if (classifyError(error).type === 'access-denied') {
      return `${deniedAction(message) ?? 'sqs:ReceiveMessage'} was denied (${name}) on ${this.queueUrl}: ${message}. redrive needs sqs:ReceiveMessage, sqs:DeleteMessage and sqs:ChangeMessageVisibility on the queue, and kms:Decrypt on its key.`;
    }
    if (name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue') {
      return `the queue ${this.queueUrl} does not exist (${name}): check --queue-url, or --region / --profile`;
    }
    return `could not read ${this.queueUrl} (sqs:ReceiveMessage): ${name}: ${message}`;
  }
}

function outcomeOf(received: Received, result: Outcome['result'] | undefined): Outcome {
  return { messageId: received.id, envelope: received.envelope, ...(result !== undefined ? { result } : {}) };
}
