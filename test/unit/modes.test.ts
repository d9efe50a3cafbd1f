import { CATALOG, RESOURCE_KINDS } from '../../lambda/kinds/registry';
import type { ResourceKind } from '../../lambda/kinds/registry';
import {
  EXEMPT_TAG,
  enforcesAnything,
  exemptionsFor,
  hasTagExemption,
  parentCovers,
  policyMode,
  resolveMode,
  tagExemptibleControls,
  type ExemptibleControl,
  type Exemptions,
  type ModeDecision,
  type SwitchValue,
} from '../../lambda/core/modes';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { settings } from '../fixtures/resources';

const NOW = new Date('2026-11-22T12:00:00Z');
const DAY_MS = 24 * 3600 * 1000;
const daysBefore = (days: number): Date => new Date(NOW.getTime() - days * DAY_MS);
const NONE: Exemptions = { active: [], ignored: [] };
const ISOLATION = 'training-job.network-isolation';
const VPC = 'training-job.vpc';
const MAX_RUNTIME = 'training-job.max-runtime';
const VOLUME_KEY = 'training-job.volume-kms-key';
const INTERNET = 'notebook-instance.direct-internet-access';
const IMDS = 'notebook-instance.imdsv2';
const ROOT = 'notebook-instance.root-access';

/** The kind's controls, as the handlers pass them: id and severity from the catalog. */
const controlsOf = (kind: ResourceKind): ExemptibleControl[] => CATALOG[kind].map((control) => ({ id: control.id, severity: control.severity }));
const lowAndMediumTrainingControls = controlsOf('training-job')
  .filter((control) => control.severity !== 'critical' && control.severity !== 'high')
  .map((control) => control.id);

const exempt = (value: string, reason?: string, until?: string): Record<string, string> => ({
  [EXEMPT_TAG.controls]: value,
  ...(reason !== undefined ? { [EXEMPT_TAG.reason]: reason } : {}),
  ...(until !== undefined ? { [EXEMPT_TAG.until]: until } : {}),
});

const ignoredTag = (why: string): Exemptions => ({ active: [], ignored: [{ source: 'exemption-tag', why }] });
const DEFAULT_REFUSAL = 'no critical or high control can be exempted by tag';
const LIST_REFUSAL = "the policy's tagExemptions.controls does not list them";
const refused = (ids: string, rule: string): string => `tag sagemaker-guard:exempt asks to exempt ${ids}, which is refused: ${rule}; they are enforced as the policy says`;

describe('effective mode: switch over policy over defaults; exemptions over both', () => {
  test.each<[string, GuardSettingsInput, SwitchValue, Exemptions, ModeDecision]>([
    ['control off', { controls: { [ISOLATION]: 'off' } }, 'policy', NONE, { mode: 'off', source: 'policy.controls' }],
    ['switch never turns a control back on', { controls: { [ISOLATION]: 'off' } }, 'report', NONE, { mode: 'off', source: 'policy.controls' }],
    [
      'an exemption does not turn on a control that is off',
      { controls: { [ISOLATION]: 'off' } },
      'policy',
      { active: [{ source: 'exemption-tag', controls: 'all', reason: 'r', scope: 'all' }], ignored: [] },
      { mode: 'off', source: 'policy.controls' },
    ],
    [
      'an ignored exemption changes nothing',
      {},
      'policy',
      { active: [], ignored: [{ source: 'exemption-tag', why: 'expired' }] },
      { mode: 'enforce', source: 'policy.mode' },
    ],
    ['global default', {}, 'policy', NONE, { mode: 'enforce', source: 'policy.mode' }],
    ['global report', { mode: 'report' }, 'policy', NONE, { mode: 'report', source: 'policy.mode' }],
    ['kind default over global', { mode: 'report', kinds: { 'training-job': { mode: 'enforce' } } }, 'policy', NONE, { mode: 'enforce', source: 'policy.kinds' }],
    ["another kind's default does not apply", { mode: 'report', kinds: { model: { mode: 'enforce' } } }, 'policy', NONE, { mode: 'report', source: 'policy.mode' }],
    ['control over kind', { kinds: { 'training-job': { mode: 'report' } }, controls: { [ISOLATION]: 'enforce' } }, 'policy', NONE, { mode: 'enforce', source: 'policy.controls' }],
    ['switch turns enforce into report', { controls: { [ISOLATION]: 'enforce' } }, 'report', NONE, { mode: 'report', source: 'switch', note: 'policy says enforce (policy.controls)' }],
    ['switch over the global default names it', {}, 'report', NONE, { mode: 'report', source: 'switch', note: 'policy says enforce (policy.mode)' }],
    ['switch leaves report as it is', { mode: 'report' }, 'report', NONE, { mode: 'report', source: 'policy.mode' }],
    [
      'exemption for all controls',
      {},
      'report',
      { active: [{ source: 'exemption-tag', controls: 'all', reason: 'vendor image', expires: '2026-12-31', scope: 'all' }], ignored: [] },
      { mode: 'exempt', source: 'exemption-tag', note: 'vendor image (until 2026-12-31)' },
    ],
    [
      'exemption for this control',
      {},
      'policy',
      { active: [{ source: 'exemption-prefix', controls: [ISOLATION], reason: 'sandbox', scope: 'sandbox-' }], ignored: [] },
      { mode: 'exempt', source: 'exemption-prefix', note: 'sandbox' },
    ],
    [
      'exemption for another control',
      {},
      'policy',
      { active: [{ source: 'exemption-prefix', controls: [VPC], reason: 'sandbox', scope: 'sandbox-' }], ignored: [] },
      { mode: 'enforce', source: 'policy.mode' },
    ],
    [
      'the first exemption that covers the control wins',
      {},
      'policy',
      {
        active: [
          { source: 'exemption-tag', controls: [VPC], reason: 'tag', expires: '2026-12-01', scope: VPC },
          { source: 'exemption-prefix', controls: [ISOLATION], reason: 'prefix', scope: 'sandbox-' },
          { source: 'exemption-tag', controls: 'all', reason: 'later', scope: 'all' },
        ],
        ignored: [],
      },
      { mode: 'exempt', source: 'exemption-prefix', note: 'prefix' },
    ],
  ])('%s', (_title, policy, switchValue, exemptions, expected) => {
    expect(resolveMode(ISOLATION, 'training-job', settings(policy), exemptions, switchValue)).toEqual(expected);
  });

  test.each<[GuardSettingsInput, ReturnType<typeof policyMode>]>([
    [{ controls: { [ISOLATION]: 'report' }, kinds: { 'training-job': { mode: 'off' } }, mode: 'enforce' }, { mode: 'report', source: 'policy.controls' }],
    [{ kinds: { 'training-job': { mode: 'off' } }, mode: 'report' }, { mode: 'off', source: 'policy.kinds' }],
    [{ kinds: { 'training-job': { allowedInstanceTypes: ['ml.m5.xlarge'] } }, mode: 'report' }, { mode: 'report', source: 'policy.mode' }],
  ])('policyMode of %j', (policy, expected) => {
    expect(policyMode(ISOLATION, 'training-job', settings(policy))).toEqual(expected);
  });
});

describe('what a tag may exempt: tagExemptions.controls', () => {
  test.each<[string, GuardSettingsInput, ResourceKind, string[]]>([
    ['"none": nothing', { tagExemptions: { controls: 'none' } }, 'notebook-instance', []],
    ['default: no critical or high control', {}, 'training-job', lowAndMediumTrainingControls],
    ['default on notebooks: not direct internet access (critical), not the network controls (high)', {}, 'notebook-instance', [ROOT, 'notebook-instance.kms-key', IMDS, 'notebook-instance.allowed-network', 'notebook-instance.instance-type', 'notebook-instance.required-tags']],
    ['default on models: both are high', {}, 'model', controlsOf('model').filter((control) => control.severity !== 'high').map((control) => control.id)],
    ['a list: only those of the kind that it names (high ones too)', { tagExemptions: { controls: [VPC, IMDS] } }, 'training-job', [VPC]],
    ['"all": every control, critical ones too', { tagExemptions: { controls: 'all' } }, 'notebook-instance', controlsOf('notebook-instance').map((control) => control.id)],
  ])('%s', (_title, policy, kind, expected) => {
    expect(tagExemptibleControls(controlsOf(kind), settings(policy))).toEqual(expected);
  });

  test('the default set really excludes something on every kind but leaves low and medium ones', () => {
    expect(lowAndMediumTrainingControls).toContain(MAX_RUNTIME);
    expect(lowAndMediumTrainingControls).not.toContain(ISOLATION);
    expect(lowAndMediumTrainingControls).not.toContain(VPC);
  });
});

describe('tag exemptions', () => {
  test.each<[string, ResourceKind, Record<string, string>, GuardSettingsInput, Date | undefined, Exemptions]>([
    // Refused, and why.
    ['no reason', 'training-job', exempt('all'), {}, undefined, ignoredTag('tag sagemaker-guard:exempt=all has no sagemaker-guard:exempt-reason tag, so it is ignored')],
    ['blank reason', 'training-job', exempt('all', '  ', '2026-12-31'), {}, undefined, ignoredTag('tag sagemaker-guard:exempt=all has no sagemaker-guard:exempt-reason tag, so it is ignored')],
    [
      'no expiry: a tag exemption needs one',
      'training-job',
      exempt(MAX_RUNTIME, 'vendor image'),
      {},
      undefined,
      ignoredTag(`tag sagemaker-guard:exempt=${MAX_RUNTIME} has no sagemaker-guard:exempt-until tag (YYYY-MM-DD): a tag exemption needs an expiry, so it is ignored`),
    ],
    [
      'blank expiry',
      'training-job',
      exempt('all', 'r', ' '),
      { tagExemptions: { controls: 'all' } },
      undefined,
      ignoredTag('tag sagemaker-guard:exempt=all has no sagemaker-guard:exempt-until tag (YYYY-MM-DD): a tag exemption needs an expiry, so it is ignored'),
    ],
    ['no expiry even when the policy allows every control', 'training-job', exempt('all', 'r'), { tagExemptions: { controls: 'all' } }, undefined, ignoredTag('tag sagemaker-guard:exempt=all has no sagemaker-guard:exempt-until tag (YYYY-MM-DD): a tag exemption needs an expiry, so it is ignored')],
    ['expired', 'training-job', exempt('all', 'r', '2026-11-21'), {}, undefined, ignoredTag('tag exemption expired on 2026-11-21, so it is ignored')],
    ['not a date', 'training-job', exempt('all', 'r', 'next-week'), {}, undefined, ignoredTag('tag sagemaker-guard:exempt-until=next-week is not a date (YYYY-MM-DD), so the exemption is ignored')],
    ['impossible date', 'training-job', exempt('all', 'r', '2026-02-30'), {}, undefined, ignoredTag('tag sagemaker-guard:exempt-until=2026-02-30 is not a date (YYYY-MM-DD), so the exemption is ignored')],
    [
      'unknown control id',
      'training-job',
      exempt('training-job.isolation', 'r', '2026-12-31'),
      {},
      undefined,
      ignoredTag('tag sagemaker-guard:exempt names unknown control(s) training-job.isolation (use ids from the controls table, separated by spaces), so it is ignored'),
    ],
    [
      "another kind's control is unknown here",
      'training-job',
      exempt(IMDS, 'r', '2026-12-31'),
      { tagExemptions: { controls: 'all' } },
      undefined,
      ignoredTag(`tag sagemaker-guard:exempt names unknown control(s) ${IMDS} (use ids from the controls table, separated by spaces), so it is ignored`),
    ],
    [
      'self-exemption from a critical control is refused, saying why',
      'notebook-instance',
      exempt(INTERNET, 'we need pip', '2026-12-31'),
      {},
      undefined,
      ignoredTag(refused(INTERNET, DEFAULT_REFUSAL)),
    ],
    ['self-exemption from a high control is refused', 'training-job', exempt(ISOLATION, 'r', '2026-12-31'), {}, undefined, ignoredTag(refused(ISOLATION, DEFAULT_REFUSAL))],
    [
      'tag exemptions turned off: even a low control is refused',
      'training-job',
      exempt(MAX_RUNTIME, 'r', '2026-12-31'),
      { tagExemptions: { controls: 'none' } },
      undefined,
      ignoredTag(refused(MAX_RUNTIME, LIST_REFUSAL)),
    ],
    [
      'tag exemptions turned off: "all" is refused control by control',
      'model',
      exempt('all', 'r', '2026-12-31'),
      { tagExemptions: { controls: 'none' } },
      undefined,
      ignoredTag(refused(controlsOf('model').map((control) => control.id).join(', '), LIST_REFUSAL)),
    ],
    [
      'maxDays ran out since the guard first saw the tag (default 90 days)',
      'training-job',
      exempt(MAX_RUNTIME, 'r', '2027-06-30'),
      {},
      daysBefore(91),
      ignoredTag("tag exemption first seen on 2026-08-23 ran out after the policy's tagExemptions.maxDays (90 days), so it is ignored"),
    ],
    [
      'removing and re-adding the tag does not restart the clock: the first sighting caps it',
      'training-job',
      exempt(MAX_RUNTIME, 'renewed, again', '2026-12-31'),
      { tagExemptions: { maxDays: 10 } },
      new Date('2026-11-01T08:00:00Z'),
      ignoredTag("tag exemption first seen on 2026-11-01 ran out after the policy's tagExemptions.maxDays (10 days), so it is ignored"),
    ],
    // Honoured, within bounds.
    [
      'listed controls, until a future date',
      'training-job',
      exempt(`${MAX_RUNTIME} ${VOLUME_KEY}`, 'migration INC-42', '2026-12-31'),
      {},
      undefined,
      { active: [{ source: 'exemption-tag', controls: [MAX_RUNTIME, VOLUME_KEY], reason: 'migration INC-42', expires: '2026-12-31', scope: `${MAX_RUNTIME} ${VOLUME_KEY}` }], ignored: [] },
    ],
    [
      'listed high controls, where the policy lets tags exempt any',
      'training-job',
      exempt(`${ISOLATION} ${VPC}`, 'migration INC-42', '2026-12-31'),
      { tagExemptions: { controls: 'all' } },
      undefined,
      { active: [{ source: 'exemption-tag', controls: [ISOLATION, VPC], reason: 'migration INC-42', expires: '2026-12-31', scope: `${ISOLATION} ${VPC}` }], ignored: [] },
    ],
    [
      'a critical control, where the policy lets tags exempt any',
      'notebook-instance',
      exempt(INTERNET, 'vendor appliance', '2026-12-31'),
      { tagExemptions: { controls: 'all' } },
      undefined,
      { active: [{ source: 'exemption-tag', controls: [INTERNET], reason: 'vendor appliance', expires: '2026-12-31', scope: INTERNET }], ignored: [] },
    ],
    [
      'a policy list: the listed control holds, the other is refused',
      'notebook-instance',
      exempt(`${IMDS} ${ROOT}`, 'vendor AMI', '2026-12-31'),
      { tagExemptions: { controls: [IMDS] } },
      undefined,
      { active: [{ source: 'exemption-tag', controls: [IMDS], reason: 'vendor AMI', expires: '2026-12-31', scope: `${IMDS} ${ROOT}` }], ignored: [{ source: 'exemption-tag', why: refused(ROOT, LIST_REFUSAL) }] },
    ],
    [
      'a mix under the default: the medium control holds, the high one is refused',
      'training-job',
      exempt(`${VPC}   ${MAX_RUNTIME}`, 'r', '2026-12-31'),
      {},
      undefined,
      { active: [{ source: 'exemption-tag', controls: [MAX_RUNTIME], reason: 'r', expires: '2026-12-31', scope: `${VPC}   ${MAX_RUNTIME}` }], ignored: [{ source: 'exemption-tag', why: refused(VPC, DEFAULT_REFUSAL) }] },
    ],
    [
      '"all" under the default: every low and medium control, and the refusal of the rest',
      'training-job',
      exempt('all', 'vendor image', '2026-12-31'),
      {},
      undefined,
      { active: [{ source: 'exemption-tag', controls: lowAndMediumTrainingControls, reason: 'vendor image', expires: '2026-12-31', scope: 'all' }], ignored: [{ source: 'exemption-tag', why: refused(`${ISOLATION}, ${VPC}`, DEFAULT_REFUSAL) }] },
    ],
    [
      'ALL in capitals',
      'training-job',
      exempt('ALL', 'r', '2026-12-31'),
      { tagExemptions: { controls: 'all' } },
      undefined,
      { active: [{ source: 'exemption-tag', controls: controlsOf('training-job').map((control) => control.id), reason: 'r', expires: '2026-12-31', scope: 'ALL' }], ignored: [] },
    ],
    ['expiring today still holds', 'training-job', exempt(MAX_RUNTIME, 'r', '2026-11-22'), {}, undefined, { active: [{ source: 'exemption-tag', controls: [MAX_RUNTIME], reason: 'r', expires: '2026-11-22', scope: MAX_RUNTIME }], ignored: [] }],
    [
      'values are trimmed',
      'training-job',
      exempt(` ${MAX_RUNTIME} `, ' r ', ' 2026-12-31 '),
      {},
      undefined,
      { active: [{ source: 'exemption-tag', controls: [MAX_RUNTIME], reason: 'r', expires: '2026-12-31', scope: MAX_RUNTIME }], ignored: [] },
    ],
    [
      'an expiry beyond maxDays is capped at maxDays after the first sighting',
      'training-job',
      exempt(MAX_RUNTIME, 'r', '2030-01-01'),
      {},
      new Date('2026-11-01T10:00:00Z'),
      { active: [{ source: 'exemption-tag', controls: [MAX_RUNTIME], reason: 'r', expires: '2027-01-30', scope: MAX_RUNTIME }], ignored: [] },
    ],
    [
      'seen for the first time now: capped at now plus maxDays',
      'training-job',
      exempt(MAX_RUNTIME, 'r', '2030-01-01'),
      { tagExemptions: { maxDays: 30 } },
      undefined,
      { active: [{ source: 'exemption-tag', controls: [MAX_RUNTIME], reason: 'r', expires: '2026-12-22', scope: MAX_RUNTIME }], ignored: [] },
    ],
    [
      'an expiry within maxDays stays as written',
      'training-job',
      exempt(MAX_RUNTIME, 'r', '2026-11-30'),
      {},
      daysBefore(80),
      { active: [{ source: 'exemption-tag', controls: [MAX_RUNTIME], reason: 'r', expires: '2026-11-30', scope: MAX_RUNTIME }], ignored: [] },
    ],
    [
      'exactly maxDays after the first sighting it still holds, ending today',
      'training-job',
      exempt(MAX_RUNTIME, 'r', '2026-12-31'),
      { tagExemptions: { maxDays: 10 } },
      daysBefore(10),
      { active: [{ source: 'exemption-tag', controls: [MAX_RUNTIME], reason: 'r', expires: '2026-11-22', scope: MAX_RUNTIME }], ignored: [] },
    ],
  ])('%s', (_title, kind, tags, policy, firstSeen, expected) => {
    expect(exemptionsFor(kind, 'churn-train-1', tags, settings(policy), controlsOf(kind), NOW, firstSeen)).toEqual(expected);
  });

  test('no exemption tag: nothing active, nothing ignored, whatever else is tagged', () => {
    expect(exemptionsFor('training-job', 'churn-train-1', {}, settings(), controlsOf('training-job'), NOW)).toEqual(NONE);
    expect(exemptionsFor('training-job', 'churn-train-1', { [EXEMPT_TAG.controls]: '  ', [EXEMPT_TAG.reason]: 'r', [EXEMPT_TAG.until]: '2026-12-31' }, settings(), controlsOf('training-job'), NOW)).toEqual(NONE);
    expect(exemptionsFor('training-job', 'churn-train-1', { [EXEMPT_TAG.reason]: 'r', [EXEMPT_TAG.until]: '2026-12-31' }, settings(), controlsOf('training-job'), NOW)).toEqual(NONE);
  });

  test('one day past the cap it is ignored, one day before it holds: the clock runs from the first sighting only', () => {
    const policy = settings({ tagExemptions: { maxDays: 10 } });
    const tags = exempt(MAX_RUNTIME, 'r', '2026-12-31');
    const at = (now: Date) => exemptionsFor('training-job', 'job', tags, policy, controlsOf('training-job'), now, new Date('2026-11-01T12:00:00Z'));
    expect(at(new Date('2026-11-10T12:00:00Z')).active.map((found) => found.expires)).toEqual(['2026-11-11']);
    // The cap holds to the end of its day (UTC), as the date it is told with says.
    expect(at(new Date('2026-11-11T23:59:59.999Z')).active.map((found) => found.expires)).toEqual(['2026-11-11']);
    expect(at(new Date('2026-11-12T00:00:00.001Z')).active).toEqual([]);
    expect(at(new Date('2026-11-12T00:00:00.001Z')).ignored).toHaveLength(1);
  });

  test.each([
    [{}, false],
    [{ [EXEMPT_TAG.controls]: '' }, false],
    [{ [EXEMPT_TAG.controls]: '   ' }, false],
    [{ [EXEMPT_TAG.reason]: 'r' }, false],
    [{ [EXEMPT_TAG.controls]: 'all' }, true],
    [{ [EXEMPT_TAG.controls]: ' training-job.vpc ' }, true],
  ])('hasTagExemption(%j) is %s', (tags, expected) => {
    expect(hasTagExemption(tags)).toBe(expected);
  });
});

describe('policy prefix exemptions', () => {
  const policy = settings({
    exemptions: [
      { namePrefix: 'sandbox-', kinds: ['training-job'], controls: 'all', reason: 'sandbox account budget' },
      { namePrefix: 'sandbox-old-', kinds: ['training-job'], controls: [ISOLATION], reason: 'legacy', expires: '2026-01-01' },
      { namePrefix: 'prod-', kinds: ['training-job', 'model', 'notebook-instance'], controls: 'all', reason: 'never matches here' },
      { namePrefix: 'vendor-', kinds: ['notebook-instance'], controls: [IMDS], reason: 'vendor AMI', expires: '2026-12-31' },
    ],
  });

  test('a prefix exemption does not apply to a kind it does not name, even with a matching name', () => {
    expect(exemptionsFor('model', 'sandbox-model', {}, policy, controlsOf('model'), NOW)).toEqual(NONE);
    expect(exemptionsFor('notebook-instance', 'sandbox-notebook', {}, policy, controlsOf('notebook-instance'), NOW)).toEqual(NONE);
    expect(exemptionsFor('training-job', 'vendor-job', {}, policy, controlsOf('training-job'), NOW)).toEqual(NONE);
  });

  test('a name that does not start with the prefix is not exempt (the prefix is matched as written)', () => {
    expect(exemptionsFor('training-job', 'team-job', {}, policy, controlsOf('training-job'), NOW)).toEqual(NONE);
    expect(exemptionsFor('training-job', 'my-sandbox-job', {}, policy, controlsOf('training-job'), NOW)).toEqual(NONE);
  });

  test('matching and expired: the expired one is ignored with the reason, the other holds with its scope', () => {
    expect(exemptionsFor('training-job', 'sandbox-old-job', {}, policy, controlsOf('training-job'), NOW)).toEqual({
      active: [{ source: 'exemption-prefix', controls: 'all', reason: 'sandbox account budget', scope: 'sandbox-' }],
      ignored: [{ source: 'exemption-prefix', why: 'policy exemption for names starting "sandbox-old-" expired on 2026-01-01, so it is ignored' }],
    });
  });

  test('the kind it names: it applies, with its expiry', () => {
    expect(exemptionsFor('notebook-instance', 'vendor-nb', {}, policy, controlsOf('notebook-instance'), NOW)).toEqual({
      active: [{ source: 'exemption-prefix', controls: [IMDS], reason: 'vendor AMI', scope: 'vendor-', expires: '2026-12-31' }],
      ignored: [],
    });
  });

  test('a prefix exemption is the security team\'s: it may exempt high controls and needs no expiry', () => {
    const found = exemptionsFor('training-job', 'sandbox-1', {}, settings({ exemptions: [{ namePrefix: 'sandbox-', kinds: ['training-job'], controls: [ISOLATION], reason: 'sandbox' }] }), controlsOf('training-job'), NOW);
    expect(found).toEqual({ active: [{ source: 'exemption-prefix', controls: [ISOLATION], reason: 'sandbox', scope: 'sandbox-' }], ignored: [] });
  });

  test('a tag exemption and a prefix exemption can both apply, tag first', () => {
    const both = settings({ exemptions: [{ namePrefix: 'sandbox-', kinds: ['training-job'], controls: [ISOLATION], reason: 'sandbox' }] });
    const found = exemptionsFor('training-job', 'sandbox-1', exempt(MAX_RUNTIME, 'r', '2026-12-31'), both, controlsOf('training-job'), NOW);
    expect(found.active.map((exemption) => [exemption.source, exemption.scope])).toEqual([
      ['exemption-tag', MAX_RUNTIME],
      ['exemption-prefix', 'sandbox-'],
    ]);
    expect(found.ignored).toEqual([]);
  });
});

describe('parentCovers: a child job is left to its parent only when the parent judges it at least as strictly', () => {
  const CHILD = 'training-job';
  const PARENT = 'hyper-parameter-tuning-job';
  test.each<[string, string, GuardSettingsInput, boolean]>([
    ['the defaults (enforce everywhere): covered', PARENT, {}, true],
    ['everything in report: covered (same mode)', PARENT, { mode: 'report' }, true],
    ['the child kind off: covered (nothing of the child to judge)', PARENT, { kinds: { [CHILD]: { mode: 'off' }, [PARENT]: { mode: 'off' } } }, true],
    ['the child in report, the parent enforced: covered', PARENT, { kinds: { [CHILD]: { mode: 'report' } } }, true],
    ['the parent kind in report, the child enforced: not covered', PARENT, { kinds: { [PARENT]: { mode: 'report' } } }, false],
    ['the parent kind off: not covered', PARENT, { kinds: { [PARENT]: { mode: 'off' } } }, false],
    ['one parent control milder than its child twin: not covered', PARENT, { controls: { [`${PARENT}.vpc`]: 'report' } }, false],
    ['one parent control off where the child twin is off too: covered', PARENT, { controls: { [`${PARENT}.vpc`]: 'off', [VPC]: 'off' } }, true],
    ['a parent control off while its child twin reports: not covered', PARENT, { controls: { [`${PARENT}.vpc`]: 'off', [VPC]: 'report' } }, false],
    ['a kind without the child controls (a model has no inter-container encryption): not covered', 'model', {}, false],
    ['a parent that is not a kind of the registry: not covered', 'pipeline', {}, false],
  ])('%s', (_title, parent, policy, expected) => {
    expect(parentCovers(CHILD, parent, settings(policy))).toBe(expected);
  });

  test('every child control has a parent twin: the control ids differ only in the kind', () => {
    const parentIds = CATALOG[PARENT].map((control) => control.id);
    for (const control of CATALOG[CHILD]) expect(parentIds).toContain(control.id.replace(`${CHILD}.`, `${PARENT}.`));
  });
});

describe('enforcesAnything: some control of some kind resolves to enforce', () => {
  const everyKind = (mode: 'report' | 'off'): GuardSettingsInput['kinds'] => Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, { mode }]));
  test.each<[string, GuardSettingsInput, boolean]>([
    ['the defaults', {}, true],
    ['global report', { mode: 'report' }, false],
    ['global off', { mode: 'off' }, false],
    ['global report, one kind enforced', { mode: 'report', kinds: { model: { mode: 'enforce' } } }, true],
    ['global report, one control enforced', { mode: 'report', controls: { [ROOT]: 'enforce' } }, true],
    ['global enforce, every kind in report', { mode: 'enforce', kinds: everyKind('report') }, false],
    ['global enforce, every kind off', { mode: 'enforce', kinds: everyKind('off') }, false],
    ['global enforce, every kind in report but one control enforced', { mode: 'enforce', kinds: everyKind('report'), controls: { [IMDS]: 'enforce' } }, true],
    ['global enforce, only endpoints left to their default (report): nothing enforced', { mode: 'enforce', kinds: Object.fromEntries(RESOURCE_KINDS.filter((kind) => kind !== 'endpoint').map((kind) => [kind, { mode: 'off' }])) }, false],
  ])('%s: %s', (_title, policy, expected) => {
    expect(enforcesAnything(settings(policy))).toBe(expected);
  });
});

describe('exemption edges pinned by mutation testing', () => {
  test('two unknown ids are both named, separated by a comma', () => {
    const found = exemptionsFor('training-job', 'job', exempt('training-job.a training-job.b', 'r', '2026-12-31'), settings({}), controlsOf('training-job'), NOW);
    expect(found.ignored[0]?.why).toBe('tag sagemaker-guard:exempt names unknown control(s) training-job.a, training-job.b (use ids from the controls table, separated by spaces), so it is ignored');
  });

  test('an exempt-until date holds to its last millisecond (UTC) and not one after', () => {
    const lastMoment = new Date('2026-11-22T23:59:59.999Z');
    const tags = exempt(MAX_RUNTIME, 'r', '2026-11-22');
    expect(exemptionsFor('training-job', 'job', tags, settings({}), controlsOf('training-job'), lastMoment, NOW).active).toHaveLength(1);
    expect(exemptionsFor('training-job', 'job', tags, settings({}), controlsOf('training-job'), new Date(lastMoment.getTime() + 1), NOW).ignored).toEqual([
      { source: 'exemption-tag', why: 'tag exemption expired on 2026-11-22, so it is ignored' },
    ]);
  });

  test('the maxDays cap holds to the end of its day too', () => {
    const firstSeen = new Date('2026-11-01T10:00:00Z');
    const tags = exempt(MAX_RUNTIME, 'r', '2030-01-01');
    const policy = settings({ tagExemptions: { maxDays: 10 } });
    expect(exemptionsFor('training-job', 'job', tags, policy, controlsOf('training-job'), new Date('2026-11-11T23:59:59.999Z'), firstSeen).active[0]?.expires).toBe('2026-11-11');
    expect(exemptionsFor('training-job', 'job', tags, policy, controlsOf('training-job'), new Date('2026-11-12T00:00:00.000Z'), firstSeen).active).toEqual([]);
  });

  test('a child kind that is off is covered even by a parent without its controls', () => {
    expect(parentCovers('training-job', 'model', settings({ kinds: { 'training-job': { mode: 'off' } } }))).toBe(true);
  });
});
