import { MalformedEventError, parseEvent } from '../../lambda/core/event';
import type { ResourceKind } from '../../lambda/kinds/registry';
import { allEventFiles, detailOf, loadEvent, withChange } from '../fixtures/events';

/** What each fixture must parse to, for the kind whose function receives it; null = rejected. */
const EXPECTED: Record<string, { kind: ResourceKind; name: string; status?: string } | null> = {
  'training-job-state-change.json': { kind: 'training-job', name: '89c96cc8-dded-4739-afcc-6f1dc936701d', status: 'Completed' },
  'notebook-instance-state-change.observed-swb.json': { kind: 'notebook-instance', name: 'BasicNotebookInstance-x4CC6ZFJzqJJ', status: 'Stopping' },
  'variants/training-job.in-progress.json': { kind: 'training-job', name: '89c96cc8-dded-4739-afcc-6f1dc936701d', status: 'InProgress' },
  'variants/notebook-instance.inservice.json': { kind: 'notebook-instance', name: 'BasicNotebookInstance-x4CC6ZFJzqJJ', status: 'InService' },
  'variants/notebook-instance.pending.json': { kind: 'notebook-instance', name: 'BasicNotebookInstance-x4CC6ZFJzqJJ', status: 'Pending' },
  'variants/model.created.json': { kind: 'model', name: 'ChurnModel-v2' },
  'processing-job-state-change.json': { kind: 'processing-job', name: 'integ-test-analytics-algo-54ee3282-5899-4aa3-afc2-7ce1d02', status: 'Failed' },
  'variants/processing-job.in-progress.json': { kind: 'processing-job', name: 'integ-test-analytics-algo-54ee3282-5899-4aa3-afc2-7ce1d02', status: 'InProgress' },
  // The published samples' statuses are placeholders: parsed (decisions use Describe*), and never routed by the rules.
  'transform-job-state-change.json': { kind: 'transform-job', name: '4b52bd8f-e034-4345-818d-884bdd7c9724', status: 'another status... GO' },
  'variants/transform-job.in-progress.json': { kind: 'transform-job', name: '4b52bd8f-e034-4345-818d-884bdd7c9724', status: 'InProgress' },
  'hyperparameter-tuning-job-state-change.json': { kind: 'hyper-parameter-tuning-job', name: '016bffd3-6d71-4d3a-9710-0a332b2759fc', status: 'status' },
  'variants/hyper-parameter-tuning-job.in-progress.json': { kind: 'hyper-parameter-tuning-job', name: '016bffd3-6d71-4d3a-9710-0a332b2759fc', status: 'InProgress' },
  'cloudtrail-record.createmodel.json': null,
  'endpoint-state-change.json': { kind: 'endpoint', name: 'MyEndpoint', status: 'IN_SERVICE' },
  'variants/endpoint.creating.json': { kind: 'endpoint', name: 'MyEndpoint', status: 'CREATING' },
  'variants/endpoint.in-service-api-case.json': { kind: 'endpoint', name: 'MyEndpoint', status: 'InService' },
  // The name field is all the guard needs of an event: everything else is optional.
  'variants/endpoint.name-only.json': { kind: 'endpoint', name: 'MyEndpoint' },
  'endpoint-config-state-change.constructed.json': { kind: 'endpoint-config', name: 'MyEndpointConfig' },
  'variants/endpoint-config.name-only.json': { kind: 'endpoint-config', name: 'MyEndpointConfig' },
};

describe('parseEvent on every fixture', () => {
  test('the table covers every fixture file', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(allEventFiles());
  });

  test.each(Object.entries(EXPECTED).filter(([, expected]) => expected !== null))('%s parses, name from detail (not the ARN)', (file, expected) => {
    const raw = loadEvent(file);
    const parsed = parseEvent(raw, expected!.kind);
    expect(parsed).toMatchObject({ eventId: raw.id, kind: expected!.kind, name: expected!.name });
    expect(parsed.reportedStatus).toBe(expected!.status);
  });

  test.each(Object.entries(EXPECTED).filter(([, expected]) => expected === null))('%s is rejected by every function', (file) => {
    const raw = loadEvent(file);
    for (const kind of ['training-job', 'model', 'notebook-instance'] as const) {
      expect(() => parseEvent(raw, kind)).toThrow(MalformedEventError);
    }
  });

  test('the lower-cased ARN of the observed notebook event does not leak into the name', () => {
    const parsed = parseEvent(loadEvent('notebook-instance-state-change.observed-swb.json'), 'notebook-instance');
    expect(parsed.name).toBe('BasicNotebookInstance-x4CC6ZFJzqJJ');
  });
});

const training = loadEvent('variants/training-job.in-progress.json');

describe('malformed events name the field, the value and what was expected', () => {
  test.each<[string, Record<string, unknown>, ResourceKind, string]>([
    ['missing name', withChange(training, (e) => delete detailOf(e).TrainingJobName), 'training-job', 'detail.TrainingJobName: expected a string (the resource name) (absent)'],
    ['name of the wrong type', withChange(training, (e) => (detailOf(e).TrainingJobName = 42)), 'training-job', 'detail.TrainingJobName: expected a string (the resource name) (given: 42)'],
    ['name that is no SageMaker name', withChange(training, (e) => (detailOf(e).TrainingJobName = 'bad name; rm')), 'training-job', 'detail.TrainingJobName: expected a SageMaker resource name'],
    ['status of the wrong type', withChange(training, (e) => (detailOf(e).TrainingJobStatus = ['InProgress'])), 'training-job', 'detail.TrainingJobStatus: expected a string (the status) (given: ["InProgress"])'],
    ['missing id', withChange(training, (e) => delete e.id), 'training-job', 'id: '],
    ['other source', withChange(training, (e) => (e.source = 'aws.ec2')), 'training-job', 'source: expected "aws.sagemaker" (given: "aws.ec2")'],
    ['detail not an object', withChange(training, (e) => (e.detail = 'x')), 'training-job', 'detail: expected an object (given: "x")'],
    ['unknown detail-type', withChange(training, (e) => (e['detail-type'] = 'SageMaker Feature Group State Change')), 'training-job', 'detail-type: expected "SageMaker Training Job State Change" (given: "SageMaker Feature Group State Change", a detail-type this guard does not handle)'],
    ['another kind\'s detail-type', withChange(training, (e) => (e['detail-type'] = 'SageMaker Endpoint State Change')), 'training-job', 'detail-type: expected "SageMaker Training Job State Change" (given: "SageMaker Endpoint State Change", meant for the endpoint function)'],
    ['another kind’s event', loadEvent('variants/model.created.json'), 'training-job', 'meant for the model function'],
    ['not an object at all', 'hello' as unknown as Record<string, unknown>, 'model', '(root): '],
  ])('%s', (_title, raw, kind, message) => {
    let caught: unknown;
    try {
      parseEvent(raw, kind);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MalformedEventError);
    expect((caught as MalformedEventError).name).toBe('MalformedEventError');
    expect((caught as MalformedEventError).message).toContain(message);
  });

  test('every problem is reported, not only the first', () => {
    const raw = withChange(training, (e) => {
      e.id = '';
      e.source = 'x';
    });
    expect(() => parseEvent(raw, 'training-job')).toThrow(/id: .*; source: /);
  });

  test('an unknown status value is accepted: decisions use Describe, not the event', () => {
    const raw = withChange(training, (e) => (detailOf(e).TrainingJobStatus = 'SomethingNew'));
    expect(parseEvent(raw, 'training-job').reportedStatus).toBe('SomethingNew');
  });

  test('an envelope without account (as moto delivers) still parses', () => {
    const raw = withChange(training, (e) => delete e.account);
    expect(parseEvent(raw, 'training-job').name).toBe('89c96cc8-dded-4739-afcc-6f1dc936701d');
  });
});

describe('the parsed event: exactly the fields the guard uses', () => {
  test('a full envelope: id, kind, name from detail, status, time, account and region', () => {
    expect(parseEvent(training, 'training-job')).toEqual({
      eventId: '11111111-0000-4000-8000-000000000001',
      kind: 'training-job',
      name: '89c96cc8-dded-4739-afcc-6f1dc936701d',
      reportedStatus: 'InProgress',
      time: '2018-10-06T12:26:13Z',
      account: '123456789012',
      region: 'us-east-1',
    });
  });

  test('an envelope without time, account, region or status: those keys are absent, not undefined', () => {
    const raw = withChange(training, (e) => {
      delete e.time;
      delete e.account;
      delete e.region;
      delete detailOf(e).TrainingJobStatus;
    });
    const parsed = parseEvent(raw, 'training-job');
    expect(Object.keys(parsed).sort()).toEqual(['eventId', 'kind', 'name']);
  });

  test('a kind without a status field (endpoint config) never reports one, whatever the detail carries', () => {
    const raw = withChange(loadEvent('variants/endpoint-config.name-only.json'), (e) => (detailOf(e).EndpointConfigStatus = 'InService'));
    expect(parseEvent(raw, 'endpoint-config')).not.toHaveProperty('reportedStatus');
  });
});

describe('SageMaker resource names: 1 to 63 letters, digits and hyphens, a letter or digit at each end', () => {
  const named = (name: unknown): Record<string, unknown> => withChange(training, (e) => (detailOf(e).TrainingJobName = name));
  test.each<[string, string, boolean]>([
    ['one character', 'a', true],
    ['63 characters', `a${'b'.repeat(61)}c`, true],
    ['64 characters', `a${'b'.repeat(62)}c`, false],
    ['hyphens inside, even two in a row', 'my--job-1', true],
    ['a leading hyphen', '-job', false],
    ['a trailing hyphen', 'job-', false],
    ['an underscore', 'my_job', false],
    ['empty', '', false],
    ['a path', 'a/b', false],
  ])('%s (%j): %s', (_title, name, valid) => {
    if (valid) expect(parseEvent(named(name), 'training-job').name).toBe(name);
    else expect(() => parseEvent(named(name), 'training-job')).toThrow(`detail.TrainingJobName: expected a SageMaker resource name (1-63 letters, digits and hyphens) (given: ${JSON.stringify(name)})`);
  });
});

describe('envelope fields of the wrong shape', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['an empty id', withChange(training, (e) => (e.id = '')), 'id: expected the EventBridge event id (given: "")'],
    // Issues a schema does not word itself take zod's English locale, not its bare "Invalid input".
    ['an empty detail-type', withChange(training, (e) => (e['detail-type'] = '')), 'detail-type: Too small: expected string to have >=1 characters (given: "")'],
    ['a numeric account', withChange(training, (e) => (e.account = 123456789012)), 'account: Invalid input: expected string, received number (given: 123456789012)'],
    ['a numeric region', withChange(training, (e) => (e.region = 1)), 'region: '],
    ['a numeric time', withChange(training, (e) => (e.time = 0)), 'time: '],
    ['a missing detail', withChange(training, (e) => delete e.detail), 'detail: expected an object (absent)'],
  ])('%s', (_title, raw, message) => {
    expect(() => parseEvent(raw, 'training-job')).toThrow(message);
  });
});
