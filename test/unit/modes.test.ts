import { CONTROL_IDS } from '../../lambda/controls/catalog';
import { EXEMPT_TAG, exemptionsFor, resolveMode, type Exemptions, type ModeDecision, type SwitchValue } from '../../lambda/core/modes';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { settings } from '../fixtures/resources';

const NOW = new Date('2026-11-22T12:00:00Z');
const NONE: Exemptions = { active: [], ignored: [] };
const ISOLATION = 'training-job.network-isolation';

describe('effective mode: switch over policy over defaults; exemptions over both', () => {
  test.each<[string, GuardSettingsInput, SwitchValue, Exemptions, ModeDecision]>([
    ['global default', {}, 'policy', NONE, { mode: 'enforce', source: 'policy.mode' }],
    ['global report', { mode: 'report' }, 'policy', NONE, { mode: 'report', source: 'policy.mode' }],
    ['kind default over global', { mode: 'report', kinds: { 'training-job': { mode: 'enforce' } } }, 'policy', NONE, { mode: 'enforce', source: 'policy.kinds' }],
    ['another kind\'s default does not apply', { mode: 'report', kinds: { model: { mode: 'enforce' } } }, 'policy', NONE, { mode: 'report', source: 'policy.mode' }],
    ['control over kind', { kinds: { 'training-job': { mode: 'report' } }, controls: { [ISOLATION]: 'enforce' } }, 'policy', NONE, { mode: 'enforce', source: 'policy.controls' }],
    ['control off', { controls: { [ISOLATION]: 'off' } }, 'policy', NONE, { mode: 'off', source: 'policy.controls' }],
    ['switch turns enforce into report', { controls: { [ISOLATION]: 'enforce' } }, 'report', NONE, { mode: 'report', source: 'switch', note: 'policy says enforce (policy.controls)' }],
    ['switch leaves report as it is', { mode: 'report' }, 'report', NONE, { mode: 'report', source: 'policy.mode' }],
    ['switch never turns a control back on', { controls: { [ISOLATION]: 'off' } }, 'report', NONE, { mode: 'off', source: 'policy.controls' }],
    [
      'exemption for all controls',
      {},
      'report',
      { active: [{ source: 'exemption-tag', controls: 'all', reason: 'vendor image', expires: '2026-12-31' }], ignored: [] },
      { mode: 'exempt', source: 'exemption-tag', note: 'vendor image (until 2026-12-31)' },
    ],
    [
      'exemption for this control',
      {},
      'policy',
      { active: [{ source: 'exemption-prefix', controls: [ISOLATION], reason: 'sandbox' }], ignored: [] },
      { mode: 'exempt', source: 'exemption-prefix', note: 'sandbox' },
    ],
    [
      'exemption for another control',
      {},
      'policy',
      { active: [{ source: 'exemption-prefix', controls: ['training-job.vpc'], reason: 'sandbox' }], ignored: [] },
      { mode: 'enforce', source: 'policy.mode' },
    ],
    [
      'an exemption does not turn on a control that is off',
      { controls: { [ISOLATION]: 'off' } },
      'policy',
      { active: [{ source: 'exemption-tag', controls: 'all', reason: 'r' }], ignored: [] },
      { mode: 'off', source: 'policy.controls' },
    ],
  ])('%s', (_title, policy, switchValue, exemptions, expected) => {
    expect(resolveMode(ISOLATION, 'training-job', settings(policy), exemptions, switchValue)).toEqual(expected);
  });
});

describe('exemptions', () => {
  const exempt = (value: string, reason?: string, until?: string): Record<string, string> => ({
    [EXEMPT_TAG.controls]: value,
    ...(reason !== undefined ? { [EXEMPT_TAG.reason]: reason } : {}),
    ...(until !== undefined ? { [EXEMPT_TAG.until]: until } : {}),
  });

  test.each<[string, Record<string, string>, Exemptions]>([
    ['no tags', {}, NONE],
    ['all, with a reason', exempt('all', 'vendor image'), { active: [{ source: 'exemption-tag', controls: 'all', reason: 'vendor image' }], ignored: [] }],
    ['ALL in capitals', exempt('ALL', 'r'), { active: [{ source: 'exemption-tag', controls: 'all', reason: 'r' }], ignored: [] }],
    [
      'listed controls, until a future date',
      exempt(`${ISOLATION} training-job.vpc`, 'migration INC-42', '2026-12-31'),
      { active: [{ source: 'exemption-tag', controls: [ISOLATION, 'training-job.vpc'], reason: 'migration INC-42', expires: '2026-12-31' }], ignored: [] },
    ],
    ['expiring today still holds', exempt('all', 'r', '2026-11-22'), { active: [{ source: 'exemption-tag', controls: 'all', reason: 'r', expires: '2026-11-22' }], ignored: [] }],
    ['no reason', exempt('all'), { active: [], ignored: [{ source: 'exemption-tag', why: 'tag sagemaker-guard:exempt=all has no sagemaker-guard:exempt-reason tag, so it is ignored' }] }],
    ['blank reason', exempt('all', '  '), { active: [], ignored: [{ source: 'exemption-tag', why: 'tag sagemaker-guard:exempt=all has no sagemaker-guard:exempt-reason tag, so it is ignored' }] }],
    ['expired', exempt('all', 'r', '2026-11-21'), { active: [], ignored: [{ source: 'exemption-tag', why: 'tag exemption expired on 2026-11-21, so it is ignored' }] }],
    ['not a date', exempt('all', 'r', 'next-week'), { active: [], ignored: [{ source: 'exemption-tag', why: 'tag sagemaker-guard:exempt-until=next-week is not a date (YYYY-MM-DD), so the exemption is ignored' }] }],
    ['impossible date', exempt('all', 'r', '2026-02-30'), { active: [], ignored: [{ source: 'exemption-tag', why: 'tag sagemaker-guard:exempt-until=2026-02-30 is not a date (YYYY-MM-DD), so the exemption is ignored' }] }],
    [
      'unknown control id',
      exempt('training-job.isolation', 'r'),
      { active: [], ignored: [{ source: 'exemption-tag', why: 'tag sagemaker-guard:exempt names unknown control(s) training-job.isolation (use ids from the controls table, separated by spaces), so it is ignored' }] },
    ],
  ])('tag: %s', (_title, tags, expected) => {
    expect(exemptionsFor('churn-train-1', tags, settings(), CONTROL_IDS, NOW)).toEqual(expected);
  });

  test('policy prefix exemptions: matching, expired, and not matching', () => {
    const policy = settings({
      exemptions: [
        { namePrefix: 'sandbox-', controls: 'all', reason: 'sandbox account budget' },
        { namePrefix: 'sandbox-old-', controls: [ISOLATION], reason: 'legacy', expires: '2026-01-01' },
        { namePrefix: 'prod-', controls: 'all', reason: 'never matches here' },
      ],
    });
    expect(exemptionsFor('sandbox-old-job', {}, policy, CONTROL_IDS, NOW)).toEqual({
      active: [{ source: 'exemption-prefix', controls: 'all', reason: 'sandbox account budget' }],
      ignored: [{ source: 'exemption-prefix', why: 'policy exemption for names starting "sandbox-old-" expired on 2026-01-01, so it is ignored' }],
    });
    expect(exemptionsFor('team-job', {}, policy, CONTROL_IDS, NOW)).toEqual(NONE);
  });

  test('a tag exemption and a prefix exemption can both apply', () => {
    const policy = settings({ exemptions: [{ namePrefix: 'sandbox-', controls: [ISOLATION], reason: 'sandbox' }] });
    const found = exemptionsFor('sandbox-1', exempt('training-job.vpc', 'r'), policy, CONTROL_IDS, NOW);
    expect(found.active.map((exemption) => exemption.source)).toEqual(['exemption-tag', 'exemption-prefix']);
  });
});
