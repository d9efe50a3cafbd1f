import { LEDGER_RETENTION_DAYS } from '../../lambda/ledger/schema';
import {
  dayOf,
  expiresAt,
  heldByOther,
  inDoubt,
  LEASE_MS,
  planFromLedger,
  remediationSk,
  resourcePk,
  type LedgerPlan,
  type RecordAction,
  type RecordedResult,
  type RemediationRecord,
} from '../../lambda/ledger/records';

const NOW = new Date('2026-11-22T12:00:00Z');
const ME = 'evt-me';
const OTHER = 'evt-other';
const LIVE = NOW.getTime() + 60_000;
const EXPIRED = NOW.getTime() - 1;

function record(episode: string, action: RecordAction, fields: Partial<RemediationRecord> & { result?: RecordedResult } = {}): RemediationRecord {
  return {
    type: 'remediation',
    pk: resourcePk({ account: '123456789012', region: 'us-east-1', kind: 'training-job', name: 'churn-train-1' }),
    sk: remediationSk(episode, action),
    ref: { account: '123456789012', region: 'us-east-1', kind: 'training-job', name: 'churn-train-1' },
    arn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-train-1',
    episode,
    action,
    controls: ['training-job.vpc'],
    at: '2026-11-22T11:00:00.000Z',
    day: '2026-11-22',
    expiresAt: 0,
    holder: OTHER,
    leaseUntil: EXPIRED,
    actAttempts: 1,
    correlationId: OTHER,
    ...fields,
  };
}

const DONE: RecordedResult = { type: 'done' };
const DENIED: RecordedResult = { type: 'denied', errorName: 'AccessDeniedException', permission: 'sagemaker:StopTrainingJob' };
const E1 = '2026-11-22T10:00:00Z';
const E2 = '2026-11-22T11:00:00Z';

describe('planFromLedger: what the records say an invocation must do', () => {
  const inDoubtLive = record(E1, 'stop', { holder: OTHER, leaseUntil: LIVE });
  const inDoubtMine = record(E1, 'stop', { holder: ME, leaseUntil: LIVE });
  const inDoubtExpired = record(E1, 'stop', { holder: OTHER, leaseUntil: EXPIRED });
  const inDoubtLeaseEndsNow = record(E1, 'stop', { holder: OTHER, leaseUntil: NOW.getTime() });
  const pendingNotice = record(E1, 'stop', { result: DONE, notice: 'pending' });
  const pendingNoticeLive = record(E1, 'stop', { result: DONE, notice: 'pending', holder: OTHER, leaseUntil: LIVE });
  const deniedSent = record(E1, 'stop', { result: DENIED, notice: 'sent' });
  const deniedLive = record(E1, 'stop', { result: DENIED, notice: 'sent', holder: OTHER, leaseUntil: LIVE });
  const doneSent = record(E1, 'stop', { result: DONE, notice: 'sent' });
  const reportUnresolved = record(E1, 'report', { holder: OTHER, leaseUntil: LIVE, actAttempts: 0 });
  const reportSent = record(E1, 'report', { result: { type: 'reported' }, notice: 'sent', actAttempts: 0 });
  const reportPending = record(E1, 'report', { result: { type: 'reported' }, notice: 'pending', actAttempts: 0 });
  const intendE1 = { sk: remediationSk(E1, 'stop') };
  const intendE2 = { sk: remediationSk(E2, 'stop') };
  const intendReport = { sk: remediationSk(E1, 'report') };

  test.each<[string, readonly RemediationRecord[], { sk: string } | undefined, string, LedgerPlan]>([
    // Another invocation is at work: leave it be.
    ['in doubt, held by another invocation whose lease is live: busy', [inDoubtLive], intendE1, ME, { type: 'busy', record: inDoubtLive }],
    ['in doubt and held by another, even when nothing is intended now: busy', [inDoubtLive], undefined, ME, { type: 'busy', record: inDoubtLive }],
    ['owed notice held by another: busy (nothing intended)', [pendingNoticeLive], undefined, ME, { type: 'busy', record: pendingNoticeLive }],
    ['owed notice of this episode held by another: busy', [pendingNoticeLive], intendE1, ME, { type: 'busy', record: pendingNoticeLive }],
    ['denied before, another invocation is retrying: busy', [deniedLive], intendE1, ME, { type: 'busy', record: deniedLive }],
    // Finish what an earlier attempt left in doubt.
    ['in doubt, lease expired: resume', [inDoubtExpired], intendE1, ME, { type: 'resume', record: inDoubtExpired }],
    ['in doubt, lease ends exactly now: resume', [inDoubtLeaseEndsNow], intendE1, ME, { type: 'resume', record: inDoubtLeaseEndsNow }],
    ['in doubt, held by this same invocation (a retry of it): resume', [inDoubtMine], intendE1, ME, { type: 'resume', record: inDoubtMine }],
    ['in doubt, nothing intended now: resume', [inDoubtExpired], undefined, ME, { type: 'resume', record: inDoubtExpired }],
    ['an older episode in doubt goes before a new episode', [doneSent, inDoubtExpired], intendE2, ME, { type: 'resume', record: inDoubtExpired }],
    // A notice owed and nobody sending it.
    ['this episode\'s notice is owed: resend', [pendingNotice], intendE1, ME, { type: 'resend', record: pendingNotice }],
    ['nothing intended, an earlier notice is owed: resend', [doneSent, pendingNotice], undefined, ME, { type: 'resend', record: pendingNotice }],
    ['a report\'s owed notice: resend', [reportPending], intendReport, ME, { type: 'resend', record: reportPending }],
    // Denied before: the denial may have been lifted.
    ['denied before, lease expired: retry-denied', [deniedSent], intendE1, ME, { type: 'retry-denied', record: deniedSent }],
    ['denied before, held by this invocation: retry-denied', [{ ...deniedLive, holder: ME }], intendE1, ME, { type: 'retry-denied', record: { ...deniedLive, holder: ME } }],
    // Handled and told.
    ['this episode was done and told: done', [doneSent], intendE1, ME, { type: 'done', record: doneSent }],
    ['a wrong-state result was told: done', [record(E1, 'stop', { result: { type: 'wrong-state', status: 'Stopped' }, notice: 'sent' })], intendE1, ME, { type: 'done', record: record(E1, 'stop', { result: { type: 'wrong-state', status: 'Stopped' }, notice: 'sent' }) }],
    ['a gone result deserved no notice: done', [record(E1, 'stop', { result: { type: 'gone' }, notice: 'none' })], intendE1, ME, { type: 'done', record: record(E1, 'stop', { result: { type: 'gone' }, notice: 'none' }) }],
    ['this report was sent: done', [reportSent], intendReport, ME, { type: 'done', record: reportSent }],
    // Report records are never in doubt: a report has no action to have called.
    ['a report with no result, held by another, is not in doubt: done, not busy', [reportUnresolved], intendReport, ME, { type: 'done', record: reportUnresolved }],
    ['a report with no result does not block a new stop: fresh', [reportUnresolved], intendE1, ME, { type: 'fresh' }],
    ['a report with no result and nothing intended: fresh', [reportUnresolved], undefined, ME, { type: 'fresh' }],
    // Nothing recorded for this.
    ['no records: fresh', [], intendE1, ME, { type: 'fresh' }],
    ['no records, nothing intended: fresh', [], undefined, ME, { type: 'fresh' }],
    ['only older episodes, done and told: fresh', [doneSent], intendE2, ME, { type: 'fresh' }],
    ['nothing intended, everything told: fresh', [doneSent, deniedSent], undefined, ME, { type: 'fresh' }],
    ['a new episode goes first; the resend function sends the older owed notice: fresh', [pendingNotice], intendE2, ME, { type: 'fresh' }],
  ])('%s', (_title, records, intended, holder, expected) => {
    expect(planFromLedger(records, intended, holder, NOW)).toEqual(expected);
  });

  describe('a refusal in a state that can pass (canRetry): retry-refused', () => {
    const inUse = record(E1, 'delete', { result: { type: 'wrong-state', status: 'InUse' }, notice: 'sent' });
    const inUseLive = { ...inUse, holder: OTHER, leaseUntil: LIVE };
    const noStatus = record(E1, 'delete', { result: { type: 'wrong-state' }, notice: 'sent' });
    const intendDelete = { sk: remediationSk(E1, 'delete') };
    const inUsePasses = (status: string): boolean => status === 'InUse';
    test.each<[string, readonly RemediationRecord[], LedgerPlan]>([
      ['a status canRetry accepts: retry-refused', [inUse], { type: 'retry-refused', record: inUse }],
      ['held by another invocation: busy', [inUseLive], { type: 'busy', record: inUseLive }],
      ['a wrong-state without a status is never retried: done', [noStatus], { type: 'done', record: noStatus }],
    ])('%s', (_title, records, expected) => {
      expect(planFromLedger(records, intendDelete, ME, NOW, inUsePasses)).toEqual(expected);
    });
    test('without canRetry (or when it refuses the status) a wrong-state is done', () => {
      expect(planFromLedger([inUse], intendDelete, ME, NOW)).toEqual({ type: 'done', record: inUse });
      expect(planFromLedger([inUse], intendDelete, ME, NOW, () => false)).toEqual({ type: 'done', record: inUse });
    });
  });

  test('the first record in doubt counts (records come newest first)', () => {
    const newer = record(E2, 'stop', { holder: OTHER, leaseUntil: EXPIRED });
    expect(planFromLedger([newer, inDoubtLive], intendE2, ME, NOW)).toEqual({ type: 'resume', record: newer });
  });
});

describe('ledger rules', () => {
  test.each([
    ['ChurnModel-V2', 'resource#123456789012#us-east-1#model#churnmodel-v2'],
    ['churnmodel-v2', 'resource#123456789012#us-east-1#model#churnmodel-v2'],
    ['CHURNMODEL-V2', 'resource#123456789012#us-east-1#model#churnmodel-v2'],
  ])('resourcePk lower-cases the name %s (SageMaker names are case-insensitive)', (name, pk) => {
    expect(resourcePk({ account: '123456789012', region: 'us-east-1', kind: 'model', name })).toBe(pk);
  });

  test('resourcePk keeps account, region and kind apart', () => {
    const ref = { account: '123456789012', region: 'us-east-1', kind: 'model', name: 'm' } as const;
    const keys = new Set([resourcePk(ref), resourcePk({ ...ref, account: '210987654321' }), resourcePk({ ...ref, region: 'eu-west-1' }), resourcePk({ ...ref, kind: 'notebook-instance' })]);
    expect(keys.size).toBe(4);
  });

  test('remediation keys sort by episode and name the action', () => {
    expect(remediationSk('2026-11-22T10:00:00Z', 'stop')).toBe('episode#2026-11-22T10:00:00Z#stop');
    expect(remediationSk('2026-11-22T10:00:00Z', 'report')).toBe('episode#2026-11-22T10:00:00Z#report');
    expect([remediationSk(E2, 'stop'), remediationSk(E1, 'stop')].sort()).toEqual([remediationSk(E1, 'stop'), remediationSk(E2, 'stop')]);
  });

  test.each<[string, string, number, boolean]>([
    ['another holder, live lease', OTHER, LIVE, true],
    ['another holder, lease ends now', OTHER, NOW.getTime(), false],
    ['another holder, expired lease', OTHER, EXPIRED, false],
    ['this holder, live lease', ME, LIVE, false],
  ])('heldByOther: %s is %s', (_title, holder, leaseUntil, expected) => {
    expect(heldByOther({ ...record(E1, 'stop'), holder, leaseUntil }, ME, NOW)).toBe(expected);
  });

  test.each<[string, RemediationRecord, boolean]>([
    ['a stop with no result', record(E1, 'stop'), true],
    ['a delete with no result', record(E1, 'delete'), true],
    ['a stop with a result', record(E1, 'stop', { result: DONE }), false],
    ['a denied stop', record(E1, 'stop', { result: DENIED }), false],
    ['a report with no result', record(E1, 'report'), false],
  ])('inDoubt: %s is %s', (_title, candidate, expected) => {
    expect(inDoubt(candidate)).toBe(expected);
  });

  test('the lease is the 60-second function timeout: a live holder keeps it, Lambda\'s retry (a minute after) finds it run out', () => {
    expect(LEASE_MS).toBe(60_000);
  });

  test('expiry after the retention period, in epoch seconds; the UTC day', () => {
    expect(expiresAt(NOW)).toBe(Math.floor(NOW.getTime() / 1000) + LEDGER_RETENTION_DAYS * 24 * 3600);
    expect(dayOf(new Date('2026-11-22T23:59:59.999Z'))).toBe('2026-11-22');
    expect(dayOf(new Date('2026-11-23T00:00:00.000Z'))).toBe('2026-11-23');
  });
});
