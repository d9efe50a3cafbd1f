/**
 * An in-memory table behind aws-sdk-client-mock's DynamoDBDocumentClient mock, so handler tests exercise the
 * ledger adapter's real requests (conditions included) without an emulator. It understands the subset of
 * the expression language the adapter writes: SET / REMOVE / ADD updates, `=` and `<` comparisons,
 * attribute_exists / attribute_not_exists, begins_with in key conditions, AND, OR and parentheses.
 * The integration tests run the same adapter against moto's DynamoDB.
 */
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { LEDGER } from '../../lambda/ledger/schema';

type Item = Record<string, unknown>;
type Names = Record<string, string> | undefined;
type Values = Record<string, unknown> | undefined;

function conditionFailed(): Error {
  return Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException', $fault: 'client' });
}

function resolveName(token: string, names: Names): string {
  return token.startsWith('#') ? (names?.[token] ?? token) : token;
}

/** Tokens: names, :values, #names, parentheses, commas, operators. */
function tokenize(expression: string): string[] {
  return expression.match(/attribute_not_exists|attribute_exists|begins_with|[#:]?[A-Za-z_][A-Za-z0-9_]*|<=|>=|<>|[()=<>,]/g) ?? [];
}

/** A string attribute's value; anything else never matches a prefix. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : '\u0000';
}

/** Evaluates a condition or key-condition expression against an item. */
export function evaluateCondition(expression: string, item: Item | undefined, names: Names, values: Values): boolean {
  const tokens = tokenize(expression);
  let position = 0;
  const peek = (): string | undefined => tokens.at(position);
  const next = (): string => {
    const token = tokens.at(position);
    if (token === undefined) throw new Error(`fake DynamoDB: unexpected end of ${expression}`);
    position += 1;
    return token;
  };
  const operand = (token: string): unknown => (token.startsWith(':') ? values?.[token] : item?.[resolveName(token, names)]);
  const primary = (): boolean => {
    const token = next();
    if (token === '(') {
      const value = orExpression();
      next();
      return value;
    }
    if (token === 'attribute_exists' || token === 'attribute_not_exists' || token === 'begins_with') {
      next();
      const first = next();
      let second: string | undefined;
      if (peek() === ',') {
        next();
        second = next();
      }
      next();
      if (token === 'begins_with') return text(operand(first)).startsWith(text(operand(second ?? '')));
      const exists = item !== undefined && item[resolveName(first, names)] !== undefined;
      return token === 'attribute_exists' ? exists : !exists;
    }
    const operator = next();
    const left = operand(token);
    const right = operand(next());
    switch (operator) {
      case '=':
        return left === right;
      case '<':
        return (left as number) < (right as number);
      case '>':
        return (left as number) > (right as number);
      default:
        throw new Error(`fake DynamoDB: operator ${operator} not supported`);
    }
  };
  const andExpression = (): boolean => {
    let value = primary();
    while (peek() === 'AND') {
      next();
      const right = primary();
      value = value && right;
    }
    return value;
  };
  const orExpression = (): boolean => {
    let value = andExpression();
    while (peek() === 'OR') {
      next();
      const right = andExpression();
      value = value || right;
    }
    return value;
  };
  return orExpression();
}

/** Applies an update expression (SET a = :v, ...; REMOVE a, ...; ADD n :v) to a copy of the item. */
export function applyUpdate(expression: string, item: Item, names: Names, values: Values): Item {
  const updated: Item = { ...item };
  const clauses = expression.split(/\b(?=SET |REMOVE |ADD )/);
  for (const clause of clauses) {
    const [keyword, ...rest] = clause.trim().split(/\s+/);
    const body = rest.join(' ');
    const parts = body.split(',').map((part) => part.trim()).filter((part) => part !== '');
    for (const part of parts) {
      if (keyword === 'SET') {
        const [name, value] = part.split('=').map((side) => side.trim());
        updated[resolveName(name, names)] = values?.[value];
      } else if (keyword === 'REMOVE') {
        Reflect.deleteProperty(updated, resolveName(part, names));
      } else if (keyword === 'ADD') {
        const [name, value] = part.split(/\s+/);
        const attribute = resolveName(name, names);
        updated[attribute] = ((updated[attribute] as number | undefined) ?? 0) + (values?.[value] as number);
      }
    }
  }
  return updated;
}

type PutInput = { Item: Item; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values };
type GetInput = { Key: Item };
type UpdateInput = { Key: Item; UpdateExpression?: string; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values; ReturnValues?: string };
type QueryInput = { IndexName?: string; KeyConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values; ScanIndexForward?: boolean; Limit?: number };
export type LedgerCommand = 'PutCommand' | 'GetCommand' | 'UpdateCommand' | 'QueryCommand';

export class FakeTable {
  readonly items = new Map<string, Item>();
  /** Every request, in order, by command name. */
  readonly calls: LedgerCommand[] = [];
  private readonly failures: { command: LedgerCommand; skip: number; error: Error }[] = [];

  private static keyOf(key: Item): string {
    return JSON.stringify([key[LEDGER.partitionKey], key[LEDGER.sortKey]]);
  }

  all(): Item[] {
    return [...this.items.values()];
  }

  /** The next request of `command` after `skip` successful ones fails with `error` (an outage, a crash). */
  failOn(command: LedgerCommand, error: Error, skip = 0): void {
    this.failures.push({ command, skip, error });
  }

  private record(command: LedgerCommand): void {
    this.calls.push(command);
    const index = this.failures.findIndex((failure) => failure.command === command);
    if (index < 0) return;
    const failure = this.failures[index];
    if (failure.skip > 0) {
      failure.skip -= 1;
      return;
    }
    this.failures.splice(index, 1);
    throw failure.error;
  }

  put(input: PutInput): object {
    this.record('PutCommand');
    const id = FakeTable.keyOf(input.Item);
    if (input.ConditionExpression !== undefined && !evaluateCondition(input.ConditionExpression, this.items.get(id), input.ExpressionAttributeNames, input.ExpressionAttributeValues)) {
      throw conditionFailed();
    }
    this.items.set(id, structuredClone(input.Item));
    return {};
  }

  get(input: GetInput): object {
    this.record('GetCommand');
    const item = this.items.get(FakeTable.keyOf(input.Key));
    return item === undefined ? {} : { Item: structuredClone(item) };
  }

  update(input: UpdateInput): object {
    this.record('UpdateCommand');
    const id = FakeTable.keyOf(input.Key);
    const existing = this.items.get(id);
    if (input.ConditionExpression !== undefined && !evaluateCondition(input.ConditionExpression, existing, input.ExpressionAttributeNames, input.ExpressionAttributeValues)) {
      throw conditionFailed();
    }
    const updated = applyUpdate(input.UpdateExpression ?? '', existing ?? { ...input.Key }, input.ExpressionAttributeNames, input.ExpressionAttributeValues);
    this.items.set(id, updated);
    return input.ReturnValues === 'ALL_NEW' ? { Attributes: structuredClone(updated) } : {};
  }

  query(input: QueryInput): object {
    this.record('QueryCommand');
    const index = [LEDGER.pendingIndex, LEDGER.historyIndex].find((candidate) => candidate.name === input.IndexName);
    const sortKey = index?.sortKey ?? LEDGER.sortKey;
    const partitionKey = index?.partitionKey ?? LEDGER.partitionKey;
    const matching = this.all()
      .filter((item) => item[partitionKey] !== undefined && evaluateCondition(input.KeyConditionExpression ?? '', item, input.ExpressionAttributeNames, input.ExpressionAttributeValues))
      .sort((a, b) => String(a[sortKey]).localeCompare(String(b[sortKey])));
    if (input.ScanIndexForward === false) matching.reverse();
    return { Items: matching.slice(0, input.Limit ?? matching.length).map((item) => structuredClone(item)) };
  }

  /** Wires the fake into a DynamoDBDocumentClient mock (call after mock.reset()). */
  attach(mock: AwsClientStub<DynamoDBDocumentClient>): void {
    mock
      .on(PutCommand)
      .callsFake((input: PutInput) => this.put(input))
      .on(GetCommand)
      .callsFake((input: GetInput) => this.get(input))
      .on(UpdateCommand)
      .callsFake((input: UpdateInput) => this.update(input))
      .on(QueryCommand)
      .callsFake((input: QueryInput) => this.query(input));
  }
}
