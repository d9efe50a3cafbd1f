import { RESOURCE_KINDS } from '../../lambda/kinds/registry';
import { planShards, resumeShards, RESUME_KEY, RUN_ID } from '../../lambda/sweep/plan';
import { startOf } from '../../lambda/sweep/shard';
import { SweepTally } from '../../lambda/core/summary';

describe('planShards: one shard per kind in each account and region', () => {
  test('every (account, region, kind), accounts and regions sorted and without repeats, each from its start, spread over the accounts first', () => {
    const shards = planShards({ accounts: ['222233334444', '111122223333', '222233334444'], regions: ['us-east-1', 'eu-west-1'], kinds: ['model', 'training-job'] });
    expect(shards.map((progress) => `${progress.shard.account}/${progress.shard.region}/${progress.shard.kind}`)).toEqual([
      '111122223333/eu-west-1/model',
      '222233334444/eu-west-1/model',
      '111122223333/us-east-1/model',
      '222233334444/us-east-1/model',
      '111122223333/eu-west-1/training-job',
      '222233334444/eu-west-1/training-job',
      '111122223333/us-east-1/training-job',
      '222233334444/us-east-1/training-job',
    ]);
    for (const progress of shards) expect(progress).toEqual(startOf(progress.shard));
    expect(shards[0]).toMatchObject({ done: false, pages: 0, tasks: 0, tally: { checked: 0 } });
    expect(shards[0]).not.toHaveProperty('cursor');
  });

  test('500 accounts in 3 regions: 12,000 shards of at most a few hundred bytes each', () => {
    const accounts = Array.from({ length: 500 }, (_, index) => String(100000000000 + index));
    const shards = planShards({ accounts, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'], kinds: RESOURCE_KINDS });
    expect(shards).toHaveLength(500 * 3 * RESOURCE_KINDS.length);
    const largest = Math.max(...shards.map((progress) => JSON.stringify(progress).length));
    expect(largest).toBeLessThan(400);
  });

  test.each([
    [{ accounts: ['1234'], regions: ['us-east-1'], kinds: ['model' as const] }, 'the sweep\'s accounts must be 12-digit account ids (given: "1234")'],
    [{ accounts: ['111122223333'], regions: ['us east 1'], kinds: ['model' as const] }, 'the sweep\'s regions must be region names such as us-east-1 (given: "us east 1")'],
    [{ accounts: [], regions: ['us-east-1'], kinds: ['model' as const] }, 'the sweep has nothing to cover: 0 accounts, 1 regions, 1 kinds'],
    [{ accounts: ['111122223333'], regions: [], kinds: ['model' as const] }, 'the sweep has nothing to cover: 1 accounts, 0 regions, 1 kinds'],
  ])('%j is refused: %s', (scope, message) => {
    expect(() => planShards(scope)).toThrow(message);
  });
});

describe('resumeShards: what a run left, from where each stopped, with new counts', () => {
  test('the cursor is kept; counts, pages, tasks and any failure are not', () => {
    const tally = new SweepTally();
    tally.add({ kind: 'model', name: 'm', decision: 'compliant' });
    const left = [
      { ...startOf({ account: '111122223333', region: 'us-east-1', kind: 'model' }), cursor: 'next-page', pages: 40, tasks: 2, tally: tally.toData() },
      { ...startOf({ account: '111122223333', region: 'us-east-1', kind: 'training-job' }), pages: 0, tasks: 3 },
    ];
    expect(resumeShards(left)).toEqual([
      { ...startOf(left[0].shard), cursor: 'next-page' },
      startOf(left[1].shard),
    ]);
  });
});

describe('run ids and resume keys', () => {
  test.each([
    ['runs/abc-123/resume.json', true],
    ['runs/abc_123/resume.json', true],
    ['runs/../resume.json', false],
    ['results/abc/resume.json', false],
    ['runs/abc/shards.json', false],
    ['runs/abc/resume.json\n', false],
    ['s3://other-bucket/runs/abc/resume.json', false],
  ])('resume key %j: %s', (key, ok) => {
    expect(RESUME_KEY.test(key)).toBe(ok);
  });

  test.each([
    ['8f14e45f-ceea-467f-a0e6-6d8e7b3c2a10', true],
    ['a'.repeat(80), true],
    ['a'.repeat(81), false],
    ['has space', false],
    ['', false],
  ])('run id %j: %s', (id, ok) => {
    expect(RUN_ID.test(id)).toBe(ok);
  });
});
