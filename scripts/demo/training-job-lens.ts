/**
 * moto completes a training job the moment it is created and does not implement StopTrainingJob
 * (test/integration/MOTO-NOTES.md, section 4), so a running job cannot exist in the emulator.
 *
 * To show what the training-job responder decides and says about a job that has just started, the demo
 * puts this small HTTP proxy between that one invocation and moto. It forwards every request unchanged and
 * changes exactly one thing: in DescribeTrainingJob answers, `TrainingJobStatus: Completed` becomes
 * `InProgress` (and `SecondaryStatus` `Training`), the status the job's start event reports. The demo runs
 * that invocation in report mode, so the responder never calls StopTrainingJob, and it says all of this in
 * its output. Nothing else is rewritten; it listens on 127.0.0.1 only.
 */
import { request, createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface TrainingJobLens {
  /** http://127.0.0.1:PORT, to use as AWS_ENDPOINT_URL instead of the emulator's. */
  readonly endpoint: string;
  /** How many DescribeTrainingJob answers were rewritten. */
  rewrites(): number;
  close(): Promise<void>;
}

const DESCRIBE_TRAINING_JOB = 'SageMaker.DescribeTrainingJob';

function rewrite(body: Buffer): Buffer | undefined {
  try {
    const job = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    if (job.TrainingJobStatus !== 'Completed') return undefined;
    return Buffer.from(JSON.stringify({ ...job, TrainingJobStatus: 'InProgress', SecondaryStatus: 'Training' }), 'utf8');
  } catch {
    return undefined;
  }
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => {
      resolve(Buffer.concat(chunks));
    });
    stream.once('error', reject);
  });
}

/** Starts the lens in front of the emulator at `target` (http://127.0.0.1:PORT). */
export async function startTrainingJobLens(target: string): Promise<TrainingJobLens> {
  const upstream = new URL(target);
  let rewrites = 0;
  const server: Server = createServer((incoming, outgoing) => {
    void (async () => {
      try {
        const body = await readAll(incoming);
        const headers: IncomingHttpHeaders = { ...incoming.headers, host: upstream.host };
        const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
          const forward = request(
            { hostname: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers },
            (response) => {
              readAll(response).then((responseBody) => {
                resolve({ status: response.statusCode ?? 502, headers: response.headers, body: responseBody });
              }, reject);
            },
          );
          forward.once('error', reject);
          forward.end(body);
        });
        const rewritten = incoming.headers['x-amz-target'] === DESCRIBE_TRAINING_JOB && answer.status === 200 ? rewrite(answer.body) : undefined;
        if (rewritten !== undefined) rewrites += 1;
        const responseBody = rewritten ?? answer.body;
        const responseHeaders = { ...answer.headers, 'content-length': String(responseBody.length) };
        delete responseHeaders['transfer-encoding'];
        outgoing.writeHead(answer.status, responseHeaders);
        outgoing.end(responseBody);
      } catch (error) {
        outgoing.writeHead(502, { 'content-type': 'text/plain' });
        outgoing.end(`training-job lens: ${(error as Error).message}`);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the training-job lens has no TCP address');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    rewrites: () => rewrites,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
