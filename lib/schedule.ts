import cronValidate from 'cron-validate';

/**
 * Checks an EventBridge schedule expression the way EventBridge will, so that `cdk synth` names the
 * key and the mistake instead of CloudFormation failing the deploy later with advice for another key:
 * - `rate(VALUE UNIT)`: VALUE a positive whole number, UNIT minute(s), hour(s) or day(s), singular
 *   exactly when VALUE is 1 (EventBridge refuses `rate(1 hours)` and `rate(5 day)`);
 * - `cron(MIN HOUR DAY-OF-MONTH MONTH DAY-OF-WEEK YEAR)`: six fields, checked field by field by
 *   cron-validate's `aws-cloud-watch` preset (EventBridge's syntax: `?`, `L`, `W`, `#`, one of the
 *   two day fields must be `?`).
 * Returns the problems (empty when the expression is valid).
 */
export function scheduleProblems(expression: string): string[] {
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate !== null) return rateProblems(rate[1]);
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron !== null) return cronProblems(cron[1]);
  return ['expected "rate(VALUE UNIT)", "cron(MIN HOUR DAY MONTH WEEKDAY YEAR)" or "off"'];
}

const UNITS = ['minute', 'hour', 'day'] as const;

function rateProblems(body: string): string[] {
  const match = /^(\S+) (\S+)$/.exec(body);
  if (match === null) return [`rate(${body}): expected a value and a unit separated by one space, such as "rate(1 day)" or "rate(12 hours)"`];
  const [, value = '', unit = ''] = match;
  const problems: string[] = [];
  const amount = /^\d+$/.test(value) ? Number(value) : undefined;
  if (amount === undefined || amount < 1) problems.push(`rate(${body}): the value must be a whole number of 1 or more (given: ${value})`);
  const singular = unit.replace(/s$/, '');
  if (!(UNITS as readonly string[]).includes(singular)) {
    problems.push(`rate(${body}): the unit must be minute(s), hour(s) or day(s) (given: ${unit})`);
  } else if (amount !== undefined && amount >= 1) {
    const expected = amount === 1 ? singular : `${singular}s`;
    if (unit !== expected) problems.push(`rate(${body}): EventBridge needs "${expected}" with ${amount} ("rate(${amount} ${expected})")`);
  }
  return problems;
}

function cronProblems(body: string): string[] {
  const fields = body.trim() === '' ? [] : body.trim().split(/\s+/);
  if (fields.length !== 6) {
    return [`cron(${body}): expected six fields, minutes hours day-of-month month day-of-week year, such as "cron(0 6 * * ? *)" (given: ${fields.length})`];
  }
  const result = cronValidate(fields.join(' '), { preset: 'aws-cloud-watch' });
  if (result.isValid()) return [];
  // cron-validate reports some problems once per field they involve, and appends the input to each.
  const messages = result.getError().map((message) => message.replace(/\s*\(Input cron: '.*'\)$/, ''));
  return [...new Set(messages)].map((message) => `cron(${body}): ${message}`);
}
