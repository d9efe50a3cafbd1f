import { PublishCommand } from '@aws-sdk/client-sns';
import type { Notice } from '../core/notice';
import { sns } from './clients';

export async function publishNotice(topicArn: string, notice: Notice): Promise<string | undefined> {
  const attributes = Object.fromEntries(
    Object.entries(notice.attributes).map(([key, value]) => [key, { DataType: 'String', StringValue: value }]),
  );
  const result = await sns.send(
    new PublishCommand({ TopicArn: topicArn, Subject: notice.subject, Message: notice.message, MessageAttributes: attributes }),
  );
  return result.MessageId;
}
