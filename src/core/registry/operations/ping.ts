// `GET /v2/`: reachability, the auth scheme, and (with a credential) whether the registry accepts it.
// Spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#determining-support
import { statusError } from '../status';
import type { AuthScheme, PingResult, RequestOptions } from '../types';
import type { OperationContext } from './context';

export async function ping(ctx: OperationContext, registry: string, opts: RequestOptions = {}): Promise<PingResult> {
  const { auth } = ctx;
  auth.forgetHost(registry);
  const state = await auth.hostState(registry, opts.signal);
  const challenge = auth.authChallenge(state);
  const cred = await auth.credential(registry, opts.signal);
  const result: PingResult = {
    registry,
    url: new URL('/v2/', state.base).toString(),
    scheme: state.scheme,
    status: state.pingStatus,
    auth: challenge ? (challenge.scheme as AuthScheme) : 'none',
    ...(challenge?.params.realm ? { realm: challenge.params.realm } : {}),
    ...(challenge?.params.service ? { service: challenge.params.service } : {}),
    ...(state.apiVersion ? { apiVersion: state.apiVersion } : {}),
    ...(cred ? { credentialSource: cred.source } : {}),
  };
  const withheld = cred ? (await auth.usableCredential(state, opts.signal)).refused : undefined;
  if (withheld) result.credentialNotSent = withheld;
  if (challenge && cred && !withheld) {
    // An authenticated /v2/ (Basic directly, Bearer with a scope-less token) proves the credential works.
    const res = await auth.request(registry, undefined, 'GET', '/v2/', {
      signal: opts.signal,
      kind: 'ping',
      throwOnError: false,
    });
    result.authenticated = res.status === 200;
    if (res.status === 401 || res.status === 403) {
      // Name the credential that was refused, so the message says "rejected", not "sign in".
      throw statusError(res, { registry, what: 'ping', cred, now: ctx.now });
    }
  }
  const rl = ctx.rateLimit(registry);
  if (rl) result.rateLimit = rl;
  return result;
}
