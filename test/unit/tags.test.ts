import { tagsBeforeAction, TAG, violationsTagValue } from '../../lambda/core/tags';

describe('guard tags', () => {
  test('the guard keeps no state in tags: no notice tag exists any more', () => {
    expect(Object.values(TAG)).toEqual(['sagemaker-guard:violations', 'sagemaker-guard:action', 'sagemaker-guard:event-id']);
    expect(Object.values(TAG)).not.toContain('sagemaker-guard:notice');
  });

  test('before acting: violations, action, event id, and nothing else', () => {
    expect(tagsBeforeAction(['a.b', 'c.d'], 'stop', 'evt-1')).toEqual([
      { Key: TAG.violations, Value: 'a.b c.d' },
      { Key: TAG.action, Value: 'stop' },
      { Key: TAG.eventId, Value: 'evt-1' },
    ]);
    expect(tagsBeforeAction(['a.b'], 'delete', 'evt-2').map((tag) => tag.Value)).toEqual(['a.b', 'delete', 'evt-2']);
  });

  test('a long event id is cut to the 256-character tag value limit', () => {
    const tags = tagsBeforeAction(['a.b'], 'stop', 'e'.repeat(300));
    expect(tags.find((tag) => tag.Key === TAG.eventId)?.Value).toBe('e'.repeat(256));
  });

  test('violations fit the 256-character tag value limit and say how many did not fit', () => {
    const ids = Array.from({ length: 20 }, (_unused, index) => `notebook-instance.control-number-${index}`);
    const value = violationsTagValue(ids);
    expect(value.length).toBeLessThanOrEqual(256);
    const shown = value.split(' ').filter((word) => word.startsWith('notebook-instance.')).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(20);
    expect(value).toMatch(new RegExp(` \\+${20 - shown} more$`));
    expect(value.startsWith(ids.slice(0, shown).join(' '))).toBe(true);
  });

  test.each([
    [[], ''],
    [['a.b'], 'a.b'],
    [['a.b', 'c.d', 'e.f'], 'a.b c.d e.f'],
  ])('violations of %j: %j', (ids, expected) => {
    expect(violationsTagValue(ids)).toBe(expected);
  });

  test('tag values only use characters AWS allows', () => {
    expect(violationsTagValue(['training-job.network-isolation', 'training-job.vpc'])).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
  });
});
