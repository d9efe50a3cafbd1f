import examplePolicy from '../fixtures/example-policy.json';
import { InvalidSettingsError, parseSettings, settingsFromEnv, SETTINGS_ENV } from '../../lambda/core/settings';
import { DEFAULT_POLICY } from '../fixtures/resources';

describe('policy document', () => {
  test('defaults: enforce everything, optional checks off, no exemptions, tag exemptions bounded to 90 days, no owners', () => {
    const defaults = parseSettings({}, 'test');
    expect(defaults).toEqual({ ...DEFAULT_POLICY, tagExemptions: { maxDays: 90 } });
    // No list: the default rule (no critical or high control) applies, not "all".
    expect(defaults.tagExemptions).not.toHaveProperty('controls');
    expect(parseSettings({ tagExemptions: {} }, 'test').tagExemptions).toEqual({ maxDays: 90 });
    expect(parseSettings({ tagExemptions: { controls: 'none' } }, 'test').tagExemptions).toEqual({ controls: 'none', maxDays: 90 });
  });

  test('the complete example policy (also shown in the README) is valid and round-trips', () => {
    expect(parseSettings(examplePolicy, 'test')).toEqual(examplePolicy);
  });

  test.each([
    [{ exemptions: [{ namePrefix: 'sandbox-', controls: 'all', reason: 'r' }] }, 'exemptions.0.kinds: a name-prefix exemption must name the kinds it applies to, e.g. "kinds": ["training-job"] (any of: training-job, model, notebook-instance, processing-job, transform-job, hyper-parameter-tuning-job, endpoint-config, endpoint) (absent)'],
    [{ exemptions: [{ namePrefix: 'sandbox-', kinds: [], controls: 'all', reason: 'r' }] }, 'exemptions.0.kinds: expected at least one of: training-job, model, notebook-instance, processing-job, transform-job, hyper-parameter-tuning-job, endpoint-config, endpoint (given: [])'],
    [{ exemptions: [{ namePrefix: 'sandbox-', kinds: ['studio-domain'], controls: 'all', reason: 'r' }] }, 'exemptions.0.kinds.0: expected one of: training-job, model, notebook-instance, processing-job, transform-job, hyper-parameter-tuning-job, endpoint-config, endpoint (given: "studio-domain")'],
    [{ exemptions: [{ namePrefix: 'sandbox-', kinds: 'model', controls: 'all', reason: 'r' }] }, 'exemptions.0.kinds: expected a list of resource kinds (given: "model")'],
    [{ tagExemptions: { maxDays: 400 } }, 'tagExemptions.maxDays: expected 1 to 365 days (given: 400)'],
    [{ tagExemptions: { maxDays: 0 } }, 'tagExemptions.maxDays: '],
    [{ tagExemptions: { maxDays: 1.5 } }, 'tagExemptions.maxDays: '],
    [{ tagExemptions: { maxDays: '30' } }, 'tagExemptions.maxDays: expected a number of days (given: "30")'],
    [{ tagExemptions: { controls: 'some' } }, 'tagExemptions.controls: expected "all", "none" or a list of control ids (given: "some")'],
    [{ tagExemptions: { controls: ['notebook-instance.imdsv3'] } }, 'tagExemptions.controls: expected "all", "none" or a list of control ids (given: ["notebook-instance.imdsv3"])'],
    [{ tagExemptions: { controls: [] } }, 'tagExemptions.controls: '],
    [{ tagExemptions: { days: 30 } }, 'tagExemptions: Unrecognized key: "days"'],
    [{ mode: 'enfroce' }, 'mode: Invalid option: expected one of "enforce"|"report"|"off" (given: "enfroce")'],
    [{ kinds: { 'training-jobs': { mode: 'report' } } }, 'Unrecognized key: "training-jobs"'],
    [{ kinds: { model: { mode: 'loud' } } }, 'kinds.model.mode: Invalid option: expected one of "enforce"|"report"|"off" (given: "loud")'],
    [{ kinds: { model: { allowedInstanceTypes: ['m5.xlarge'] } } }, 'kinds.model.allowedInstanceTypes.0: expected a SageMaker instance type such as "ml.m5.xlarge" (given: "m5.xlarge")'],
    [{ controls: { 'model.netwrk-isolation': 'off' } }, 'controls: unknown control id "model.netwrk-isolation"; expected one of: training-job.network-isolation, '],
    [{ controls: { 'model.network-isolation': 'disabled' } }, 'controls.model.network-isolation: Invalid option: expected one of "enforce"|"report"|"off" (given: "disabled")'],
    [{ interContainerEncryption: 'sometimes' }, 'interContainerEncryption: Invalid option: expected one of "distributed"|"always" (given: "sometimes")'],
    [{ maxRuntimeSeconds: '3600' }, 'maxRuntimeSeconds: Invalid input: expected number, received string (given: "3600")'],
    [{ maxRuntimeSeconds: -5 }, 'maxRuntimeSeconds: '],
    [{ allowedSubnets: ['subnet-xyz'] }, 'allowedSubnets.0: expected an id such as "subnet-0abc1234" (given: "subnet-xyz")'],
    [{ allowedSubnets: [] }, 'allowedSubnets: expected at least one id; leave the key out to turn the check off'],
    [{ allowedSecurityGroups: ['sg-12'] }, 'allowedSecurityGroups.0: expected an id such as "sg-0abc1234" (given: "sg-12")'],
    [{ allowedKmsKeys: ['my-key'] }, 'allowedKmsKeys.0: expected a KMS key id, key ARN, alias name or alias ARN (given: "my-key")'],
    [{ requiredTags: { owner: 'any' } }, 'requiredTags.owner: Invalid input: expected array, received string (given: "any")'],
    [{ exemptions: [{ namePrefix: 'sandbox-', kinds: ['training-job'], controls: 'all' }] }, 'exemptions.0.reason: Invalid input: expected string, received undefined (absent)'],
    [{ exemptions: [{ namePrefix: 'sandbox-', kinds: ['training-job'], controls: 'all', reason: '  ' }] }, 'exemptions.0.reason: an exemption needs a reason (given: "  ")'],
    [{ exemptions: [{ namePrefix: 'sandbox-', kinds: ['training-job'], controls: 'some', reason: 'r' }] }, 'exemptions.0.controls: expected "all" or a list of control ids (given: "some")'],
    [{ exemptions: [{ namePrefix: 'x', kinds: ['model'], controls: 'all', reason: 'r', expires: '31/12/2026' }] }, 'exemptions.0.expires: expected a date as YYYY-MM-DD (given: "31/12/2026")'],
    [{ owners: { 'team-a': ['team-a'] } }, 'owners.team-a: each key of owners is the email address that receives those owners\' notices, such as "team-a@example.com"; "team-a" is not an email address'],
    [{ exemptions: [{ namePrefix: 'x', kinds: ['model'], controls: ['all', 'model.network-isolation'], reason: 'r' }] }, 'exemptions.0.controls: expected "all" or a list of control ids'],
    [{ exemptions: [{ namePrefix: 'x', kinds: ['model'], controls: ['none'], reason: 'r' }] }, 'exemptions.0.controls: expected "all" or a list of control ids (given: ["none"])'],
    [{ sweep: { actOnExisting: 'yes' } }, 'sweep.actOnExisting: expected true or false (given: "yes")'],
    [{ sweep: { actOnExisting: true, scope: 'all' } }, 'sweep: Unrecognized key: "scope"'],
    [{ owners: { 'a@example.com': [] } }, 'owners.a@example.com: expected at least one owner tag value (given: [])'],
    [{ modee: 'report' }, 'Unrecognized key: "modee"'],
  ])('%j is refused with %s', (input, message) => {
    expect(() => parseSettings(input, 'cdk.json context')).toThrow(InvalidSettingsError);
    expect(() => parseSettings(input, 'cdk.json context')).toThrow(message);
  });

  test('a prefix exemption without kinds is refused with only that problem, naming the entry', () => {
    const entry = { namePrefix: 'sandbox-', controls: 'all', reason: 'r' };
    let message = '';
    try {
      parseSettings({ exemptions: [{ ...entry, kinds: ['model'] }, entry] }, 'cdk.json context');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n').slice(1)).toEqual([
      '  - exemptions.1.kinds: a name-prefix exemption must name the kinds it applies to, e.g. "kinds": ["training-job"] (any of: training-job, model, notebook-instance, processing-job, transform-job, hyper-parameter-tuning-job, endpoint-config, endpoint) (absent)',
    ]);
  });

  test('"all" alone in a list means "all" (what the message for a bad list seems to ask for)', () => {
    const exemption = { namePrefix: 'x', kinds: ['model'], controls: ['all'], reason: 'r' };
    expect(parseSettings({ exemptions: [exemption] }, 'test').exemptions[0]?.controls).toBe('all');
    expect(parseSettings({ tagExemptions: { controls: ['all'] } }, 'test').tagExemptions.controls).toBe('all');
    expect(parseSettings({ tagExemptions: { controls: ['none'] } }, 'test').tagExemptions.controls).toBe('none');
  });

  test('the existing estate is reported unless sweep.actOnExisting says to act', () => {
    expect(parseSettings({}, 'test').sweep).toEqual({ actOnExisting: false });
    expect(parseSettings({ sweep: {} }, 'test').sweep).toEqual({ actOnExisting: false });
    expect(parseSettings({ sweep: { actOnExisting: true } }, 'test').sweep).toEqual({ actOnExisting: true });
  });

  test('valid tag exemption bounds round-trip', () => {
    expect(parseSettings({ tagExemptions: { controls: 'all', maxDays: 365 } }, 'test').tagExemptions).toEqual({ controls: 'all', maxDays: 365 });
    expect(parseSettings({ tagExemptions: { controls: ['notebook-instance.imdsv2'], maxDays: 1 } }, 'test').tagExemptions).toEqual({ controls: ['notebook-instance.imdsv2'], maxDays: 1 });
    expect(parseSettings({ exemptions: [{ namePrefix: 'x', kinds: ['model', 'notebook-instance'], controls: 'all', reason: 'r' }] }, 'test').exemptions[0]?.kinds).toEqual(['model', 'notebook-instance']);
  });

  // The schema-wide `error` of z.number() used to replace the messages of .int() and .min(1) too.
  test.each([
    [{ tagExemptions: { maxDays: 0 } }, /tagExemptions\.maxDays: (?!expected a number of days).*\(given: 0\)/],
    [{ tagExemptions: { maxDays: 1.5 } }, /tagExemptions\.maxDays: (?!expected a number of days).*\(given: 1\.5\)/],
  ])('%j is refused with a message that says what is allowed', (input, message) => {
    expect(() => parseSettings(input, 'cdk.json context')).toThrow(message);
  });

  test('every problem is listed, and the source is named', () => {
    expect(() => parseSettings({ mode: 'x', maxRuntimeSeconds: 'y' }, 'cdk.json context')).toThrow(
      /^Invalid sagemaker-guard settings in cdk.json context:\n {2}- mode: .*\n {2}- maxRuntimeSeconds: /,
    );
  });

  test('from the environment: absent means defaults, JSON is validated, garbage is named', () => {
    expect(settingsFromEnv({}).mode).toBe('enforce');
    expect(settingsFromEnv({ [SETTINGS_ENV]: '{"mode":"report"}' }).mode).toBe('report');
    expect(() => settingsFromEnv({ [SETTINGS_ENV]: '{mode:report}' })).toThrow(`Environment variable ${SETTINGS_ENV} is not JSON`);
    expect(() => settingsFromEnv({ [SETTINGS_ENV]: '{"mode":"loud"}' })).toThrow(`environment variable ${SETTINGS_ENV}`);
  });
});
