/**
 * Second-pass review of the existing estate (lambda/pipeline/handle.ts, lambda/aws/ledger.ts).
 *
 * 1. "Acted on before" counts a claim that never called Stop. handle.ts exempts a resource from the estate
 *    when the ledger holds any non-report record of its episode, including an in-doubt claim whose
 *    actAttempts is 0 (the invocation died, or was throttled, before StopTrainingJob took effect). After
 *    sweep.actOnExisting is turned back off, the retry resumes that claim and stops an estate job the
 *    guard never acted on, and the owner is told it was stopped, against the policy.
 * 2. A record of when enforcement began that cannot be read as a time (no `since`, or not a date) makes
 *    Ledger.enforcementBeganOrNow fall back to `now` on every run (its conditional put fails because the
 *    record exists, the re-read is still undefined, nothing is cached): every resource is older than
 *    `now`, so every resource is "existing estate" and nothing is ever stopped or deleted, silently. The
 *    deploy trigger does the same and even logs `recorded: true`.
 */
import { DescribeTrainingJobCommand, ListTagsCommand, StopTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { Ledger } from '../../lambda/aws/ledger';
import { makeEnforcementStartHandler } from '../../lambda/handlers/enforcement-start';
import { trainingJob } from '../fixtures/resources';
import { event, handlerFor, LEDGER_TABLE, NOW, publishedNotice, remediationRecords, resetMocks, sageMakerMock, setEnforcementSince } from '../handlers/harness';

const JOB = '89c96cc8-dded-4739-afcc-6f1dc936701d';
const inProgress = event('variants/training-job.in-progress.json');
const SINCE = '2026-11-15T00:00:00.000Z';

function jobCreated(at: Date): void {
  sageMakerMock.on(DescribeTrainingJobCommand, { TrainingJobName: JOB }).resolves(trainingJob({ TrainingJobName: JOB, EnableNetworkIsolation: false, CreationTime: at }));
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
}

beforeEach(() => {
  resetMocks();
  setEnforcementSince(SINCE);
});

describe('review (second pass): the existing estate', () => {
  test('an estate job whose stop was claimed but never called is not stopped once actOnExisting is off again: the claim is abandoned and the owner told it is estate', async () => {
    jobCreated(new Date('2026-11-10T08:00:00Z')); // before enforcement: estate
    // actOnExisting on: the guard claims the stop, and SageMaker refuses the call (throttled: a client fault,
    // so the attempt is uncounted, actAttempts 0). The invocation fails and Lambda retries it later.
    sageMakerMock.on(StopTrainingJobCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' }));
    await expect(handlerFor('training-job', { sweep: { actOnExisting: true } })(inProgress)).rejects.toThrow('Rate exceeded');
    expect(remediationRecords()).toMatchObject([{ action: 'stop', actAttempts: 0 }]);
    expect(remediationRecords()[0]).not.toHaveProperty('result');

    // The security team turns actOnExisting back off (deploy). The retry, after the lease ran out:
    sageMakerMock.on(StopTrainingJobCommand).resolves({});
    const later = new Date(NOW.getTime() + 5 * 60 * 1000);
    const result = await handlerFor('training-job', {}, { now: () => later })({ ...inProgress, id: 'retry' });

    // Today: { decision: 'resume', actionResult: done } and the estate job is stopped ("Stopped training job ...").
    expect(sageMakerMock).not.toHaveReceivedCommandTimes(StopTrainingJobCommand, 2);
    expect(result).toMatchObject({ decision: 'report', notified: true });
    expect(publishedNotice().message).toContain('this training job was created before the guard began enforcing');
  });

  test('an enforcement record whose time cannot be read does not turn enforcement off: a job created after the deploy is stopped', async () => {
    // The deploy recorded it (a record exists), but its `since` is not a time (hand-edited, or a bad restore/import).
    setEnforcementSince('not-a-time');
    jobCreated(new Date(NOW.getTime() - 60 * 1000)); // created a minute ago
    sageMakerMock.on(StopTrainingJobCommand).resolves({});

    const run = handlerFor('training-job')(inProgress);
    // Either acting (the record cannot prove the job old) or failing loudly is right; sparing it as
    // "existing estate, enforcement began <now>" on every run is not. Today: { decision: 'report' }.
    const outcome = await run.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    if ('value' in outcome) {
      expect(outcome.value).not.toMatchObject({ decision: 'report' });
      expect(sageMakerMock).toHaveReceivedCommand(StopTrainingJobCommand);
    }
  });

  test('the deploy trigger does not claim to have recorded a time when the existing record is unreadable', async () => {
    setEnforcementSince('not-a-time');
    // Today: resolves { since: NOW, recorded: true }, and the deploy goes on with enforcement silently off.
    await expect(makeEnforcementStartHandler(new Ledger(LEDGER_TABLE), () => NOW)()).rejects.toThrow();
  });
});
