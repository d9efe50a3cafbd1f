import { defineKind } from '../types';
import { endpointControls, type Endpoint } from './controls';

/**
 * A hosted (real-time, serverless or asynchronous) endpoint, judged through the endpoint config it runs and that
 * config's models. Deleting a serving endpoint is drastic, so the kind defaults to report: `mode: enforce` alone
 * reports; `kinds.endpoint.mode: enforce` (or a control set to enforce) deletes.
 */
export const endpoint = defineKind<'endpoint', Endpoint>({
  id: 'endpoint',
  label: 'endpoint',
  responderId: 'EndpointResponder',
  detailType: 'SageMaker Endpoint State Change',
  nameField: 'EndpointName',
  statusField: 'EndpointStatus',
  // DescribeEndpoint says InService; the documented event says IN_SERVICE (upper snake case, unlike every other
  // SageMaker event and the API). Both are listed, so the rule matches either; Describe only ever gives the first.
  actionableStatuses: ['InService', 'IN_SERVICE'],
  // An InService event described as Creating or Updating (an update to a new config) is Describe lagging.
  precedingStatuses: ['Creating', 'Updating'],
  action: 'delete',
  api: 'DeleteEndpoint',
  survivesAction: false,
  episodeBegan: 'began running its current endpoint config',
  actsNext: 'if it is created or updated again like this',
  consolePath: 'endpoints',
  arnType: 'endpoint',
  createAction: 'sagemaker:CreateEndpoint',
  updateAction: 'sagemaker:UpdateEndpoint',
  listAction: 'sagemaker:ListEndpoints',
  permissions: [
    // A deleted endpoint cannot carry tags, so the responder never writes them.
    { actions: ['sagemaker:DescribeEndpoint', 'sagemaker:DeleteEndpoint', 'sagemaker:ListTags'], on: ['endpoint'] },
    // The endpoint is judged through the config it runs and that config's models.
    { actions: ['sagemaker:DescribeEndpointConfig'], on: ['endpoint-config'] },
    { actions: ['sagemaker:DescribeModel'], on: ['model'] },
  ],
  defaultMode: 'report',
  controls: endpointControls,
  adapter: () => import('./adapter').then((module) => module.endpointAdapter),
});
