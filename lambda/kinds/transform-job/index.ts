import { defineKind } from '../types';
import { transformJobControls, type TransformJob } from './controls';

export const transformJob = defineKind<'transform-job', TransformJob>({
  id: 'transform-job',
  label: 'transform job',
  responderId: 'TransformJobResponder',
  detailType: 'SageMaker Transform Job State Change',
  nameField: 'TransformJobName',
  statusField: 'TransformJobStatus',
  actionableStatuses: ['InProgress'],
  precedingStatuses: [],
  action: 'stop',
  api: 'StopTransformJob',
  survivesAction: true,
  episodeBegan: 'was created',
  actsNext: 'if it is created again like this',
  consolePath: 'transform-jobs',
  arnType: 'transform-job',
  createAction: 'sagemaker:CreateTransformJob',
  listAction: 'sagemaker:ListTransformJobs',
  permissions: [
    { actions: ['sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob', 'sagemaker:AddTags', 'sagemaker:ListTags'], on: ['transform-job'] },
    // The network controls read the job's model: a transform job has no network settings of its own.
    { actions: ['sagemaker:DescribeModel'], on: ['model'] },
  ],
  controls: transformJobControls,
  adapter: () => import('./adapter').then((module) => module.transformJobAdapter),
});
