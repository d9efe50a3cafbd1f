import { defineKind } from '../types';
import { notebookInstanceControls, type NotebookInstance } from './controls';

export const notebookInstance = defineKind<'notebook-instance', NotebookInstance>({
  id: 'notebook-instance',
  label: 'notebook instance',
  responderId: 'NotebookInstanceResponder',
  detailType: 'SageMaker Notebook Instance State Change',
  nameField: 'NotebookInstanceName',
  statusField: 'NotebookInstanceStatus',
  actionableStatuses: ['InService'],
  precedingStatuses: ['Pending'],
  action: 'stop',
  api: 'StopNotebookInstance',
  survivesAction: true,
  episodeBegan: 'was last started or updated',
  actsNext: 'the next time it is started',
  consolePath: 'notebook-instances',
  arnType: 'notebook-instance',
  createAction: 'sagemaker:CreateNotebookInstance',
  updateAction: 'sagemaker:UpdateNotebookInstance',
  listAction: 'sagemaker:ListNotebookInstances',
  permissions: [
    { actions: ['sagemaker:DescribeNotebookInstance', 'sagemaker:StopNotebookInstance', 'sagemaker:AddTags', 'sagemaker:ListTags'], on: ['notebook-instance'] },
    // The network controls read the notebook's subnet, its route table and its security groups.
    { actions: ['ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeSecurityGroups'], on: 'any' },
  ],
  controls: notebookInstanceControls,
  adapter: () => import('./adapter').then((module) => module.notebookInstanceAdapter),
});
