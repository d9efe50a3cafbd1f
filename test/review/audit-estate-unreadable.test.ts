/**
 * Review: `audit --remediate` and the existing estate. The responders fail closed when the ledger cannot
 * be read ("A ledger that cannot be read fails the run before any action"). The audit's estate lookup
 * (cli/estate.ts readEstate) turns every failure — GetItem or kms:Decrypt denied, DescribeStacks denied,
 * a throttled or missing table — into "not known ... every failing resource is shown as the guard treats
 * a new one", and audit.ts then runs --remediate with no enforcementSince: the whole existing estate
 * that the deployed guard deliberately spares is stopped and deleted by one unlucky operator command.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DeleteModelCommand,
  DescribeModelCommand,
  DescribeNotebookInstanceCommand,
  DescribeTrainingJobCommand,
  ListModelsCommand,
  ListNotebookInstancesCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  StopNotebookInstanceCommand,
} from '@aws-sdk/client-sagemaker';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { audit } from '../../cli/audit';
import { DEFAULT_CONCURRENCY, type AuditOptions } from '../../cli/args';
import { estateLookup } from '../../cli/estate';
import { model, notebook, privateNetwork, settings, trainingJob } from '../fixtures/resources';
import { ddbMock, mockNetwork, named, NOW, resetMocks, sageMakerMock, setEnforcementSince } from '../handlers/harness';

const cloudFormationMock = mockClient(CloudFormationClient);
const OPTIONS: AuditOptions = { regions: ['us-east-1'], kinds: ['training-job', 'model', 'notebook-instance'], concurrency: DEFAULT_CONCURRENCY, format: 'json', remediate: true, yes: true, stack: 'SageMakerGuard' };
const OLD = new Date('2026-11-01T10:00:00Z');

beforeEach(() => {
  resetMocks();
  cloudFormationMock.reset();
  cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'SageMakerGuard', StackStatus: 'UPDATE_COMPLETE', CreationTime: OLD, Outputs: [{ OutputKey: 'LedgerTableName', OutputValue: 'sagemaker-guard-ledger' }] }] });
  // The deployed guard began enforcing on 2026-11-15; both resources are older: the guard spares them.
  setEnforcementSince('2026-11-15T00:00:00.000Z');
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
  sageMakerMock.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [] });
  sageMakerMock.on(DescribeTrainingJobCommand).resolves(trainingJob());
  sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'open-model' } as never] });
  sageMakerMock.on(DescribeModelCommand, { ModelName: 'open-model' }).resolves(model({ ModelName: 'open-model', VpcConfig: undefined, CreationTime: OLD }));
  sageMakerMock.on(ListNotebookInstancesCommand).resolves({ NotebookInstances: [{ NotebookInstanceName: 'open-nb' } as never] });
  sageMakerMock
    .on(DescribeNotebookInstanceCommand, { NotebookInstanceName: 'open-nb' })
    .resolves(notebook({ NotebookInstanceName: 'open-nb', DirectInternetAccess: 'Enabled', LastModifiedTime: OLD }).notebook);
  mockNetwork(privateNetwork());
});

async function remediate(): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await audit(
    OPTIONS,
    settings(),
    { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) }, interactive: false, confirm: () => Promise.resolve(false), now: () => NOW },
    { estate: estateLookup({ stack: 'SageMakerGuard' }) },
  );
  return { code, stderr };
}

describe('review: audit --remediate must not act on the existing estate when it cannot tell what the estate is', () => {
  test('control: with the ledger readable, the estate is spared (as the responders spare it)', async () => {
    const { stderr } = await remediate();
    expect(stderr).toContain('enforcement began 2026-11-15T00:00:00.000Z');
    expect(sageMakerMock).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
    expect(sageMakerMock).not.toHaveReceivedCommand(DeleteModelCommand);
  });

  test.each([
    ['the ledger GetItem is denied', () => ddbMock.on(GetCommand).rejects(named('AccessDeniedException', 'User: arn:aws:iam::123456789012:user/ops is not authorized to perform: dynamodb:GetItem'))],
    ['the ledger key cannot be used (kms:Decrypt denied)', () => ddbMock.on(GetCommand).rejects(named('KMSAccessDeniedException', 'not authorized to perform kms:Decrypt'))],
    ['DescribeStacks is denied', () => cloudFormationMock.on(DescribeStacksCommand).rejects(named('AccessDenied', 'User is not authorized to perform: cloudformation:DescribeStacks'))],
  ])('%s: nothing is stopped or deleted in that region, and the run fails (exit 2)', async (_what, breakIt) => {
    breakIt();
    const { code } = await remediate();
    expect(sageMakerMock).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
    expect(sageMakerMock).not.toHaveReceivedCommand(DeleteModelCommand);
    expect(code).toBe(2);
  });
});
