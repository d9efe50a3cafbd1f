import { runControlCases, type ControlCase } from '../support/control-cases';
import { CATALOG, evaluate, type ResourceByKind } from '../../lambda/kinds/registry';
import { policyMode } from '../../lambda/core/modes';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { CONFIG_NAME, endpointConfig, endpointResource, MODEL_NAME } from '../fixtures/endpoints';
import { enforceAll, model, settings } from '../fixtures/resources';

type Endpoint = ResourceByKind['endpoint'];

type Case = ControlCase<Endpoint>;
function run(cases: readonly Case[]): void {
  runControlCases('endpoint', cases);
}

const IDS = [
  'endpoint.kms-key',
  'endpoint.data-capture-kms-key',
  'endpoint.async-output-kms-key',
  'endpoint.instance-type',
  'endpoint.model-network-isolation',
  'endpoint.model-vpc',
  'endpoint.model-allowed-network',
  'endpoint.required-tags',
];

describe('endpoint controls: the endpoint config controls over the config the endpoint runs', () => {
  test('ids and severities follow the endpoint config controls; none is preventable at CreateEndpoint (no condition key of its config\'s)', () => {
    expect(CATALOG.endpoint.map((control) => control.id)).toEqual(IDS);
    for (const control of CATALOG.endpoint.filter((candidate) => candidate.id !== 'endpoint.required-tags')) {
      const source = CATALOG['endpoint-config'].find((candidate) => candidate.id === control.id.replace(/^endpoint\./, 'endpoint-config.'));
      expect(source).toBeDefined();
      expect(control.severity).toBe(source?.severity);
      expect(control.prevent).toBeUndefined();
      expect(control.fix).toContain('UpdateEndpoint');
    }
  });

  run([
    { control: 'endpoint.kms-key', name: 'the config has a customer key', resource: endpointResource(), expect: 'pass' },
    { control: 'endpoint.kms-key', name: 'the config has none', resource: endpointResource({}, endpointConfig({ KmsKeyId: undefined })), expect: 'fail', says: `endpoint config ${CONFIG_NAME}: KmsKeyId is not set` },
    { control: 'endpoint.kms-key', name: 'the config no longer exists', resource: endpointResource({}, null), expect: 'fail', says: 'runs an endpoint config that cannot be read' },
    { control: 'endpoint.model-vpc', name: 'the config no longer exists', resource: endpointResource({}, null), expect: 'fail', says: 'cannot be read' },
    // A control the policy leaves unused does not claim a failure when the config cannot be read; one it uses does.
    { control: 'endpoint.instance-type', name: 'the config no longer exists, no allow-list', resource: endpointResource({}, null), expect: 'skip', says: 'no allow-list in the policy' },
    { control: 'endpoint.instance-type', name: 'the config no longer exists, an endpoint-config allow-list', resource: endpointResource({}, null), settings: { kinds: { 'endpoint-config': { allowedInstanceTypes: ['ml.m5.xlarge'] } } }, expect: 'fail', says: 'cannot be read' },
    { control: 'endpoint.instance-type', name: 'the config no longer exists, an endpoint allow-list', resource: endpointResource({}, null), settings: { kinds: { endpoint: { allowedInstanceTypes: ['ml.m5.xlarge'] } } }, expect: 'fail', says: 'cannot be read' },
    { control: 'endpoint.model-allowed-network', name: 'the config no longer exists, no network lists', resource: endpointResource({}, null), expect: 'skip', says: 'no allowedSubnets' },
    { control: 'endpoint.model-allowed-network', name: 'the config no longer exists, a subnet list', resource: endpointResource({}, null), settings: { allowedSubnets: ['subnet-0a1b2c3d4'] }, expect: 'fail', says: 'cannot be read' },
    { control: 'endpoint.kms-key', name: 'DescribeEndpoint names no config', resource: endpointResource({ EndpointConfigName: undefined }, null), expect: 'fail', says: 'names no endpoint config' },
    { control: 'endpoint.data-capture-kms-key', name: 'no data capture: skipped through the config', resource: endpointResource(), expect: 'skip', says: 'captures no data' },
    { control: 'endpoint.model-network-isolation', name: 'a model not isolated', resource: endpointResource({}, endpointConfig({}, [{ name: MODEL_NAME, model: model({ EnableNetworkIsolation: undefined }) }])), expect: 'fail', says: `endpoint config ${CONFIG_NAME}: model ${MODEL_NAME}: EnableNetworkIsolation is absent` },
    { control: 'endpoint.model-vpc', name: 'a model that is gone', resource: endpointResource({}, endpointConfig({}, [{ name: MODEL_NAME, model: undefined }])), expect: 'fail', says: 'does not exist' },
    { control: 'endpoint.model-vpc', name: 'a model re-created after the endpoint changed', resource: endpointResource({}, endpointConfig({}, [{ name: MODEL_NAME, model: undefined, missing: 'was created again' }])), expect: 'fail', says: 'was created again' },
    { control: 'endpoint.instance-type', name: 'no list anywhere', resource: endpointResource(), expect: 'skip' },
    { control: 'endpoint.instance-type', name: 'kinds.endpoint-config\'s list reaches the endpoint', resource: endpointResource(), settings: { kinds: { 'endpoint-config': { allowedInstanceTypes: ['ml.c5.large'] } } }, expect: 'fail', says: 'ml.m5.xlarge not in the allow-list' },
    { control: 'endpoint.instance-type', name: 'kinds.endpoint\'s list wins over the config\'s', resource: endpointResource(), settings: { kinds: { endpoint: { allowedInstanceTypes: ['ml.m5.xlarge'] }, 'endpoint-config': { allowedInstanceTypes: ['ml.c5.large'] } } }, expect: 'pass' },
    { control: 'endpoint.required-tags', name: 'the endpoint\'s own tags', resource: endpointResource(), settings: { requiredTags: { owner: [] } }, tags: {}, expect: 'fail', says: 'tag owner is missing' },
  ]);

  test('a compliant endpoint fails nothing', () => {
    expect(evaluate('endpoint', endpointResource(), { settings: settings(), tags: {} }, enforceAll).findings).toEqual([]);
  });
});

describe('the endpoint kind defaults to report: deleting a serving endpoint is drastic', () => {
  test.each<[string, GuardSettingsInput, string, string]>([
    ['mode: enforce alone reports', { mode: 'enforce' }, 'report', 'kind-default'],
    ['the default policy (enforce) reports', {}, 'report', 'kind-default'],
    ['kinds.endpoint.mode: enforce deletes', { kinds: { endpoint: { mode: 'enforce' } } }, 'enforce', 'policy.kinds'],
    ['mode: report reports', { mode: 'report' }, 'report', 'policy.mode'],
    ['mode: off is off', { mode: 'off' }, 'off', 'policy.mode'],
  ])('%s', (_title, input, mode, source) => {
    for (const id of IDS) expect(policyMode(id, 'endpoint', settings(input))).toMatchObject({ mode, source });
  });

  test('a control set to enforce deletes; the others still report', () => {
    const policy = settings({ controls: { 'endpoint.model-vpc': 'enforce' } });
    expect(policyMode('endpoint.model-vpc', 'endpoint', policy)).toMatchObject({ mode: 'enforce', source: 'policy.controls' });
    expect(policyMode('endpoint.kms-key', 'endpoint', policy)).toMatchObject({ mode: 'report', source: 'kind-default' });
  });

  test('the note says how to change it', () => {
    expect(policyMode('endpoint.kms-key', 'endpoint', settings({ mode: 'enforce' })).note).toBe('endpoints default to report; kinds.endpoint.mode: enforce changes it');
  });

  test('endpoint configs have no such default: mode: enforce enforces them', () => {
    expect(policyMode('endpoint-config.kms-key', 'endpoint-config', settings({ mode: 'enforce' }))).toMatchObject({ mode: 'enforce', source: 'policy.mode' });
  });
});
