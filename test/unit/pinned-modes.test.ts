import { CATALOG, evaluate } from '../../lambda/kinds/registry';
import type { ResourceKind } from '../../lambda/kinds/registry';
import { EXEMPT_TAG, exemptionsFor, resolveMode, type ExemptibleControl, type Exemptions } from '../../lambda/core/modes';
import { notebook, settings } from '../fixtures/resources';

/**
 * Pins the dates of name-prefix exemptions (future honoured, past ignored, today honoured through the
 * end of the day UTC) and the trimming of exemption tags, exactly as lambda/core/modes.ts words them.
 */
const NOW = new Date('2026-11-22T12:00:00Z');
const MAX_RUNTIME = 'training-job.max-runtime';
const IMDS = 'notebook-instance.imdsv2';
const ROOT = 'notebook-instance.root-access';
const INTERNET = 'notebook-instance.direct-internet-access';

const controlsOf = (kind: ResourceKind): ExemptibleControl[] => CATALOG[kind].map((control) => ({ id: control.id, severity: control.severity }));

describe('dated name-prefix exemptions', () => {
  const policy = settings({
    exemptions: [
      { namePrefix: 'future-', kinds: ['training-job'], controls: [MAX_RUNTIME], reason: 'migration', expires: '2026-12-31' },
      { namePrefix: 'past-', kinds: ['training-job'], controls: [MAX_RUNTIME], reason: 'legacy', expires: '2026-11-21' },
      { namePrefix: 'today-', kinds: ['training-job'], controls: [MAX_RUNTIME], reason: 'last day', expires: '2026-11-22' },
    ],
  });
  const active = (prefix: string, reason: string, expires: string): Exemptions => ({
    active: [{ source: 'exemption-prefix', controls: [MAX_RUNTIME], reason, scope: prefix, expires }],
    ignored: [],
  });
  const expired = (prefix: string, expires: string): Exemptions => ({
    active: [],
    ignored: [{ source: 'exemption-prefix', why: `policy exemption for names starting "${prefix}" expired on ${expires}, so it is ignored` }],
  });

  test.each<[string, string, string, Exemptions]>([
    ['expires in the future: honoured', 'future-job', '2026-11-22T12:00:00.000Z', active('future-', 'migration', '2026-12-31')],
    ['expires in the future, on its last day: honoured', 'future-job', '2026-12-31T23:59:59.999Z', active('future-', 'migration', '2026-12-31')],
    ['expires in the future, the day after it: ignored', 'future-job', '2027-01-01T00:00:00.000Z', expired('future-', '2026-12-31')],
    ['expired yesterday: ignored', 'past-job', '2026-11-22T12:00:00.000Z', expired('past-', '2026-11-21')],
    ['expired yesterday, first instant of today: ignored', 'past-job', '2026-11-22T00:00:00.000Z', expired('past-', '2026-11-21')],
    ['expiring yesterday, seen on that day: honoured', 'past-job', '2026-11-21T23:59:59.999Z', active('past-', 'legacy', '2026-11-21')],
    ['expires today, at the first instant of the day UTC: honoured', 'today-job', '2026-11-22T00:00:00.000Z', active('today-', 'last day', '2026-11-22')],
    ['expires today, at noon UTC: honoured', 'today-job', '2026-11-22T12:00:00.000Z', active('today-', 'last day', '2026-11-22')],
    ['expires today, at the last millisecond of the day UTC: honoured', 'today-job', '2026-11-22T23:59:59.999Z', active('today-', 'last day', '2026-11-22')],
    ['expires today, late in the day east of UTC but still today in UTC: honoured', 'today-job', '2026-11-23T01:30:00.000+02:00', active('today-', 'last day', '2026-11-22')],
    ['expired today, one millisecond into tomorrow UTC: ignored', 'today-job', '2026-11-23T00:00:00.000Z', expired('today-', '2026-11-22')],
  ])('%s', (_title, name, now, expected) => {
    expect(exemptionsFor('training-job', name, {}, policy, controlsOf('training-job'), new Date(now))).toEqual(expected);
  });

  test.each<[string, string, ReturnType<typeof resolveMode>]>([
    ['future-job', '2026-11-22T12:00:00Z', { mode: 'exempt', source: 'exemption-prefix', note: 'migration (until 2026-12-31)' }],
    ['today-job', '2026-11-22T23:59:59.999Z', { mode: 'exempt', source: 'exemption-prefix', note: 'last day (until 2026-11-22)' }],
    ['today-job', '2026-11-23T00:00:00.000Z', { mode: 'enforce', source: 'policy.mode' }],
    ['past-job', '2026-11-22T12:00:00Z', { mode: 'enforce', source: 'policy.mode' }],
  ])('the mode of %s at %s', (name, now, expected) => {
    const exemptions = exemptionsFor('training-job', name, {}, policy, controlsOf('training-job'), new Date(now));
    expect(resolveMode(MAX_RUNTIME, 'training-job', policy, exemptions, 'policy')).toEqual(expected);
  });
});

describe('exemption tags are read as if trimmed', () => {
  const SPACED_VALUE = '  notebook-instance.imdsv2   notebook-instance.root-access ';
  const TRIMMED_VALUE = 'notebook-instance.imdsv2   notebook-instance.root-access';
  const tags = (until: string | undefined, reason = '  vendor AMI  '): Record<string, string> => ({
    [EXEMPT_TAG.controls]: SPACED_VALUE,
    [EXEMPT_TAG.reason]: reason,
    ...(until !== undefined ? { [EXEMPT_TAG.until]: until } : {}),
  });
  const NEEDS_EXPIRY = `tag sagemaker-guard:exempt=${TRIMMED_VALUE} has no sagemaker-guard:exempt-until tag (YYYY-MM-DD): a tag exemption needs an expiry, so it is ignored`;
  const find = (tagSet: Record<string, string>): Exemptions => exemptionsFor('notebook-instance', 'Research-Notebook', tagSet, settings(), controlsOf('notebook-instance'), NOW);

  test.each<[string, Record<string, string>, Exemptions]>([
    [
      'spaces around and between the ids, the reason and the date',
      tags('  2026-12-31  '),
      { active: [{ source: 'exemption-tag', controls: [IMDS, ROOT], reason: 'vendor AMI', expires: '2026-12-31', scope: TRIMMED_VALUE }], ignored: [] },
    ],
    [
      'tabs and newlines between the ids',
      { ...tags('2026-12-31'), [EXEMPT_TAG.controls]: `\t${IMDS}\t\n${ROOT}\n` },
      { active: [{ source: 'exemption-tag', controls: [IMDS, ROOT], reason: 'vendor AMI', expires: '2026-12-31', scope: `${IMDS}\t\n${ROOT}` }], ignored: [] },
    ],
    ['an empty expiry tag: ignored, it needs an expiry', tags(''), { active: [], ignored: [{ source: 'exemption-tag', why: NEEDS_EXPIRY }] }],
    ['an expiry tag of spaces: ignored, it needs an expiry', tags('   '), { active: [], ignored: [{ source: 'exemption-tag', why: NEEDS_EXPIRY }] }],
    ['no expiry tag: ignored, it needs an expiry', tags(undefined), { active: [], ignored: [{ source: 'exemption-tag', why: NEEDS_EXPIRY }] }],
    [
      'a reason of spaces: ignored, it needs a reason (checked before the expiry)',
      tags('', '   '),
      { active: [], ignored: [{ source: 'exemption-tag', why: `tag sagemaker-guard:exempt=${TRIMMED_VALUE} has no sagemaker-guard:exempt-reason tag, so it is ignored` }] },
    ],
  ])('%s', (_title, tagSet, expected) => {
    expect(find(tagSet)).toEqual(expected);
  });

  test('a spaced tag exempts both controls it names, and no other, when the notebook is evaluated', () => {
    const policy = settings();
    const exemptions = find(tags(' 2026-12-31 '));
    const resource = notebook({ RootAccess: 'Enabled', InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: '1' }, DirectInternetAccess: 'Enabled' });
    const { findings } = evaluate('notebook-instance', resource, { settings: policy, tags: {} }, (id) => resolveMode(id, 'notebook-instance', policy, exemptions, 'policy'));
    expect(findings.map(({ controlId, mode, modeSource, modeNote }) => ({ controlId, mode, modeSource, modeNote }))).toEqual([
      { controlId: INTERNET, mode: 'enforce', modeSource: 'policy.mode', modeNote: undefined },
      { controlId: ROOT, mode: 'exempt', modeSource: 'exemption-tag', modeNote: 'vendor AMI (until 2026-12-31)' },
      { controlId: IMDS, mode: 'exempt', modeSource: 'exemption-tag', modeNote: 'vendor AMI (until 2026-12-31)' },
    ]);
  });

  test.each([[''], ['   ']])('an expiry tag of %j leaves both controls enforced', (until) => {
    const policy = settings();
    const exemptions = find(tags(until));
    expect(resolveMode(IMDS, 'notebook-instance', policy, exemptions, 'policy')).toEqual({ mode: 'enforce', source: 'policy.mode' });
    expect(resolveMode(ROOT, 'notebook-instance', policy, exemptions, 'policy')).toEqual({ mode: 'enforce', source: 'policy.mode' });
  });
});
