/**
 * The remediation ledger's table layout: the one place the CDK construct, the adapter, the CLI and the
 * emulator scene read key and index names from. The ledger is the guard's own state (what it decided,
 * did and told), in a table only the guard's roles can write; tags on resources only explain.
 */
export const LEDGER = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB's TTL removes old entries. */
  ttlAttribute: 'expiresAt',
  /** Sparse index of records whose notice is still owed: the outbox the resend function drains. */
  pendingIndex: { name: 'pending-notices', partitionKey: 'noticePending', sortKey: 'at' },
  /** What the guard did on a day (UTC), for `sagemaker-guard history`. */
  historyIndex: { name: 'by-day', partitionKey: 'day', sortKey: 'at' },
} as const;

/** The value of `noticePending` while a notice is owed (the attribute is removed once it is sent). */
export const NOTICE_PENDING = 'pending';

/** How long entries are kept: long enough for a year of history and for tag exemptions' first sightings. */
export const LEDGER_RETENTION_DAYS = 400;

/** Environment variable that names the table in every guard function. */
export const LEDGER_TABLE_ENV = 'LEDGER_TABLE';
