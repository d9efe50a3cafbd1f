import { DeleteModelCommand, DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand, ListEndpointsCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { CONFIG_NAME, configDescription, endpointDescription, ENDPOINT_NAME, MODEL_NAME, variant } from '../fixtures/endpoints';
import { model } from '../fixtures/resources';
import { event, handlerFor, named, publishedNotice, resetMocks, sageMakerMock, snsMock } from './harness';

const created = event('variants/model.created.json');
const summary = (name: string, status: 'InService' | 'Deleting' = 'InService') => ({ EndpointName: name, EndpointArn: `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${name.toLowerCase()}`, EndpointStatus: status, CreationTime: new Date(), LastModifiedTime: new Date() });

beforeEach(() => {
  resetMocks();
  sageMakerMock.on(DescribeModelCommand, { ModelName: MODEL_NAME }).resolves(model({ VpcConfig: undefined }));
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
});

describe('the notice of a deleted model names the endpoints still serving it', () => {
  test('DeleteModel on a model an endpoint serves (through a shadow variant too): the notice names the endpoints', async () => {
    sageMakerMock.on(ListEndpointsCommand).resolves({ Endpoints: [summary(ENDPOINT_NAME), summary('Shadowing'), summary('Unrelated'), summary('Leaving', 'Deleting')] });
    sageMakerMock.on(DescribeEndpointCommand, { EndpointName: ENDPOINT_NAME }).resolves(endpointDescription());
    sageMakerMock.on(DescribeEndpointCommand, { EndpointName: 'Shadowing' }).resolves(endpointDescription({ EndpointName: 'Shadowing', EndpointConfigName: 'ShadowConfig' }));
    sageMakerMock.on(DescribeEndpointCommand, { EndpointName: 'Unrelated' }).resolves(endpointDescription({ EndpointName: 'Unrelated', EndpointConfigName: 'OtherConfig' }));
    sageMakerMock.on(DescribeEndpointConfigCommand, { EndpointConfigName: CONFIG_NAME }).resolves(configDescription());
    sageMakerMock
      .on(DescribeEndpointConfigCommand, { EndpointConfigName: 'ShadowConfig' })
      .resolves(configDescription({ EndpointConfigName: 'ShadowConfig', ProductionVariants: [variant('live', 'Other-Model', 'ml.m5.xlarge')], ShadowProductionVariants: [variant('shadow', MODEL_NAME, 'ml.m5.xlarge')] }));
    sageMakerMock.on(DescribeEndpointConfigCommand, { EndpointConfigName: 'OtherConfig' }).resolves(configDescription({ EndpointConfigName: 'OtherConfig', ProductionVariants: [variant('live', 'Other-Model', 'ml.m5.xlarge')] }));
    await expect(handlerFor('model')(created)).resolves.toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(sageMakerMock).toHaveReceivedCommand(DeleteModelCommand);
    const { message } = publishedNotice();
    expect(message).toContain(`Endpoints still serving this model (deleting a model does not stop them; the endpoint controls judge them): ${ENDPOINT_NAME}, Shadowing.`);
    expect(message).not.toContain('Unrelated');
    expect(message).not.toContain('Leaving');
  });

  test('no endpoint serves it: the notice says so', async () => {
    sageMakerMock.on(ListEndpointsCommand).resolves({ Endpoints: [] });
    await handlerFor('model')(created);
    expect(publishedNotice().message).toContain('No endpoint serves this model.');
  });

  test('ListEndpoints failing: the model is still deleted and the notice still goes out, saying the guard could not read the related resources', async () => {
    sageMakerMock.on(ListEndpointsCommand).rejects(named('AccessDeniedException', 'not authorized to perform: sagemaker:ListEndpoints'));
    await expect(handlerFor('model')(created)).resolves.toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const { message } = publishedNotice();
    expect(message).toContain('(The guard could not read the related resources for this notice: AccessDeniedException.)');
    expect(message).not.toContain('No endpoint serves this model');
  });

  test('a DescribeEndpoint failing part-way is not "no endpoint": the notice says it could not tell', async () => {
    sageMakerMock.on(ListEndpointsCommand).resolves({ Endpoints: [summary(ENDPOINT_NAME)] });
    sageMakerMock.on(DescribeEndpointCommand).rejects(named('ThrottlingException', 'Rate exceeded'));
    await expect(handlerFor('model')(created)).resolves.toMatchObject({ notified: true });
    expect(publishedNotice().message).toContain('could not read the related resources for this notice: ThrottlingException');
  });
});
