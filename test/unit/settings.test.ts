import examplePolicy from '../fixtures/example-policy.json';
import { InvalidSettingsError, parseSettings, settingsFromEnv, SETTINGS_ENV } from '../../lambda/core/settings';
import { DEFAULT_POLICY } from '../fixtures/resources';

describe('policy document', () => {
  test('defaults: enforce everything, optional checks off, no exemptions, no owners', () => {
    expect(parseSettings({}, 'test')).toEqual(DEFAULT_POLICY);
  });

  test('the complete example policy (also shown in the README) is valid and round-trips', () => {
    expect(parseSettings(examplePolicy, 'test')).toEqual(examplePolicy);
  });

  test.each([
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
    [{ exemptions: [{ namePrefix: 'sandbox-', controls: 'all' }] }, 'exemptions.0.reason: Invalid input: expected string, received undefined (absent)'],
    [{ exemptions: [{ namePrefix: 'sandbox-', controls: 'all', reason: '  ' }] }, 'exemptions.0.reason: an exemption needs a reason (given: "  ")'],
    [{ exemptions: [{ namePrefix: 'sandbox-', controls: 'some', reason: 'r' }] }, 'exemptions.0.controls: expected "all" or a list of control ids (given: "some")'],
    [{ exemptions: [{ namePrefix: 'x', controls: 'all', reason: 'r', expires: '31/12/2026' }] }, 'exemptions.0.expires: expected a date as YYYY-MM-DD (given: "31/12/2026")'],
    [{ owners: { 'team-a': ['team-a'] } }, 'owners.team-a: '],
    [{ owners: { 'a@example.com': [] } }, 'owners.a@example.com: expected at least one owner tag value (given: [])'],
    [{ modee: 'report' }, 'Unrecognized key: "modee"'],
  ])('%j is refused with %s', (input, message) => {
    expect(() => parseSettings(input, 'cdk.json context')).toThrow(InvalidSettingsError);
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
