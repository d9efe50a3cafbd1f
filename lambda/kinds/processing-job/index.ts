import { defineKind } from '../types';
import { processingJobControls, type ProcessingJob } from './controls';

export const processingJob = defineKind<'processing-job', ProcessingJob>({
  id: 'processing-job',
  label: 'processing job',
  responderId: 'ProcessingJobResponder',
  detailType: 'SageMaker Processing Job State Change',
  nameField: 'ProcessingJobName',
  statusField: 'ProcessingJobStatus',
  actionableStatuses: ['InProgress'],
  precedingStatuses: [],
  action: 'stop',
  api: 'StopProcessingJob',
  survivesAction: true,
  episodeBegan: 'was created',
  actsNext: 'if it is created again like this',
  consolePath: 'processing-jobs',
  arnType: 'processing-job',
  createAction: 'sagemaker:CreateProcessingJob',
  listAction: 'sagemaker:ListProcessingJobs',
  permissions: [{ actions: ['sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob', 'sagemaker:AddTags', 'sagemaker:ListTags'], on: ['processing-job'] }],
  controls: processingJobControls,
  adapter: () => import('./adapter').then((module) => module.processingJobAdapter),
});
