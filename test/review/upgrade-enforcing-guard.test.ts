/**
 * Review: upgrading a guard that already enforced (the version before this change, which had the ledger
 * but no "enforcement began" record). The upgrade's deploy trigger finds no record and writes "now"
 * (lambda/handlers/enforcement-start.ts -> Ledger.enforcementBeganOrNow), although the ledger itself
 * proves enforcement began long before: it holds the old guard's stop/delete records. Everything the old
 * guard was already enforcing on becomes "existing estate":
 * - a stop that was denied (the guard retried it on every event and sweep: retry-denied) is never
 *   retried once the denial is lifted; the owner is told instead that the job "was created before the
 *   guard began enforcing", which is false;
 * - likewise an event redriven from the dead-letter queue after the upgrade.
 */
import { DescribeTrainingJobCommand, ListTagsCommand, StopTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { Ledger } from '../../lambda/aws/ledger';
import { makeEnforcementStartHandler } from '../../lambda/handlers/enforcement-start';
import { trainingJob } from '../fixtures/resources';
import { event, handlerFor, LEDGER_TABLE, named, NOW, publishedNotice, remediationRecords, resetMocks, sageMakerMock, setEnforcementSince } from '../handlers/harness';

const JOB = '89c96cc8-dded-4739-afcc-6f1dc936701d';
const inProgress = event('variants/training-job.in-progress.json');
/** Created while the old guard was enforcing (two days before the upgrade at NOW). */
const CREATED = new Date('2026-11-20T08:00:00Z');

beforeEach(() => {
  resetMocks();
  // The ledger of the version before this change: no enforcement record.
  setEnforcementSince(undefined);
  sageMakerMock.on(DescribeTrainingJobCommand, { TrainingJobName: JOB }).resolves(trainingJob({ TrainingJobName: JOB, EnableNetworkIsolation: false, CreationTime: CREATED }));
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
});

test('review: after upgrading an enforcing guard, a stop the old guard was denied is still retried (not demoted to "existing estate")', async () => {
  // The old guard (it acted on everything; actOnExisting=true is the same path: no estate check, no record written).
  sageMakerMock.on(StopTrainingJobCommand).rejects(named('AccessDeniedException', 'explicit deny in a service control policy'));
  const old = handlerFor('training-job', { sweep: { actOnExisting: true } }, { now: () => new Date('2026-11-20T08:05:00Z') });
  await expect(old(inProgress)).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'denied' } });
  expect(remediationRecords()).toMatchObject([{ action: 'stop', result: { type: 'denied' } }]);

  // The upgrade's deploy: the trigger runs EnforcementStart.
  await makeEnforcementStartHandler(new Ledger(LEDGER_TABLE), () => NOW)();

  // The SCP is fixed; the next event or sweep should stop the job, as the old guard would have.
  sageMakerMock.on(StopTrainingJobCommand).resolves({});
  const result = await handlerFor('training-job')({ ...inProgress, id: 'after-upgrade' });
  // Today: { decision: 'report' }, and the owner reads that the job predates enforcement.
  expect(publishedNotice(1).message).not.toContain('was created before the guard began enforcing');
  expect(result).toMatchObject({ decision: 'retry-denied', actionResult: { type: 'done' } });
  expect(sageMakerMock).toHaveReceivedCommandTimes(StopTrainingJobCommand, 2);
});

test('review: the deploy of an upgrade records enforcement as beginning no later than the ledger\'s oldest stop/delete', async () => {
  sageMakerMock.on(StopTrainingJobCommand).resolves({});
  await handlerFor('training-job', { sweep: { actOnExisting: true } }, { now: () => new Date('2026-11-20T08:05:00Z') })(inProgress);
  const started = await makeEnforcementStartHandler(new Ledger(LEDGER_TABLE), () => NOW)();
  expect(Date.parse(started.since)).toBeLessThanOrEqual(Date.parse('2026-11-20T08:05:00Z'));
});
