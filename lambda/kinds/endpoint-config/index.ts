import { defineKind } from '../types';
import { endpointConfigControls, type EndpointConfig } from './controls';

/**
 * An endpoint config: the variants (models, instances), the volume key, data capture and asynchronous output of the
 * endpoints that run it. It cannot be changed once created. The API gives it no status, so its adapter gives it one:
 * `InUse` when an endpoint runs it (or is being updated to it), `Unused` otherwise. Only an unused config is deleted
 * (so that no endpoint can be created from it); a config in use is never deleted (that would leave the endpoint
 * serving and break its updates and scaling): its notice says it is in use, and the endpoint kind judges the endpoint.
 */
export const endpointConfig = defineKind<'endpoint-config', EndpointConfig>({
  id: 'endpoint-config',
  label: 'endpoint config',
  responderId: 'EndpointConfigResponder',
  detailType: 'SageMaker Endpoint Config State Change',
  nameField: 'EndpointConfigName',
  // The event has no status field; the status is the adapter's (see above).
  // InUse too, so that a failing config an endpoint runs is told even when the endpoint kind is off (review D3);
  // act() re-checks and never deletes a config in use: it returns wrong-state InUse, which the notice says.
  actionableStatuses: ['Unused', 'InUse'],
  precedingStatuses: [],
  action: 'delete',
  api: 'DeleteEndpointConfig',
  survivesAction: false,
  episodeBegan: 'was created',
  actsNext: 'if it is created again like this',
  deferredWhile: { status: 'InUse', until: 'once no endpoint uses it (one does now)' },
  consolePath: 'endpointConfig',
  arnType: 'endpoint-config',
  createAction: 'sagemaker:CreateEndpointConfig',
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
