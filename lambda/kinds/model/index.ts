import { defineKind } from '../types';
import { modelControls, type Model } from './controls';

export const model = defineKind<'model', Model>({
  id: 'model',
  label: 'model',
  responderId: 'ModelResponder',
  detailType: 'SageMaker Model State Change',
  nameField: 'ModelName',
  actionableStatuses: [],
  precedingStatuses: [],
  action: 'delete',
  api: 'DeleteModel',
  survivesAction: false,
  episodeBegan: 'was created',
  actsNext: 'if it is created again like this',
  consolePath: 'models',
  arnType: 'model',
  createAction: 'sagemaker:CreateModel',
  listAction: 'sagemaker:ListModels',
  permissions: [
    // A deleted model cannot carry tags, so the model responder never writes them.
    { actions: ['sagemaker:DescribeModel', 'sagemaker:DeleteModel', 'sagemaker:ListTags'], on: ['model'] },
    // The notice of a deleted model names the endpoints still serving it.
    { actions: ['sagemaker:DescribeEndpoint'], on: ['endpoint'] },
    { actions: ['sagemaker:DescribeEndpointConfig'], on: ['endpoint-config'] },
    { actions: ['sagemaker:ListEndpoints'], on: 'any' },
  ],
  controls: modelControls,
  adapter: () => import('./adapter').then((module) => module.modelAdapter),
});
