/**
 * Who an execution ran as (issue 17, audit): STS `GetCallerIdentity` (needs no IAM permission), asked once
 * per process and kept; recorded in `execution.json` → `audit.caller`. "When available": without AWS
 * credentials, or when STS cannot be reached, the reason is recorded instead and the execution goes on.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import { toDriftwatchError } from '../core/error-boundary.js';
import { awsRequestHandler } from '../io/aws-http.js';

/** `audit.caller` of an execution.json. */
export interface CallerIdentity {
  /** The principal's ARN (`arn:aws:iam::<account>:user/<name>`, `arn:aws:sts::<account>:assumed-role/...`). */
  arn?: string;
  account?: string;
  userId?: string;
  /** Why the identity is not known (no credentials, STS unreachable). */
  unavailable?: string;
}

/** A function that resolves the caller identity once (later calls get the same answer). */
export type CallerIdentityLookup = () => Promise<CallerIdentity>;

/**
 * The lookup of this process's caller identity, with the SDK's default credential chain, region and
 * endpoint settings (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_STS`). Short timeouts: it must never hold an
 * execution up. A failed lookup is asked again after `retryAfterMs`.
 */
export function callerIdentityLookup(
  options: { retryAfterMs?: number; client?: STSClient } = {},
): CallerIdentityLookup {
  let answer: Promise<CallerIdentity> | undefined;
  let failedAt = 0;
  const retryAfterMs = options.retryAfterMs ?? 60_000;
  return async () => {
    if (answer && !(failedAt && Date.now() - failedAt > retryAfterMs)) return await answer;
    failedAt = 0;
    answer = (async () => {
      // The STS SDK is loaded only when an execution asks (CLI start-up, issue 15).
      const { GetCallerIdentityCommand, STSClient } = await import('@aws-sdk/client-sts');
      const client =
        options.client ??
        new STSClient({
          maxAttempts: 1,
          requestHandler: awsRequestHandler({ connectMs: 3_000, requestMs: 5_000, idleMs: 5_000 }),
        });
      try {
        const out = await client.send(new GetCallerIdentityCommand({}));
        return {
          ...(out.Arn ? { arn: out.Arn } : {}),
          ...(out.Account ? { account: out.Account } : {}),
          ...(out.UserId ? { userId: out.UserId } : {}),
        };
      } catch (error) {
        failedAt = Date.now();
        return { unavailable: `STS GetCallerIdentity: ${toDriftwatchError(error).message}` };
      } finally {
        if (!options.client) client.destroy();
      }
    })();
    return await answer;
  };
}
