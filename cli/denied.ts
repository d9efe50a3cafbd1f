/** Reading access-denied errors, for the commands' messages (no AWS clients here). */

/** The IAM action an access-denied message names ("... is not authorized to perform: sagemaker:DescribeModel on ..."). */
export function deniedAction(message: string): string | undefined {
  return /perform: ([a-z0-9-]+:[A-Za-z0-9]+)/.exec(message)?.[1];
}
