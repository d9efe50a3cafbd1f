/** A resource that is gone when the pipeline describes it: nothing to check, unless the ledger left work on it. */
import type { Finding } from '../controls/types';
import type { Ledger } from '../aws/ledger';
import { ALL_CONTROLS, KINDS, type ResourceAccess, type ResourceKind } from '../kinds/registry';
import { planFromLedger, type RemediationRecord, type ResourceRef } from '../ledger/records';
import { logger } from '../powertools';
import type { DecisionType, Evaluated } from './result';
import { resend, resume } from './remediation';
import { step, type Context, type HandleOptions, type Progress, type Runtime } from './steps';

/**
 * A resource that no longer exists. Normal for a model's delete event; but if the ledger holds a
 * remediation of it in doubt (the delete went through, the invocation died before recording it), that
 * record is finished and its notice sent.
 */
export async function handleGone<K extends ResourceKind>(
  kind: K,
  name: string,
  ref: ResourceRef,
  correlationId: string,
  holder: string,
  access: ResourceAccess<K>,
  runtime: Runtime,
  options: HandleOptions,
  ledger: Ledger | undefined,
  progress: Progress,
): Promise<Evaluated> {
  const records = ledger !== undefined && ref.account !== 'unknown' ? await step(progress, 'ledger-read', () => ledger.recentRemediations(ref)) : [];
  const plan = planFromLedger(records, undefined, holder, runtime.now());
  if (ledger !== undefined && (plan.type === 'resume' || plan.type === 'busy' || plan.type === 'resend')) {
    const record = plan.record;
    const findings = findingsFromRecord(record);
    const context: Context<K> = {
      kind,
      name,
      ref,
      access,
      described: { arn: record.arn, status: undefined, episode: record.episode },
      present: false,
      findings,
      runtime,
      owner: record.owner,
      exemptions: { active: [], ignored: [] },
      options,
      correlationId,
      holder,
      progress,
    };
    const carried = plan.type === 'resume' ? await resume(context, ledger, record) : plan.type === 'resend' ? await resend(context, ledger, record) : { notified: false };
    const decision: DecisionType = plan.type === 'resend' ? 'resend-notice' : plan.type;
    logger.info('Decision', { decision, detail: `the ${KINDS[kind].label} is gone; the ledger held its remediation (${plan.type})`, resource: { kind, name }, actionResult: carried.actionResult, notified: carried.notified });
    return { kind, name, decision, ...(carried.actionResult !== undefined ? { actionResult: carried.actionResult } : {}), notified: carried.notified, findings };
  }
  logger.info('Decision', { decision: 'gone', detail: `the ${KINDS[kind].label} no longer exists; nothing to check`, resource: { kind, name } });
  return { kind, name, decision: 'gone', notified: false, findings: [] };
}

/** The findings a record was made for, from the catalog (the resource is gone, so they cannot be re-evaluated). */
function findingsFromRecord(record: RemediationRecord): Finding[] {
  return record.controls.flatMap((id) => {
    const control = ALL_CONTROLS.find((candidate) => candidate.id === id);
    if (control === undefined) return [];
    return [{ controlId: id, title: control.title, why: control.why, fix: control.fix, severity: control.severity, observed: `failed when the guard decided to act (${record.at})`, mode: 'enforce', modeSource: 'policy.mode' }];
  });
}

