import { noticeStateOf, tagsBeforeAction, TAG, violationsTagValue } from '../../lambda/core/tags';

describe('guard tags', () => {
  test('before acting: violations, action, pending notice, event id', () => {
    expect(tagsBeforeAction(['a.b', 'c.d'], 'stop', 'evt-1')).toEqual([
      { Key: TAG.violations, Value: 'a.b c.d' },
      { Key: TAG.action, Value: 'stop' },
      { Key: TAG.notice, Value: 'pending' },
      { Key: TAG.eventId, Value: 'evt-1' },
    ]);
  });

  test('violations fit the 256-character tag value limit and say how many did not fit', () => {
    const ids = Array.from({ length: 20 }, (_unused, index) => `notebook-instance.control-number-${index}`);
    const value = violationsTagValue(ids);
    expect(value.length).toBeLessThanOrEqual(256);
    const shown = value.split(' ').filter((word) => word.startsWith('notebook-instance.')).length;
    expect(value).toMatch(new RegExp(` \\+${20 - shown} more$`));
  });

  test('tag values only use characters AWS allows', () => {
    expect(violationsTagValue(['training-job.network-isolation', 'training-job.vpc'])).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
  });

  test.each([
    [{ [TAG.notice]: 'pending' }, 'pending'],
    [{ [TAG.notice]: 'sent' }, 'sent'],
    [{ [TAG.notice]: 'garbage' }, undefined],
    [{}, undefined],
  ])('notice state of %j is %s', (tags, expected) => {
    expect(noticeStateOf(tags)).toBe(expected);
  });
});
