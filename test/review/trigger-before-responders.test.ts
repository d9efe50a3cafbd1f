/**
 * Review: the deploy-time "enforcement began" trigger has no ordering against the responders, their rules
 * or the sweep schedule (only executeAfter: [ledger]). CloudFormation creates or updates them in parallel,
 * so an enforcing responder (new code) can run before the trigger has written the record. It then takes
 * the fallback in Ledger.enforcementBeganOrNow and records "now" — and since every resource it is looking
 * at was created before "now", the resource that triggered the run is always spared as "existing estate",
 * however new it is (first deploy: created while the stack was being deployed; upgrade of an enforcing
 * guard: created while the old guard was enforcing).
 */
import { Ledger } from '../../lambda/aws/ledger';
import { DescribeTrainingJobCommand, ListTagsCommand, StopTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { ENFORCEMENT_KEY } from '../../lambda/ledger/records';
import { trainingJob } from '../fixtures/resources';
import { event, handlerFor, NOW, resetMocks, sageMakerMock, setEnforcementSince, table } from '../handlers/harness';
import { resourcesOf, synthGuard } from '../infra/synth';

interface Resource {
  readonly Type: string;
  readonly DependsOn?: string | string[];
  readonly Properties?: unknown;
}

/** Logical ids a resource depends on, directly or through others (DependsOn, Ref, Fn::GetAtt). */
function dependenciesOf(resources: Partial<Record<string, Resource>>, id: string, seen = new Set<string>()): Set<string> {
  const resource = resources[id];
  if (resource === undefined) return seen;
  const direct = new Set<string>([resource.DependsOn ?? []].flat());
  const text = JSON.stringify(resource.Properties ?? {});
  for (const match of text.matchAll(/"(?:Ref":|Fn::GetAtt":\[)"([A-Za-z0-9]+)"/g)) direct.add(match[1]);
  for (const dependency of direct) {
    if (seen.has(dependency) || resources[dependency] === undefined) continue;
    seen.add(dependency);
    dependenciesOf(resources, dependency, seen);
  }
  return seen;
}

test('review: the responders and the sweep (functions and rules) start only after the trigger recorded when enforcement began', () => {
  const { template } = synthGuard();
  const resources = template.toJSON().Resources as Partial<Record<string, Resource>>;
  const triggerId = Object.keys(resourcesOf(template, 'Custom::Trigger')).at(0) ?? 'no trigger';
  // The rules (a first deploy) and the functions themselves (an upgrade: the rules exist already, the code changes).
  const rules = [...Object.keys(resourcesOf(template, 'AWS::Events::Rule')), ...Object.keys(resourcesOf(template, 'AWS::Lambda::Function'))].filter((id) => /Responder|Sweep/.test(id));
  expect(rules.length).toBeGreaterThanOrEqual(8);
  const unordered = rules.filter((id) => !dependenciesOf(resources, id).has(triggerId));
  expect(unordered).toEqual([]);
});

test('review (the window, at run time): with no record yet, a job created a minute ago is spared as "existing estate"', async () => {
  resetMocks();
  setEnforcementSince(undefined);
  const JOB = '89c96cc8-dded-4739-afcc-6f1dc936701d';
  sageMakerMock.on(DescribeTrainingJobCommand, { TrainingJobName: JOB }).resolves(trainingJob({ TrainingJobName: JOB, EnableNetworkIsolation: false, CreationTime: new Date(NOW.getTime() - 60_000) }));
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
  const result = await handlerFor('training-job', {}, { ledger: new Ledger('sagemaker-guard-ledger') })(event('variants/training-job.in-progress.json'));
  expect(table.all().find((item) => item.pk === ENFORCEMENT_KEY.pk)).toMatchObject({ since: NOW.toISOString() });
  // Documents today's behaviour (the resource that caused the fallback is always older than "now"):
  expect(result).toMatchObject({ decision: 'report' });
  expect(sageMakerMock).not.toHaveReceivedCommand(StopTrainingJobCommand);
});
