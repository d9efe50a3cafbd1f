import { classifyError } from '../../lambda/aws/errors';
import { eventPatternFor } from '../../lambda/kinds/registry';
import { MalformedEventError, parseEvent } from '../../lambda/core/event';
import { isLagging } from '../../lambda/core/decision';
import { loadEvent } from '../fixtures/events';

const validation = (message: string): Error => Object.assign(new Error(message), { name: 'ValidationException' });

describe('the not-found messages of the endpoint APIs classify as not-found', () => {
  test.each([
    // Real AWS (reported against DeleteEndpoint / DescribeEndpoint, e.g. aws/amazon-sagemaker-examples#2402).
    ['DescribeEndpoint / DeleteEndpoint (AWS)', 'Could not find endpoint "arn:aws:sagemaker:us-west-2:123456789012:endpoint/myendpoint".'],
    ['DescribeEndpointConfig (AWS)', 'Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/myendpointconfig".'],
    // moto 5.2.1 (moto/sagemaker/models.py).
    ['DescribeEndpoint / DeleteEndpoint (moto)', "Could not find endpoint 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/MyEndpoint'."],
    ['DescribeEndpointConfig / DeleteEndpointConfig (moto)', "Could not find endpoint configuration 'arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/MyEndpointConfig'."],
  ])('%s', (_api, message) => {
    expect(classifyError(validation(message))).toEqual({ type: 'not-found' });
  });

  test('a duplicate-name error is not a not-found', () => {
    expect(classifyError(validation('Cannot create already existing endpoint configuration "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/x".'))).toEqual({ type: 'other' });
  });
});

describe('endpoint events', () => {
  test('the documented sample (EndpointStatus IN_SERVICE) parses; the name comes from detail, not the lower-cased ARN', () => {
    expect(parseEvent(loadEvent('endpoint-state-change.json'), 'endpoint')).toMatchObject({ kind: 'endpoint', name: 'MyEndpoint', reportedStatus: 'IN_SERVICE' });
  });

  test.each([
    ['variants/endpoint.creating.json', 'endpoint', 'MyEndpoint', 'CREATING'],
    ['variants/endpoint.in-service-api-case.json', 'endpoint', 'MyEndpoint', 'InService'],
    ['variants/endpoint.name-only.json', 'endpoint', 'MyEndpoint', undefined],
    ['endpoint-config-state-change.constructed.json', 'endpoint-config', 'MyEndpointConfig', undefined],
    ['variants/endpoint-config.name-only.json', 'endpoint-config', 'MyEndpointConfig', undefined],
  ] as const)('%s parses with only its name required', (file, kind, name, status) => {
    const parsed = parseEvent(loadEvent(file), kind);
    expect(parsed).toMatchObject({ kind, name });
    expect(parsed.reportedStatus).toBe(status);
  });

  test('each function refuses the other kind\'s event', () => {
    expect(() => parseEvent(loadEvent('endpoint-state-change.json'), 'endpoint-config')).toThrow(MalformedEventError);
    expect(() => parseEvent(loadEvent('endpoint-config-state-change.constructed.json'), 'endpoint')).toThrow('meant for the endpoint config function');
  });

  test('the rule matches InService in either case; the endpoint config rule has no status filter', () => {
    expect(eventPatternFor('endpoint')).toEqual({ source: ['aws.sagemaker'], detailType: ['SageMaker Endpoint State Change'], detail: { EndpointStatus: ['InService', 'IN_SERVICE'] } });
    expect(eventPatternFor('endpoint-config')).toEqual({ source: ['aws.sagemaker'], detailType: ['SageMaker Endpoint Config State Change'] });
  });

  test('an IN_SERVICE event described as Creating or Updating is Describe lagging; as InService or Failed it is not', () => {
    expect(isLagging('endpoint', 'IN_SERVICE', 'Creating')).toBe(true);
    expect(isLagging('endpoint', 'InService', 'Updating')).toBe(true);
    expect(isLagging('endpoint', 'IN_SERVICE', 'InService')).toBe(false);
    expect(isLagging('endpoint', 'IN_SERVICE', 'Failed')).toBe(false);
    expect(isLagging('endpoint', 'CREATING', 'Creating')).toBe(false);
  });
});
