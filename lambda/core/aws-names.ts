/**
 * What AWS names look like, where a value from an event, an environment variable or the deploy context becomes part
 * of an ARN or an endpoint: one definition for the functions (lambda/aws/accounts.ts) and the CDK app (lib/config.ts).
 */
export const ACCOUNT_ID = /^\d{12}$/;
/** us-east-1, eu-central-2, us-gov-west-1, ap-southeast-4. */
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** An IAM role name without its path: 1 to 64 of letters, digits and + = , . @ _ -. */
export const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
