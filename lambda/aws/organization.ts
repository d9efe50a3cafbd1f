/**
 * The accounts a hub's sweep covers: every active account under the target OUs (and the OUs under them, as the
 * StackSet deploys), read from AWS Organizations by the hub (the delegated administrator). The hub's own account
 * is added by the caller: it is guarded too, through its own credentials.
 */
import {
  OrganizationsClient,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  type Account,
} from '@aws-sdk/client-organizations';
import { RETRY } from './clients';

let client: OrganizationsClient | undefined;
const organizations = (): OrganizationsClient => (client ??= new OrganizationsClient(RETRY));

/** An account that can be entered: State ACTIVE (or, where State is absent, the deprecated Status). */
export function isActive(account: Account): boolean {
  return (account.State ?? account.Status) === 'ACTIVE';
}

/** The ids of the active accounts under `parents` (OU or root ids), at any depth, sorted and without repeats. */
export async function accountsUnder(parents: readonly string[]): Promise<string[]> {
  const accounts = new Set<string>();
  const queue = [...parents];
  const seen = new Set<string>();
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    if (seen.has(parent)) continue;
    seen.add(parent);
    for await (const page of paginateListAccountsForParent({ client: organizations() }, { ParentId: parent })) {
      for (const account of page.Accounts ?? []) if (account.Id !== undefined && isActive(account)) accounts.add(account.Id);
    }
    for await (const page of paginateListOrganizationalUnitsForParent({ client: organizations() }, { ParentId: parent })) {
      for (const unit of page.OrganizationalUnits ?? []) if (unit.Id !== undefined) queue.push(unit.Id);
    }
  }
  return [...accounts].sort();
}
