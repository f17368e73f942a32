/**
 * Timeouts for every AWS SDK client driftwatch builds (S3 and CloudWatch): a connection that never opens,
 * a response that never starts and a socket that goes quiet mid-body all end as errors instead of hanging
 * a run (and a worker's job lock) forever.
 */
export interface AwsTimeouts {
  /** Time to open the TCP connection. */
  connectMs: number;
  /** Time from sending a request to the response headers. */
  requestMs: number;
  /** Time a socket may stay silent, including while a response body is streaming. */
  idleMs: number;
}

export const defaultAwsTimeouts: AwsTimeouts = { connectMs: 10_000, requestMs: 60_000, idleMs: 60_000 };

/** The `requestHandler` constructor options (NodeHttpHandler) for those timeouts. */
export function awsRequestHandler(timeouts: Partial<AwsTimeouts> = {}): {
  connectionTimeout: number;
  requestTimeout: number;
  throwOnRequestTimeout: boolean;
  socketTimeout: number;
} {
  const t = { ...defaultAwsTimeouts, ...timeouts };
  return {
    connectionTimeout: t.connectMs,
    requestTimeout: t.requestMs,
    throwOnRequestTimeout: true,
    socketTimeout: t.idleMs,
  };
}
