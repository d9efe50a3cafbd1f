import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildGuard, tempDir } from './synth';

/**
 * cdk-nag 3.x is a policy validation plugin: during synthesis CDK runs it, removes what
 * `Validations.of(construct).acknowledge()` covers, writes the rest to validation-report.json in the
 * cloud assembly, prints it, and (in tests, where NODE_ENV=test) throws when an error is left.
 */
interface ValidationReport {
  readonly pluginReports: readonly {
    readonly summary?: { readonly pluginName?: string };
    readonly violations?: readonly { readonly ruleName: string; readonly severity?: string; readonly violatingResources?: unknown[] }[];
  }[];
}

const ACK_KEY = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

/** Every acknowledgement in the tree, as "construct path: rule id" -> reason. */
function acknowledgements(root: IConstruct): Map<string, string> {
  const found = new Map<string, string>();
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== ACK_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.set(`${construct.node.path}: ${id.replace(/^annotation::/i, '')}`, reason);
      }
    }
  }
  return found;
}

describe('cdk-nag AwsSolutions checks', () => {
  let report: ValidationReport;
  let acks: Map<string, string>;

  beforeAll(() => {
    const { app } = buildGuard({}, { outdir: tempDir('guard-nag-') });
    const assembly = app.synth();
    report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')) as ValidationReport;
    acks = acknowledgements(app);
  });

  test('synthesis leaves no unacknowledged error or warning in the validation report', () => {
    const findings = report.pluginReports.flatMap((pluginReport) =>
      (pluginReport.violations ?? []).map((v) => `${pluginReport.summary?.pluginName ?? '?'} ${v.severity ?? ''} ${v.ruleName}`),
    );
    expect(findings).toEqual([]);
  });

  test('acknowledgements are exactly the reviewed ones, each with a specific reason', () => {
    const iam5 = (kind: string) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:${kind}/*]`;
    // Every function queries the ledger's indexes: `<table ARN>/index/*`, one table of this stack.
    const ledgerIndexes = [...acks.keys()].find((key) => key.startsWith('SageMakerGuard/Guard/Resend/Role: '))?.split(': ')[1];
    expect(ledgerIndexes).toMatch(/^AwsSolutions-IAM5\[Resource::<GuardLedger[0-9A-F]{8}\.Arn>\/index\/\*\]$/);
    const roles = ['TrainingJobResponder', 'ModelResponder', 'NotebookInstanceResponder', 'ProcessingJobResponder', 'TransformJobResponder', 'HyperParameterTuningJobResponder', 'EndpointConfigResponder', 'EndpointResponder', 'Sweep', 'Resend', 'SwitchWatch'];
    /** Each role's SageMaker ARN types (one acknowledged wildcard each), and whether it holds actions IAM grants only on "*". */
    const scoped: Record<string, { arnTypes: string[]; anyResource: boolean }> = {
      TrainingJobResponder: { arnTypes: ['training-job'], anyResource: false },
      ModelResponder: { arnTypes: ['model', 'endpoint', 'endpoint-config'], anyResource: true },
      NotebookInstanceResponder: { arnTypes: ['notebook-instance'], anyResource: true },
      ProcessingJobResponder: { arnTypes: ['processing-job'], anyResource: false },
      TransformJobResponder: { arnTypes: ['transform-job', 'model'], anyResource: false },
      HyperParameterTuningJobResponder: { arnTypes: ['hyper-parameter-tuning-job'], anyResource: false },
      EndpointConfigResponder: { arnTypes: ['endpoint-config', 'model', 'endpoint'], anyResource: true },
      EndpointResponder: { arnTypes: ['endpoint', 'endpoint-config', 'model'], anyResource: false },
      Sweep: { arnTypes: ['training-job', 'model', 'notebook-instance', 'processing-job', 'transform-job', 'hyper-parameter-tuning-job', 'endpoint-config', 'endpoint'], anyResource: true },
    };
    expect([...acks.keys()].sort()).toEqual(
      [
        'SageMakerGuard/Guard/DeadLetterQueue: AwsSolutions-SQS3',
        ...Object.entries(scoped).flatMap(([role, { arnTypes, anyResource }]) => [
          ...arnTypes.map((arnType) => `SageMakerGuard/Guard/${role}/Role: ${iam5(arnType)}`),
          ...(anyResource ? [`SageMakerGuard/Guard/${role}/Role: AwsSolutions-IAM5[Resource::*]`] : []),
        ]),
        ...roles.map((role) => `SageMakerGuard/Guard/${role}/Role: ${ledgerIndexes ?? '?'}`),
        // The Step Functions sweep: its bucket (no access log bucket), the tasks' object prefixes, the state machine's
        // role (its tasks and their versions, the Map's files, Logs delivery and X-Ray) and CDK's Distributed Map policy.
        'SageMakerGuard/Guard/SweepBucket: AwsSolutions-S1',
        ...['SweepPlan', 'SweepSummary'].map((role) => `SageMakerGuard/Guard/${role}/Role: ${ledgerIndexes ?? '?'}`),
        'SageMakerGuard/Guard/SweepPlan/Role: AwsSolutions-IAM5[Resource::<GuardSweepBucketDAD60201.Arn>/runs/*]',
        'SageMakerGuard/Guard/SweepSummary/Role: AwsSolutions-IAM5[Resource::<GuardSweepBucketDAD60201.Arn>/runs/*]',
        'SageMakerGuard/Guard/SweepSummary/Role: AwsSolutions-IAM5[Resource::<GuardSweepBucketDAD60201.Arn>/*]',
        ...['GuardSweepFunctionE3F85679', 'GuardSweepPlanFunction58D64B5B', 'GuardSweepSummaryFunction2081B729'].map(
          (fn) => `SageMakerGuard/Guard/SweepMachine/StateMachine/Role: AwsSolutions-IAM5[Resource::<${fn}.Arn>:*]`,
        ),
        'SageMakerGuard/Guard/SweepMachine/StateMachine/Role: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<GuardSweepBucketDAD60201>/*]',
        'SageMakerGuard/Guard/SweepMachine/StateMachine/Role: AwsSolutions-IAM5[Resource::*]',
        ...[':*', '/*:*'].map(
          (suffix) =>
            `SageMakerGuard/Guard/SweepMachine/StateMachine: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"GuardSweepMachineStateMachine9398FCED"}]}]}${suffix}]`,
        ),
      ].sort(),
    );
    for (const reason of acks.values()) expect(reason.length).toBeGreaterThan(80);
    expect(acks.get('SageMakerGuard/Guard/NotebookInstanceResponder/Role: AwsSolutions-IAM5[Resource::*]')).toMatch(/resource-level permissions/);
    expect(acks.get(`SageMakerGuard/Guard/Resend/Role: ${ledgerIndexes ?? '?'}`)).toMatch(/indexes/);
  });

  test('the checks do run: an unacknowledged violation fails synthesis', () => {
    const app = new App({ outdir: tempDir('guard-nag-control-') });
    const stack = new Stack(app, 'Control');
    new Queue(stack, 'Unencrypted', { encryption: undefined, enforceSSL: false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});
