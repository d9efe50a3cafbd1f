import { buildSweepNotice, SweepTally, MAX_SUMMARY_LINES } from '../../lambda/core/summary';
import { causeText, manifestSchema, RunOutcome } from '../../lambda/sweep/results';
import { startOf, type ShardProgress } from '../../lambda/sweep/shard';

const A = '111122223333';
const B = '222233334444';
const finding = { controlId: 'model.vpc', title: 't', why: 'w', fix: 'f', severity: 'high', observed: 'o', mode: 'enforce', modeSource: 'policy.mode' } as const;

function progress(account: string, kind: ShardProgress['shard']['kind'], over: Partial<ShardProgress> = {}, checked: { name: string; failing: boolean }[] = []): ShardProgress {
  const tally = new SweepTally();
  for (const item of checked) tally.add({ kind, name: item.name, decision: item.failing ? 'remediate' : 'compliant', findings: item.failing ? [finding] : [], actionResult: { type: 'done' } });
  return { ...startOf({ account, region: 'us-east-1', kind }), done: true, pages: 1, tasks: 1, tally: tally.toData(), ...over };
}

const succeeded = (state: unknown) => ({ Status: 'SUCCEEDED', Input: '{}', Output: JSON.stringify(state) });

describe('RunOutcome: the Map\'s results, one child at a time', () => {
  test('finished shards merge their tallies; unreachable, failed and handed-back shards are each accounted for', () => {
    const outcome = new RunOutcome();
    outcome.addRecord(succeeded({ runId: 'r', progress: progress(A, 'model', {}, [{ name: 'open', failing: true }, { name: 'ok', failing: false }]) }));
    // B's role could not be assumed: one entry per account and region, however many kinds said so.
    for (const kind of ['model', 'training-job'] as const) {
      outcome.addRecord(succeeded({ runId: 'r', progress: progress(B, kind, { unreachable: { roleArn: `arn:aws:iam::${B}:role/SageMakerGuard-member`, error: 'AccessDenied: not authorized' } }) }));
    }
    // A's training jobs: the listing failed past its retries after one page.
    const failed = progress(A, 'training-job', { done: false, cursor: 'page-2' }, [{ name: 'job', failing: false }]);
    outcome.addRecord(succeeded({ runId: 'r', progress: failed, failure: { Error: 'AccessDeniedException', Cause: 'not authorized to perform: sagemaker:ListTrainingJobs' } }));
    // A's notebooks: the child reached MAX_TASKS_PER_CHILD.
    const handedBack = progress(A, 'notebook-instance', { done: false, cursor: 'page-3001', tasks: 3000 });
    outcome.addRecord(succeeded({ runId: 'r', progress: handedBack }));
    // A child that failed as a whole (its last state lost): it is run again from its input.
    const lost = progress(A, 'endpoint', { done: false, pages: 0, tasks: 0 });
    outcome.addRecord({ Status: 'FAILED', Input: JSON.stringify({ runId: 'r', progress: lost }), Error: 'States.Timeout', Cause: 'the child timed out' });

    expect(outcome.results).toBe(6);
    expect(outcome.tally.checked).toBe(3);
    expect(outcome.tally.withFindings).toBe(1);
    // A's models; B's kinds are unreachable, not finished.
    expect(outcome.finished).toBe(1);
    expect(outcome.handedBack).toBe(1);
    expect(outcome.unreachable).toEqual([{ account: B, region: 'us-east-1', roleArn: `arn:aws:iam::${B}:role/SageMakerGuard-member`, error: 'AccessDenied: not authorized' }]);
    expect(outcome.failedCount).toBe(2);
    expect(outcome.failed).toEqual([
      { shard: failed.shard, error: 'AccessDeniedException: not authorized to perform: sagemaker:ListTrainingJobs' },
      { shard: handedBack.shard, error: 'stopped before its history filled up; it resumes from its cursor' },
      { shard: lost.shard, error: 'the child execution failed (States.Timeout: the child timed out); what it checked is not counted here' },
    ]);
    // Everything not finished is resumed, the unreachable too (the role may be back).
    expect(outcome.left.map((left) => [left.shard.account, left.shard.kind, left.cursor])).toEqual([
      [B, 'model', undefined],
      [B, 'training-job', undefined],
      [A, 'training-job', 'page-2'],
      [A, 'notebook-instance', 'page-3001'],
      [A, 'endpoint', undefined],
    ]);
    expect(outcome.unreadable).toBe(0);
  });

  test.each([
    ['output that is not JSON', { Status: 'SUCCEEDED', Output: 'not json' }],
    ['output of another shape', { Status: 'SUCCEEDED', Output: JSON.stringify({ progress: { shard: { account: A } } }) }],
    ['a kind this guard does not have', { Status: 'SUCCEEDED', Output: JSON.stringify({ progress: { ...progress(A, 'model'), shard: { account: A, region: 'us-east-1', kind: 'studio-domain' } } }) }],
    ['a negative count', { Status: 'SUCCEEDED', Output: JSON.stringify({ progress: { ...progress(A, 'model'), tally: { ...progress(A, 'model').tally, checked: -1 } } }) }],
    ['a failed child without input', { Status: 'FAILED' }],
  ])('%s is counted as unreadable and sampled, never silently dropped or counted as clean', (_name, record) => {
    const outcome = new RunOutcome();
    outcome.addRecord(record);
    expect(outcome.results).toBe(1);
    expect(outcome.unreadable).toBe(1);
    expect(outcome.unreadableSamples).toHaveLength(1);
    expect(outcome.tally.checked).toBe(0);
    expect(outcome.finished).toBe(0);
  });

  test('the failed list is capped at MAX_SUMMARY_LINES; the count is not', () => {
    const outcome = new RunOutcome();
    for (let index = 0; index < MAX_SUMMARY_LINES + 10; index += 1) {
      outcome.addRecord(succeeded({ progress: progress(A, 'model', { done: false }), failure: { Error: 'E', Cause: String(index) } }));
    }
    expect(outcome.failedCount).toBe(MAX_SUMMARY_LINES + 10);
    expect(outcome.failed).toHaveLength(MAX_SUMMARY_LINES);
    expect(outcome.left).toHaveLength(MAX_SUMMARY_LINES + 10);
  });

  test('a shard handed back at the run\'s deadline says so', () => {
    const outcome = new RunOutcome();
    outcome.addRecord(succeeded({ progress: progress(A, 'model', { done: false, cursor: 'c', handBack: true }), handBack: true }));
    expect(outcome.handedBack).toBe(1);
    expect(outcome.failed).toEqual([{ shard: { account: A, region: 'us-east-1', kind: 'model' }, error: "stopped at the run's deadline; it resumes from its cursor" }]);
  });

  test.each([
    ['a Lambda error (JSON with a stack)', JSON.stringify({ errorType: 'AccessDeniedException', errorMessage: 'not authorized', trace: ['at a', 'at b'] }), 'not authorized'],
    ['plain text', 'States.Timeout', 'States.Timeout'],
    ['nothing', undefined, 'no cause given'],
    ['a long text', 'x'.repeat(300), `${'x'.repeat(200)}...`],
  ])('causeText: %s', (_name, cause, expected) => {
    expect(causeText(cause)).toBe(expected);
  });

  test('the manifest as Step Functions writes it; a missing ResultFiles is refused', () => {
    const manifest = manifestSchema.parse({ DestinationBucket: 'b', MapRunArn: 'arn', ResultFiles: { SUCCEEDED: [{ Key: 'results/x/SUCCEEDED_0.json', Size: 10 }] } });
    expect(manifest.ResultFiles).toEqual({ SUCCEEDED: [{ Key: 'results/x/SUCCEEDED_0.json' }], FAILED: [], PENDING: [] });
    expect(manifestSchema.safeParse({ DestinationBucket: 'b', MapRunArn: 'arn' }).success).toBe(false);
  });
});

describe('SweepTally: merged from parts', () => {
  test('counts add up, the highest severity wins, lines stay at most MAX_SUMMARY_LINES; toData round-trips through JSON', () => {
    const parts = Array.from({ length: 3 }, (_, part) => {
      const tally = new SweepTally();
      for (let index = 0; index < 30; index += 1) tally.add({ kind: 'model', name: `p${part}-${index}`, decision: 'report', findings: [{ ...finding, severity: part === 2 ? 'critical' : 'medium' }] });
      tally.add({ kind: 'model', name: `e${part}`, decision: 'exempt', exemptionsHonoured: [{ source: 'policy-prefix', scope: 'x', reason: 'r', controls: ['model.vpc'] }], existing: { enforcementSince: `2026-0${part + 1}-01` } });
      return JSON.parse(JSON.stringify(tally.toData())) as ReturnType<SweepTally['toData']>;
    });
    const merged = new SweepTally();
    for (const part of parts) merged.merge(part);
    expect(merged.checked).toBe(93);
    expect(merged.withFindings).toBe(90);
    expect(merged.byDecision).toEqual({ report: 90, exempt: 3 });
    expect(merged.byControl).toEqual({ 'model.vpc': 90 });
    expect(merged.highest).toBe('critical');
    expect(merged.lines).toHaveLength(MAX_SUMMARY_LINES);
    expect(merged.exemptionCount).toBe(3);
    expect(merged.existing).toBe(3);
    expect(merged.enforcementSince).toBe('2026-01-01');
    expect(SweepTally.from(merged.toData()).toData()).toEqual(merged.toData());
  });
});

describe('buildSweepNotice across accounts', () => {
  const run = { account: A, region: 'us-east-1', correlationId: 'run-1', startedAt: new Date('2026-12-03T00:00:00Z'), durationMs: 90_000 };

  test('names its reach, the accounts it could not enter and the parts it could not finish, with the resume command', () => {
    const notice = buildSweepNotice(new SweepTally(), {
      ...run,
      scope: { accounts: 2, regions: ['eu-west-1', 'us-east-1'], shards: 32 },
      unreachable: [{ account: B, region: 'eu-west-1', roleArn: `arn:aws:iam::${B}:role/SageMakerGuard-member`, error: 'AccessDenied: no' }],
      unfinished: { count: 1, lines: [{ account: A, region: 'us-east-1', kind: 'training-job', error: 'ThrottlingException: Rate exceeded' }], resume: 'aws stepfunctions start-execution ...' },
    });
    expect(notice.subject).toBe('[sagemaker-guard] Sweep of 2 accounts, 2 regions: 0 of 0 resources fail controls (incomplete)');
    expect(notice.message).toContain(`The scheduled sagemaker-guard sweep of 2 accounts in eu-west-1, us-east-1 (32 parts; run from ${A} us-east-1) checked 0 resources`);
    expect(notice.message).toContain(`UNREACHABLE: 1 account and region pair could not be entered, so nothing there was checked.`);
    expect(notice.message).toContain(`  - ${B} eu-west-1: arn:aws:iam::${B}:role/SageMakerGuard-member (AccessDenied: no)`);
    expect(notice.message).toContain('NOT FINISHED: 1 part (a kind in an account and region) did not finish:');
    expect(notice.message).toContain(`  - ${A} us-east-1 training job: ThrottlingException: Rate exceeded`);
    expect(notice.message).toContain('  To run just these again, from where each stopped: aws stepfunctions start-execution ...');
  });

  test('one account in one region reads as a single-account sweep', () => {
    const notice = buildSweepNotice(new SweepTally(), { ...run, scope: { accounts: 1, regions: ['us-east-1'], shards: 8 } });
    expect(notice.subject).toBe(`[sagemaker-guard] Sweep of ${A} us-east-1: 0 of 0 resources fail controls`);
    expect(notice.message).not.toContain('UNREACHABLE');
    expect(notice.message).not.toContain('NOT FINISHED');
  });
});
