// One scripted registry per vendor, each rule next to the public page that documents it. Every emulator answers
// on 127.0.0.1 under the vendor's own host names (the client is pointed there by REGISTRY_LENS_TEST_RESOLVE).
import { gzipSync } from 'node:zlib';
import type * as http from 'node:http';
import {
  basicCredentials,
  json,
  manifestFor,
  parseApiPath,
  regError,
  Repo,
  type Req,
  sendManifest,
  tagPage,
  text,
  TokenBook,
} from './emulator';

export interface VendorCredential {
  /** The docker config / auth.json key the vendor's login command writes. */
  key: string;
  username: string;
  password: string;
  identitytoken?: string;
}

export interface VendorSpec {
  name: string;
  /** The registry key references use (`docker.io`, `ghcr.io`, ...). */
  registry: string;
  /** Host names served over https by this emulator. */
  httpsHosts: string[];
  /** Host names served over plain http (port 80) by this emulator. */
  httpHosts?: string[];
  /** Repository -> tags. */
  repos: Record<string, string[]>;
  /** A repository only a signed-in user may read, when the vendor has one. */
  privateRepo?: string;
  credential?: VendorCredential;
  handle(req: Req, res: http.ServerResponse): void | Promise<void>;
}

function bearerChallenge(realm: string, service: string, scope?: string): Record<string, string> {
  return { 'www-authenticate': `Bearer realm="${realm}",service="${service}"${scope ? `,scope="${scope}"` : ''}` };
}

/** The common token-auth registry API: `/v2/`, tags with `n`/`last` and Link, manifests; vendors override parts. */
function tokenRegistry(opts: {
  repos: Map<string, Repo>;
  tokens: TokenBook;
  realm: string;
  service: string;
  digestHeader?: boolean;
  manifestHeaders?: (req: Req) => Record<string, string>;
  tags?: (req: Req, res: http.ServerResponse, repo: Repo) => boolean;
}) {
  return (req: Req, res: http.ServerResponse): void => {
    const p = req.url.pathname;
    if (p === '/v2/' || p === '/v2') {
      if (opts.tokens.allows(req.headers.authorization, undefined)) json(res, 200, {});
      else regError(res, 401, 'UNAUTHORIZED', 'authentication required', bearerChallenge(opts.realm, opts.service));
      return;
    }
    const api = parseApiPath(p);
    const repo = api ? opts.repos.get(api.name) : undefined;
    if (!api) return regError(res, 404, 'NOT_FOUND', 'not found');
    if (!opts.tokens.allows(req.headers.authorization, api.name)) {
      return regError(
        res,
        401,
        'UNAUTHORIZED',
        'authentication required',
        bearerChallenge(opts.realm, opts.service, `repository:${api.name}:pull`),
      );
    }
    if (!repo) return regError(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
    if (api.kind === 'tags') {
      if (opts.tags?.(req, res, repo)) return;
      const n = req.url.searchParams.get('n');
      const page = tagPage(
        repo.tags,
        n !== null ? Number(n) : undefined,
        req.url.searchParams.get('last') ?? undefined,
      );
      const link: Record<string, string> =
        page.next !== undefined
          ? {
              link: `</v2/${repo.name}/tags/list?last=${encodeURIComponent(page.next)}${n !== null ? `&n=${n}` : ''}>; rel="next"`,
            }
          : {};
      return json(res, 200, { name: repo.name, tags: page.tags }, link);
    }
    const m = api.reference ? repo.manifest(api.reference) : undefined;
    if (api.kind !== 'manifests' || !m) return regError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
    sendManifest(req, res, m, {
      digestHeader: opts.digestHeader !== false,
      headers: opts.manifestHeaders?.(req) ?? {},
    });
  };
}

function repoMap(repos: Record<string, string[]>): Map<string, Repo> {
  return new Map(Object.entries(repos).map(([name, tags]) => [name, new Repo(name, tags)]));
}

/** A token endpoint: `public` repositories for anyone, everything for `accept(user, password)`; bad credentials 401. */
function tokenEndpoint(
  req: Req,
  res: http.ServerResponse,
  tokens: TokenBook,
  opts: {
    publicRepos: Set<string>;
    accept: (user: string, password: string) => boolean;
    privateAnonymous?: 'empty-token' | 'unauthorized';
  },
): void {
  const repos = req.url.searchParams
    .getAll('scope')
    .flatMap((s) => s.split(' '))
    .map((s) => /^repository:(.+):[^:]*$/.exec(s)?.[1])
    .filter((r): r is string => r !== undefined);
  const basic = basicCredentials(req.headers.authorization);
  if (basic) {
    if (!opts.accept(basic.user, basic.password))
      return regError(res, 401, 'UNAUTHORIZED', 'incorrect username or password');
    const token = tokens.issue(basic.user, repos);
    return json(res, 200, { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() });
  }
  const allowed = repos.filter((r) => opts.publicRepos.has(r));
  if (allowed.length < repos.length && opts.privateAnonymous === 'unauthorized')
    return regError(res, 401, 'UNAUTHORIZED', 'authentication required');
  const token = tokens.issue(undefined, allowed);
  json(res, 200, { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() });
}

// ---------------------------------------------------------------------------------------------------------------
// Docker Hub

export interface DockerHubState {
  /** Pulls left in the window; GET manifests count, HEAD does not. */
  remaining: number;
}

export function dockerHub(state: DockerHubState = { remaining: 100 }): VendorSpec & { state: DockerHubState } {
  const repos = { 'library/alpine': ['3.19.0', '3.19.1', '3.20.0', 'latest'], 'acme/private': ['1.0.0', '1.1.0'] };
  const map = repoMap(repos);
  const tokens = new TokenBook();
  const credential = { key: 'https://index.docker.io/v1/', username: 'hubuser', password: 'dckr_pat_hub-secret' };
  // "Docker Hub usage and limits" (https://docs.docker.com/docker-hub/usage/pulls/): `ratelimit-limit: 100;w=21600`,
  // `ratelimit-remaining: N;w=21600`, `docker-ratelimit-source`; a HEAD request does not count as a pull, a GET does;
  // over the limit: 429 Too Many Requests.
  const limits = (): Record<string, string> => ({
    'ratelimit-limit': '100;w=21600',
    'ratelimit-remaining': `${state.remaining};w=21600`,
    'docker-ratelimit-source': '127.0.0.1',
  });
  const registry = tokenRegistry({
    repos: map,
    tokens,
    // "Token Authentication Specification" (https://distribution.github.io/distribution/spec/auth/token/): the
    // registry's 401 names realm https://auth.docker.io/token and service registry.docker.io.
    realm: 'https://auth.docker.io/token',
    service: 'registry.docker.io',
    manifestHeaders: limits,
  });
  return {
    name: 'Docker Hub',
    registry: 'docker.io',
    // "docker login" (https://docs.docker.com/reference/cli/docker/login/): Docker Hub's API host is
    // registry-1.docker.io; the default credential key is https://index.docker.io/v1/.
    httpsHosts: ['registry-1.docker.io', 'auth.docker.io'],
    repos,
    privateRepo: 'acme/private',
    credential,
    state,
    handle(req, res) {
      if (req.host === 'auth.docker.io') {
        if (req.url.pathname !== '/token') return text(res, 404, 'not found');
        // Anonymous tokens for public images (same spec page, "Requesting a Token").
        return tokenEndpoint(req, res, tokens, {
          publicRepos: new Set(['library/alpine']),
          accept: (u, p) => u === credential.username && p === credential.password,
        });
      }
      const api = parseApiPath(req.url.pathname);
      if (api?.kind === 'manifests' && req.method === 'GET' && tokens.allows(req.headers.authorization, api.name)) {
        if (state.remaining <= 0) {
          // "Docker Hub usage and limits": 429 with a plain-text message and Retry-After.
          return text(
            res,
            429,
            'You have reached your unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit',
            { ...limits(), 'retry-after': '3600' },
          );
        }
        state.remaining--;
      }
      return registry(req, res);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// GHCR

export function ghcr(): VendorSpec {
  const repos = { 'acme/public-app': ['1.0.0', '1.2.0'], 'acme/private-app': ['2.0.0', '2.1.0'] };
  const map = repoMap(repos);
  const tokens = new TokenBook();
  const credential = { key: 'ghcr.io', username: 'octocat', password: 'ghp_octo-secret' };
  const registry = tokenRegistry({ repos: map, tokens, realm: 'https://ghcr.io/token', service: 'ghcr.io' });
  return {
    name: 'GHCR',
    registry: 'ghcr.io',
    httpsHosts: ['ghcr.io'],
    repos,
    privateRepo: 'acme/private-app',
    credential,
    handle(req, res) {
      if (req.url.pathname === '/token') {
        // "Working with the Container registry" (https://docs.github.com/en/packages/working-with-a-github-packages-registry/working-with-the-container-registry):
        // public packages can be pulled anonymously; a private package needs a personal access token — the token
        // endpoint answers 401 to an anonymous request for it.
        return tokenEndpoint(req, res, tokens, {
          publicRepos: new Set(['acme/public-app']),
          accept: (u, p) => u === credential.username && p === credential.password,
          privateAnonymous: 'unauthorized',
        });
      }
      // Same page: the registry API takes Bearer tokens only, even anonymous ones; Basic is refused.
      if (/^Basic /i.test(req.headers.authorization ?? ''))
        return regError(
          res,
          401,
          'UNAUTHORIZED',
          'authentication required',
          bearerChallenge('https://ghcr.io/token', 'ghcr.io'),
        );
      return registry(req, res);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// ECR

export interface EcrState {
  valid: Set<string>;
  expired: Set<string>;
}

export const ECR_HOST = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

export function ecr(): VendorSpec & { state: EcrState } {
  const big = Array.from({ length: 1500 }, (_, i) => `build-${String(i).padStart(4, '0')}`);
  const repos = { 'team/app': ['1.0.0', '1.0.1', '1.1.0'], 'team/big': [...big, '1.0.0'] };
  const map = repoMap(repos);
  const state: EcrState = { valid: new Set(['ecr-token-valid']), expired: new Set(['ecr-token-expired']) };
  const credential = { key: ECR_HOST, username: 'AWS', password: 'ecr-token-valid' };
  // "Private registry authentication in Amazon ECR" (https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html):
  // Basic auth with user AWS and the token from `aws ecr get-login-password`, valid for 12 hours.
  const challenge = { 'www-authenticate': `Basic realm="https://${ECR_HOST}/",service="ecr.amazonaws.com"` };
  return {
    name: 'ECR',
    registry: ECR_HOST,
    httpsHosts: [ECR_HOST],
    repos,
    privateRepo: 'team/app',
    credential,
    state,
    handle(req, res) {
      const basic = basicCredentials(req.headers.authorization);
      if (!basic) return regError(res, 401, 'DENIED', 'Not Authorized', challenge);
      // An expired token: 403 "Your authorization token has expired. Reauthenticate and try again." (the message
      // `docker pull` shows; "Troubleshooting errors with Docker commands when using Amazon ECR",
      // https://docs.aws.amazon.com/AmazonECR/latest/userguide/common-errors-docker.html).
      if (basic.user === 'AWS' && state.expired.has(basic.password))
        return regError(res, 403, 'DENIED', 'Your authorization token has expired. Reauthenticate and try again.');
      if (basic.user !== 'AWS' || !state.valid.has(basic.password))
        return regError(res, 401, 'DENIED', 'Not Authorized', challenge);
      if (req.url.pathname === '/v2/') return json(res, 200, {});
      const api = parseApiPath(req.url.pathname);
      const repo = api ? map.get(api.name) : undefined;
      if (!api || !repo) return regError(res, 404, 'NAME_UNKNOWN', 'The repository does not exist in the registry');
      if (api.kind === 'tags') {
        // "ListImages" (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ListImages.html): at most 1,000
        // results per page; the tag list pages with a Link header.
        const asked = Number(req.url.searchParams.get('n') ?? '1000');
        const page = tagPage(repo.tags, Math.min(asked, 1000), req.url.searchParams.get('last') ?? undefined);
        const link: Record<string, string> =
          page.next !== undefined
            ? {
                link: `</v2/${repo.name}/tags/list?last=${encodeURIComponent(page.next)}&n=${Math.min(asked, 1000)}>; rel="next"`,
              }
            : {};
        return json(res, 200, { name: repo.name, tags: page.tags }, link);
      }
      const m = api.reference ? repo.manifest(api.reference) : undefined;
      if (!m) return regError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      // No Docker-Content-Digest: the OCI distribution spec makes it optional ("Pulling manifests": the registry
      // SHOULD return it), and clients must then hash the manifest bytes themselves.
      sendManifest(req, res, m, { digestHeader: false });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Red Hat

export function redHat(): VendorSpec {
  const repos = { 'ubi9/ubi-minimal': ['9.3', '9.4', '9.5'] };
  const map = repoMap(repos);
  return {
    name: 'Red Hat',
    registry: 'registry.access.redhat.com',
    // "Red Hat Container Registry Authentication" (https://access.redhat.com/RegistryAuthentication):
    // registry.access.redhat.com serves UBI images without authentication.
    httpsHosts: ['registry.access.redhat.com'],
    repos,
    handle(req, res) {
      if (req.url.pathname === '/v2/') return json(res, 200, {});
      const api = parseApiPath(req.url.pathname);
      const repo = api ? map.get(api.name) : undefined;
      if (!api || !repo) return regError(res, 404, 'NAME_UNKNOWN', 'repository not found');
      // RFC 9110 §12.5.3 ("Accept-Encoding"): with no Accept-Encoding any content coding is acceptable, so the CDN
      // in front of the registry gzips bodies unless the client asks for `identity`.
      const identity = /^\s*identity\s*$/i.test(req.headers['accept-encoding']?.toString() ?? '');
      const encode = (b: Buffer): { body: Buffer; headers: Record<string, string> } =>
        identity ? { body: b, headers: {} } : { body: gzipSync(b), headers: { 'content-encoding': 'gzip' } };
      if (api.kind === 'tags') {
        const e = encode(Buffer.from(JSON.stringify({ name: repo.name, tags: repo.tags })));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': e.body.length, ...e.headers });
        return void res.end(e.body);
      }
      const m = api.reference ? repo.manifest(api.reference) : undefined;
      if (!m) return regError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      const e = encode(m.body);
      // No Docker-Content-Digest either (see ECR above).
      sendManifest(req, res, m, { digestHeader: false, body: e.body, headers: e.headers });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Quay

export function quay(): VendorSpec {
  const tags = Array.from({ length: 130 }, (_, i) => `v1.${i}.0`);
  const repos = { 'acme/app': tags };
  const map = repoMap(repos);
  const tokens = new TokenBook();
  const credential = { key: 'quay.io', username: 'acme+ci', password: 'QUAYROBOTTOKEN' };
  const registry = tokenRegistry({
    repos: map,
    tokens,
    realm: 'https://quay.io/v2/auth',
    service: 'quay.io',
    tags(req, res, repo) {
      // "Red Hat Quay API guide", listRepoTags (https://docs.redhat.com/en/documentation/red_hat_quay/3/html/red_hat_quay_api_guide/):
      // `limit` at most 100; the registry's tag list refuses a larger `n`, and returns tags in no particular order.
      const n = Number(req.url.searchParams.get('n') ?? '50');
      if (n > 100) {
        regError(res, 400, 'INVALID_REQUEST', 'n must be at most 100');
        return true;
      }
      const start = Number(req.url.searchParams.get('next_page') ?? '0');
      const shuffled = [...repo.tags].sort(
        (a, b) =>
          ((a.length * 7 + a.charCodeAt(a.length - 3)) % 5) - ((b.length * 7 + b.charCodeAt(b.length - 3)) % 5) ||
          b.localeCompare(a),
      );
      const page = shuffled.slice(start, start + n);
      const link: Record<string, string> =
        start + n < shuffled.length
          ? { link: `</v2/${repo.name}/tags/list?n=${n}&next_page=${start + n}>; rel="next"` }
          : {};
      json(res, 200, { name: repo.name, tags: page }, link);
      return true;
    },
  });
  return {
    name: 'Quay',
    registry: 'quay.io',
    httpsHosts: ['quay.io'],
    repos,
    credential,
    handle(req, res) {
      // "Robot accounts" (https://docs.quay.io/glossary/robot-accounts.html): robot users are `namespace+name`.
      if (req.url.pathname === '/v2/auth')
        return tokenEndpoint(req, res, tokens, {
          publicRepos: new Set(['acme/app']),
          accept: (u, p) => u === credential.username && p === credential.password,
        });
      return registry(req, res);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Harbor

export function harbor(): VendorSpec {
  const repos = { 'acme/app': ['2.0.0', '2.1.0'] };
  const map = repoMap(repos);
  const tokens = new TokenBook();
  // "Create Project Robot Accounts" (https://goharbor.io/docs/main/working-with-projects/project-configuration/create-robot-accounts/):
  // robot users are named `robot$<project>+<name>`.
  const credential = { key: 'harbor.example', username: 'robot$acme+ci', password: 'HarborRobotSecret1' };
  // "Configure the Harbor YML File" (https://goharbor.io/docs/main/install-config/configure-yml-file/): behind a
  // TLS-terminating proxy without `external_url`, Harbor advertises an http:// realm; port 80 redirects to https.
  const registry = tokenRegistry({
    repos: map,
    tokens,
    realm: 'http://harbor.example/service/token',
    service: 'harbor-registry',
  });
  return {
    name: 'Harbor',
    registry: 'harbor.example',
    httpsHosts: ['harbor.example'],
    httpHosts: ['harbor.example'],
    repos,
    privateRepo: 'acme/app',
    credential,
    handle(req, res) {
      if (req.scheme === 'http') {
        res.writeHead(308, {
          location: `https://harbor.example${req.url.pathname}${req.url.search}`,
          'content-length': 0,
        });
        return void res.end();
      }
      if (req.url.pathname === '/service/token')
        return tokenEndpoint(req, res, tokens, {
          publicRepos: new Set(),
          accept: (u, p) => u === credential.username && p === credential.password,
        });
      return registry(req, res);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// GitLab

export function gitlab(): VendorSpec {
  const repos = { 'group/project/app': ['1.4.0', '1.5.0'] };
  const map = repoMap(repos);
  const tokens = new TokenBook();
  const credential = { key: 'registry.gitlab.example', username: 'gitlab-ci-token', password: 'glpat-secret' };
  // "GitLab container registry administration" (https://docs.gitlab.com/administration/packages/container_registry/):
  // the registry lives on its own host; its token realm is the GitLab instance's `/jwt/auth`.
  const registry = tokenRegistry({
    repos: map,
    tokens,
    realm: 'https://gitlab.example/jwt/auth',
    service: 'container_registry',
  });
  return {
    name: 'GitLab',
    registry: 'registry.gitlab.example',
    httpsHosts: ['registry.gitlab.example', 'gitlab.example'],
    repos,
    privateRepo: 'group/project/app',
    credential,
    handle(req, res) {
      if (req.host === 'gitlab.example') {
        if (req.url.pathname !== '/jwt/auth') return text(res, 404, 'not found');
        return tokenEndpoint(req, res, tokens, {
          publicRepos: new Set(),
          accept: (u, p) => u === credential.username && p === credential.password,
        });
      }
      return registry(req, res);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Artifactory

export function artifactory(): VendorSpec {
  const tags = Array.from({ length: 12 }, (_, i) => `1.${i}.0`);
  const repos = { 'docker-local/app': tags };
  const map = repoMap(repos);
  return {
    name: 'Artifactory',
    registry: 'acme.jfrog.io',
    // "Docker Repositories" (https://jfrog.com/help/r/jfrog-artifactory-documentation/docker-repositories): the
    // repository path method, `host/<repo-key>/<image>`.
    httpsHosts: ['acme.jfrog.io'],
    repos,
    handle(req, res) {
      if (req.url.pathname === '/v2/') return json(res, 200, {});
      const api = parseApiPath(req.url.pathname);
      const repo = api ? map.get(api.name) : undefined;
      if (!api || !repo) return regError(res, 404, 'NAME_UNKNOWN', 'Repository name not known to registry');
      if (api.kind === 'tags') {
        const n = req.url.searchParams.get('n');
        const page = tagPage(
          repo.tags,
          n !== null ? Math.min(Number(n), 5) : 5,
          req.url.searchParams.get('last') ?? undefined,
        );
        // As our users' Artifactory instances answer (the rule is the issue's report, not a documented feature): the
        // Link next URL names `/v2/<image>/...` without `<repo-key>/`, which answers 404. The distribution spec
        // ("Listing Tags", https://github.com/opencontainers/distribution-spec/blob/main/spec.md) lets a client page
        // with `last=` itself.
        const link: Record<string, string> =
          page.next !== undefined
            ? { link: `</v2/${api.name.split('/').slice(1).join('/')}/tags/list?last=${page.next}&n=5>; rel="next"` }
            : {};
        return json(res, 200, { name: repo.name, tags: page.tags }, link);
      }
      const m = api.reference ? repo.manifest(api.reference) : undefined;
      if (!m) return regError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      sendManifest(req, res, m, { digestHeader: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Nexus

export function nexus(): VendorSpec {
  const tags = Array.from({ length: 9 }, (_, i) => `3.${i}.0`);
  const many = Array.from({ length: 1200 }, (_, i) => `4.0.${i}`);
  const repos = { 'acme/app': tags, 'acme/nolink': many };
  const map = repoMap(repos);
  return {
    name: 'Nexus',
    registry: 'nexus.example',
    // "Docker Registry" (https://help.sonatype.com/en/docker-registry.html): repositories are also served under
    // `/repository/<name>/`, the path Nexus writes into the tag list's Link header.
    httpsHosts: ['nexus.example'],
    repos,
    handle(req, res) {
      if (req.url.pathname === '/v2/') return json(res, 200, {});
      // As our users' Nexus instances answer (reported in the issue): the `/repository/<name>/` path the Link
      // names is refused with 400; paging with `last=` on the original URL works (distribution spec, "Listing Tags").
      if (req.url.pathname.startsWith('/repository/')) return regError(res, 400, 'UNSUPPORTED', 'Bad Request');
      const api = parseApiPath(req.url.pathname);
      const repo = api ? map.get(api.name) : undefined;
      if (!api || !repo) return regError(res, 404, 'NAME_UNKNOWN', 'repository not found');
      if (api.kind === 'tags') {
        const n = req.url.searchParams.get('n');
        // acme/nolink: pages of `n` (at most 1,000) and no Link at all (same report): a client that trusts the
        // missing Link stops after the first page.
        const cap = api.name === 'acme/nolink' ? 1000 : 4;
        const page = tagPage(
          repo.tags,
          n !== null ? Math.min(Number(n), cap) : cap,
          req.url.searchParams.get('last') ?? undefined,
        );
        const link: Record<string, string> =
          page.next !== undefined && api.name !== 'acme/nolink'
            ? { link: `</repository/docker-hosted/v2/${api.name}/tags/list?last=${page.next}&n=4>; rel="next"` }
            : {};
        return json(res, 200, { name: repo.name, tags: page.tags }, link);
      }
      const m = api.reference ? repo.manifest(api.reference) : undefined;
      if (!m) return regError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      sendManifest(req, res, m, { digestHeader: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Artifact Registry / GCR

export const GCP_JSON_KEY = JSON.stringify({
  type: 'service_account',
  project_id: 'acme',
  private_key_id: 'k1',
  client_email: 'ci@acme.iam.gserviceaccount.com',
});

export function artifactRegistry(): VendorSpec {
  const repos = { 'acme/images/app': ['0.9.0', '1.0.0'] };
  const map = repoMap(repos);
  const tokens = new TokenBook();
  // "Configure authentication to Artifact Registry for Docker" (https://cloud.google.com/artifact-registry/docs/docker/authentication):
  // user `_json_key` with the service account key file as the password, or `oauth2accesstoken` with an access token.
  const credential = { key: 'europe-docker.pkg.dev', username: '_json_key', password: GCP_JSON_KEY };
  const registry = tokenRegistry({
    repos: map,
    tokens,
    realm: 'https://europe-docker.pkg.dev/v2/token',
    service: 'europe-docker.pkg.dev',
  });
  return {
    name: 'Artifact Registry',
    registry: 'europe-docker.pkg.dev',
    httpsHosts: ['europe-docker.pkg.dev'],
    repos,
    privateRepo: 'acme/images/app',
    credential,
    handle(req, res) {
      if (req.url.pathname === '/v2/token') {
        return tokenEndpoint(req, res, tokens, {
          publicRepos: new Set(),
          accept: (u, p) =>
            (u === '_json_key' && p === GCP_JSON_KEY) || (u === 'oauth2accesstoken' && p.startsWith('ya29.')),
          privateAnonymous: 'unauthorized',
        });
      }
      return registry(req, res);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// ACR

export const ACR_USER = '00000000-0000-0000-0000-000000000000';

export function acr(): VendorSpec {
  const repos = { 'team/app': ['5.0.0', '5.1.0'] };
  const map = repoMap(repos);
  const tokens = new TokenBook();
  const refreshTokens = new Set(['acr-refresh-token']);
  // "Authenticate with an Azure container registry", `az acr login --expose-token`
  // (https://learn.microsoft.com/en-us/azure/container-registry/container-registry-authentication): the docker config
  // holds user 00000000-0000-0000-0000-000000000000, an empty password and an `identitytoken` (a refresh token).
  const credential = { key: 'acme.azurecr.io', username: ACR_USER, password: '', identitytoken: 'acr-refresh-token' };
  const registry = tokenRegistry({
    repos: map,
    tokens,
    realm: 'https://acme.azurecr.io/oauth2/token',
    service: 'acme.azurecr.io',
  });
  return {
    name: 'ACR',
    registry: 'acme.azurecr.io',
    httpsHosts: ['acme.azurecr.io'],
    repos,
    privateRepo: 'team/app',
    credential,
    handle(req, res) {
      if (req.url.pathname === '/oauth2/token') {
        // "Azure Container Registry: AAD OAuth" (https://github.com/Azure/acr/blob/main/docs/AAD-OAuth.md): POST
        // grant_type=refresh_token, service, scope, refresh_token -> {"access_token"}.
        if (req.method !== 'POST') return regError(res, 401, 'UNAUTHORIZED', 'authentication required');
        const form = new URLSearchParams(req.body);
        if (form.get('grant_type') !== 'refresh_token' || !refreshTokens.has(form.get('refresh_token') ?? ''))
          return regError(res, 401, 'UNAUTHORIZED', 'invalid refresh token');
        const scopes = (form.get('scope') ?? '')
          .split(' ')
          .map((s) => /^repository:(.+):[^:]*$/.exec(s)?.[1])
          .filter((r): r is string => r !== undefined);
        return json(res, 200, { access_token: tokens.issue(ACR_USER, scopes) });
      }
      return registry(req, res);
    },
  };
}

export const ALL_VENDORS = {
  dockerHub,
  ghcr,
  ecr,
  redHat,
  quay,
  harbor,
  gitlab,
  artifactory,
  nexus,
  artifactRegistry,
  acr,
} as const;

export { manifestFor };
