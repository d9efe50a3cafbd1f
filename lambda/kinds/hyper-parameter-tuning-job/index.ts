import { defineKind } from '../types';
import { hyperParameterTuningJobControls, type HyperParameterTuningJob } from './controls';

export const hyperParameterTuningJob = defineKind<'hyper-parameter-tuning-job', HyperParameterTuningJob>({
  id: 'hyper-parameter-tuning-job',
  label: 'hyper-parameter tuning job',
  responderId: 'HyperParameterTuningJobResponder',
  detailType: 'SageMaker HyperParameter Tuning Job State Change',
  nameField: 'HyperParameterTuningJobName',
  statusField: 'HyperParameterTuningJobStatus',
  actionableStatuses: ['InProgress'],
  precedingStatuses: [],
  action: 'stop',
  // Stops the training jobs the tuning job launched too; they are judged with it (the training-job adapter's partOf).
  api: 'StopHyperParameterTuningJob',
  survivesAction: true,
  episodeBegan: 'was created',
  actsNext: 'if it is created again like this',
  consolePath: 'hyper-tuning-jobs',
  arnType: 'hyper-parameter-tuning-job',
  createAction: 'sagemaker:CreateHyperParameterTuningJob',
  listAction: 'sagemaker:ListHyperParameterTuningJobs',
  permissions: [
    {
      actions: ['sagemaker:DescribeHyperParameterTuningJob', 'sagemaker:StopHyperParameterTuningJob', 'sagemaker:AddTags', 'sagemaker:ListTags'],
      on: ['hyper-parameter-tuning-job'],
    },
  ],
  controls: hyperParameterTuningJobControls,
  adapter: () => import('./adapter').then((module) => module.hyperParameterTuningJobAdapter),
});
