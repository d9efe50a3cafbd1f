import { defineKind } from '../types';
import { trainingJobControls, type TrainingJob } from './controls';

export const trainingJob = defineKind<'training-job', TrainingJob>({
  id: 'training-job',
  label: 'training job',
  responderId: 'TrainingJobResponder',
  detailType: 'SageMaker Training Job State Change',
  nameField: 'TrainingJobName',
  statusField: 'TrainingJobStatus',
  actionableStatuses: ['InProgress'],
  precedingStatuses: [],
  action: 'stop',
  api: 'StopTrainingJob',
  survivesAction: true,
  episodeBegan: 'was created',
  actsNext: 'if it is created again like this',
  consolePath: 'jobs',
  arnType: 'training-job',
  createAction: 'sagemaker:CreateTrainingJob',
  listAction: 'sagemaker:ListTrainingJobs',
  permissions: [{ actions: ['sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob', 'sagemaker:AddTags', 'sagemaker:ListTags'], on: ['training-job'] }],
  controls: trainingJobControls,
  adapter: () => import('./adapter').then((module) => module.trainingJobAdapter),
});
