import { InvalidSettingsError, parseSettings, settingsFromEnv, SETTINGS_ENV } from '../../lambda/core/settings';

describe('settings', () => {
  test('defaults: enforce, encryption for distributed jobs, optional controls off', () => {
    expect(parseSettings({}, 'test')).toEqual({
      mode: 'enforce',
      interContainerEncryption: 'distributed',
      allowNotebookOpenEgress: false,
      ownerTagKey: 'owner',
      disabledControls: [],
    });
  });

  test('a full valid document round-trips', () => {
    const input = {
      mode: 'report',
      interContainerEncryption: 'always',
      maxRuntimeSeconds: 86400,
      allowedTrainingInstanceTypes: ['ml.m5.xlarge'],
      allowNotebookOpenEgress: true,
      ownerTagKey: 'team',
      disabledControls: ['notebook-instance.imdsv2'],
    };
    expect(parseSettings(input, 'test')).toEqual(input);
  });

  test.each([
    [{ mode: 'enfroce' }, 'mode: Invalid option: expected one of "enforce"|"report" (given: "enfroce")'],
    [{ interContainerEncryption: 'sometimes' }, 'interContainerEncryption: Invalid option: expected one of "distributed"|"always" (given: "sometimes")'],
    [{ maxRuntimeSeconds: -5 }, 'maxRuntimeSeconds: '],
    [{ maxRuntimeSeconds: '3600' }, 'maxRuntimeSeconds: Invalid input: expected number, received string (given: "3600")'],
    [{ allowedTrainingInstanceTypes: ['m5.xlarge'] }, 'allowedTrainingInstanceTypes.0: expected a SageMaker instance type such as "ml.m5.xlarge" (given: "m5.xlarge")'],
    [{ allowedTrainingInstanceTypes: [] }, 'allowedTrainingInstanceTypes: expected at least one instance type'],
    [{ disabledControls: ['model.netwrk-isolation'] }, 'disabledControls.0: Invalid option: expected one of'],
    [{ modee: 'report' }, 'Unrecognized key: "modee"'],
  ])('%j is refused with %s', (input, message) => {
    expect(() => parseSettings(input, 'cdk.json context')).toThrow(InvalidSettingsError);
    expect(() => parseSettings(input, 'cdk.json context')).toThrow(message);
  });

  test('the error says where the settings came from', () => {
    expect(() => parseSettings({ mode: 'x' }, 'cdk.json context')).toThrow('Invalid sagemaker-guard settings in cdk.json context');
  });

  test('from the environment: absent means defaults, JSON is validated, garbage is named', () => {
    expect(settingsFromEnv({}).mode).toBe('enforce');
    expect(settingsFromEnv({ [SETTINGS_ENV]: '{"mode":"report"}' }).mode).toBe('report');
    expect(() => settingsFromEnv({ [SETTINGS_ENV]: '{mode:report}' })).toThrow(`Environment variable ${SETTINGS_ENV} is not JSON`);
    expect(() => settingsFromEnv({ [SETTINGS_ENV]: '{"mode":"loud"}' })).toThrow(`environment variable ${SETTINGS_ENV}`);
  });
});
