// What an operation is handed: the auth session it sends through, and the wire's rate-limit record.
import type { AuthSession } from '../auth';
import type { RateLimitInfo } from '../headers';

export interface OperationContext {
  auth: AuthSession;
  /** The last rate-limit headers seen from a registry, or undefined. */
  rateLimit(registry: string): RateLimitInfo | undefined;
  now: () => number;
  log: (line: string) => void;
}
