import { defineKind } from '../types';
import { endpointConfigControls, type EndpointConfig } from './controls';

/**
 * An endpoint config: the variants (models, instances), the volume key, data capture and asynchronous output of the
 * endpoints that run it. It cannot be changed once created. The API gives it no status, so its adapter gives it one:
 * `InUse` when an endpoint runs it (or is being updated to it), `Unused` otherwise. Only an unused config is acted on
 * (deleted, so that no endpoint can be created from it); a config in use is the endpoint kind's to judge, through the
 * endpoint (deleting the config of a running endpoint would leave it serving, and break its updates and scaling).
 */
export const endpointConfig = defineKind<'endpoint-config', EndpointConfig>({
  id: 'endpoint-config',
  label: 'endpoint config',
  responderId: 'EndpointConfigResponder',
  detailType: 'SageMaker Endpoint Config State Change',
  nameField: 'EndpointConfigName',
  // The event has no status field; the status is the adapter's (see above).
  actionableStatuses: ['Unused'],
  precedingStatuses: [],
  action: 'delete',
  api: 'DeleteEndpointConfig',
  survivesAction: false,
  episodeBegan: 'was created',
  actsNext: 'if it is created again like this',
  consolePath: 'endpointConfig',
  arnType: 'endpoint-config',
  listAction: 'sagemaker:ListEndpointConfigs',
  permissions: [
    // A deleted config cannot carry tags, so the responder never writes them.
    { actions: ['sagemaker:DescribeEndpointConfig', 'sagemaker:DeleteEndpointConfig', 'sagemaker:ListTags'], on: ['endpoint-config'] },
    // The model controls read the variants' models.
    { actions: ['sagemaker:DescribeModel'], on: ['model'] },
    // Whether an endpoint uses the config (its status), read again right before the delete.
    { actions: ['sagemaker:DescribeEndpoint'], on: ['endpoint'] },
    { actions: ['sagemaker:ListEndpoints'], on: 'any' },
  ],
  controls: endpointConfigControls,
  adapter: () => import('./adapter').then((module) => module.endpointConfigAdapter),
});
