/**
 * The command-line tests' shared reading of an argv: the audit options it gives, parsed at a fixed time (so --since
 * and the like do not depend on when the tests run), and what `audit` alone gives, to compare against.
 */
import { RESOURCE_KINDS } from '../../lambda/kinds/registry';
import { DEFAULT_CONCURRENCY, parseCommandLine, type AuditOptions } from '../../cli/args';

/** The time the command lines are parsed at. */
export const NOW = new Date('2026-11-22T12:00:00Z');

/** The options of `sagemaker-guard audit` with nothing else given. */
export const AUDIT_DEFAULTS: AuditOptions = { regions: [], kinds: [...RESOURCE_KINDS], concurrency: DEFAULT_CONCURRENCY, format: 'table', remediate: false, yes: false, stack: 'SageMakerGuard' };

/** The audit options `argv` gives, parsed at NOW; throws when it is another command (help included). */
export function auditOptions(argv: string[]): AuditOptions {
  const parsed = parseCommandLine(argv, NOW);
  if (parsed.command !== 'audit') throw new Error(`expected the audit command, got ${parsed.command}`);
  return parsed.options;
}
