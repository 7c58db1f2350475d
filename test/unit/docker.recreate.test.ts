// The pure half of updating a container: the recreate plan from inspect JSON (what is carried over, what is left to
// the new image, blockers, the words of the confirmation), the compose labels and command line, and release-notes
// links. The runs themselves are tested on the real dockerd (test/integration/docker.recreate.test.ts).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  composeCommandLine,
  composeProblems,
  composeProjectOf,
  composeUpArgs,
  describePlan,
  engineEnv,
  planRecreate,
  releaseNotesLinks,
  resolveEngine,
  sourceVersionOf,
  type ContainerInspect,
  type ImageInspect,
} from '../../src/core';

const ID = '3f2a9c1d4e5b60718293a4b5c6d7e8f90123456789abcdef0123456789abcdef';
const IMAGE: ImageInspect = {
  Id: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
  Config: {
    Env: ['PATH=/usr/local/bin:/usr/bin', 'APP_VERSION=1.0.0'],
    Cmd: ['nginx', '-g', 'daemon off;'],
    Entrypoint: ['/docker-entrypoint.sh'],
    Labels: { 'org.opencontainers.image.version': '1.0.0', maintainer: 'someone' },
    ExposedPorts: { '80/tcp': {} },
    Volumes: { '/var/cache/nginx': {} },
    WorkingDir: '/srv',
    StopSignal: 'SIGQUIT',
  },
};

/** A container as `docker run -d --name web -p 127.0.0.1:8080:80 -e MODE=prod -v data:/data --network app --network-alias web-alias -l team=a nginx:1.0` leaves it. */
function web(over: Partial<ContainerInspect> = {}): ContainerInspect {
  return {
    Id: ID,
    Name: '/web',
    Image: IMAGE.Id,
    State: { Status: 'running', Running: true },
    Config: {
      Hostname: ID.slice(0, 12),
      Image: 'registry.example.com/team/nginx:1.0',
      Env: ['MODE=prod', 'PATH=/usr/local/bin:/usr/bin', 'APP_VERSION=1.0.0'],
      Cmd: ['nginx', '-g', 'daemon off;'],
      Entrypoint: ['/docker-entrypoint.sh'],
      Labels: { 'org.opencontainers.image.version': '1.0.0', maintainer: 'someone', team: 'a' },
      ExposedPorts: { '80/tcp': {} },
      Volumes: { '/var/cache/nginx': {} },
      WorkingDir: '/srv',
      StopSignal: 'SIGQUIT',
    },
    HostConfig: {
      Binds: ['data:/data'],
      PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] },
      NetworkMode: 'app',
      RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
    },
    NetworkSettings: {
      Networks: {
        app: {
          Aliases: ['web-alias', ID.slice(0, 12)],
          IPAMConfig: null,
          Links: null,
          NetworkID: 'n1',
          MacAddress: '02:42:ac:12:00:02',
        },
        backend: { Aliases: [ID.slice(0, 12), 'web'], IPAMConfig: { IPv4Address: '10.5.0.9' }, NetworkID: 'n2' },
      },
    },
    Mounts: [
      { Type: 'volume', Name: 'data', Source: '/var/lib/docker/volumes/data/_data', Destination: '/data', RW: true },
      {
        Type: 'volume',
        Name: '9d1e0c7a',
        Source: '/var/lib/docker/volumes/9d1e0c7a/_data',
        Destination: '/var/cache/nginx',
        RW: true,
      },
    ],
    ...over,
  };
}

void describe('planRecreate', () => {
  void it('keeps what the user set and leaves what came from the old image to the new one', () => {
    const p = planRecreate(web(), IMAGE);
    assert.deepEqual(p.blockers, []);
    assert.equal(p.name, 'web');
    assert.equal(p.ref, 'registry.example.com/team/nginx:1.0');
    assert.equal(p.create.Image, p.ref);
    assert.deepEqual(p.create.Env, ['MODE=prod']);
    assert.deepEqual(p.create.Labels, { team: 'a' });
    for (const k of ['Hostname', 'Cmd', 'Entrypoint', 'WorkingDir', 'StopSignal'] as const)
      assert.equal(k in p.create, false, k);
    // 80/tcp came from the image, but it is published: it stays exposed.
    assert.deepEqual(p.create.ExposedPorts, { '80/tcp': {} });
    assert.deepEqual(p.create.Volumes, {});
    assert.equal(p.stopSignal, 'SIGQUIT');
    assert.equal(p.stopTimeout, 10);
    assert.equal(p.asideName, 'web-registry-lens-old');
  });

  void it('host config as it was, plus the anonymous volume mounted by name so its data stays', () => {
    const p = planRecreate(web(), IMAGE);
    assert.deepEqual(p.create.HostConfig?.Binds, ['data:/data']);
    assert.deepEqual(p.create.HostConfig?.PortBindings, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] });
    assert.deepEqual(p.create.HostConfig?.Mounts, [
      { Type: 'volume', Source: '9d1e0c7a', Target: '/var/cache/nginx', ReadOnly: false },
    ]);
    assert.deepEqual(p.create.HostConfig?.RestartPolicy, { Name: 'unless-stopped', MaximumRetryCount: 0 });
  });

  void it('the network of NetworkMode in the create body, the others connected after; aliases without the old short id; static addresses kept', () => {
    const p = planRecreate(web(), IMAGE);
    assert.deepEqual(p.create.NetworkingConfig, { EndpointsConfig: { app: { Aliases: ['web-alias'] } } });
    assert.deepEqual(p.extraNetworks, [
      { name: 'backend', endpoint: { Aliases: ['web'], IPAMConfig: { IPv4Address: '10.5.0.9' } } },
    ]);
  });

  void it('host / none / container: network modes carry no endpoint settings', () => {
    for (const mode of ['host', 'none', `container:${'a'.repeat(64)}`]) {
      const p = planRecreate(web({ HostConfig: { NetworkMode: mode } }), IMAGE);
      assert.equal(p.create.NetworkingConfig, undefined, mode);
      assert.deepEqual(p.extraNetworks, [], mode);
      assert.ok(p.keeps.includes(`network mode ${mode}`), p.keeps.join('; '));
    }
  });

  void it('an anonymous volume of the container (-v /scratch) is mounted by name, not created afresh', () => {
    const c = web({ Mounts: [{ Type: 'volume', Name: 'b7c1', Destination: '/scratch', RW: true }] });
    c.Config = { ...c.Config, Volumes: { '/var/cache/nginx': {}, '/scratch': {} } };
    const p = planRecreate(c, IMAGE);
    assert.deepEqual(p.create.Volumes, {});
    assert.deepEqual(p.create.HostConfig?.Mounts, [
      { Type: 'volume', Source: 'b7c1', Target: '/scratch', ReadOnly: false },
    ]);
  });

  void it('an overridden entrypoint and command stay, a user hostname stays', () => {
    const c = web();
    c.Config = { ...c.Config, Entrypoint: ['/bin/sh', '-c'], Cmd: ['exec nginx'], Hostname: 'frontend' };
    const p = planRecreate(c, IMAGE);
    assert.deepEqual(p.create.Entrypoint, ['/bin/sh', '-c']);
    assert.deepEqual(p.create.Cmd, ['exec nginx']);
    assert.equal(p.create.Hostname, 'frontend');
  });

  void it("without the old image (removed since), the container's values are kept and a warning says so", () => {
    const p = planRecreate(web(), null);
    assert.deepEqual(p.create.Env, ['MODE=prod', 'PATH=/usr/local/bin:/usr/bin', 'APP_VERSION=1.0.0']);
    assert.match(p.warnings.join('\n'), /no longer in the engine/);
  });

  void it('blockers: an image id, a digest pin, --rm, a stopped container', () => {
    const of = (over: Partial<ContainerInspect>, config: Partial<ContainerInspect['Config']> = {}) => {
      const c = web(over);
      c.Config = { ...c.Config, ...config };
      return planRecreate(c, IMAGE).blockers.join('\n');
    };
    assert.match(of({}, { Image: IMAGE.Id }), /created from the image id sha256:1111111111/);
    assert.match(of({}, { Image: `nginx@sha256:${'2'.repeat(64)}` }), /pinned to a digest/);
    assert.match(of({ HostConfig: { AutoRemove: true } }), /--rm: stopping it removes it/);
    assert.match(of({ State: { Status: 'exited', Running: false } }), /web is not running \(exited\)/);
  });

  void it('the confirmation says what will happen and what is kept', () => {
    const steps = describePlan(planRecreate(web(), IMAGE), { credentialSource: 'SecretStorage' });
    assert.deepEqual(steps, [
      'pull registry.example.com/team/nginx:1.0 with the credential from SecretStorage',
      'rename web to web-registry-lens-old and create a new web from the pulled image, keeping ports 127.0.0.1:8080->80/tcp; 1 environment variable (MODE); volumes and mounts data:/data, 9d1e0c7a:/var/cache/nginx; networks app (aliases web-alias), backend (aliases web) (address 10.5.0.9); 1 label; restart policy unless-stopped',
      'stop the old container (SIGQUIT, then SIGKILL after 10 s) and start the new one',
      'remove the old container once the new one runs (its volumes stay); if anything fails, the old one gets its name back and runs again',
    ]);
    assert.match(describePlan(planRecreate(web(), IMAGE), { credentialSource: null })[0] ?? '', /anonymously$/);
  });
});

void describe('compose labels and command line', () => {
  const v1 = {
    'com.docker.compose.project': 'shop',
    'com.docker.compose.service': 'api',
    'com.docker.compose.project.working_dir': '/home/me/shop',
    'com.docker.compose.project.config_files': 'docker-compose.yml,docker-compose.override.yml',
    'com.docker.compose.container-number': '1',
    'com.docker.compose.oneoff': 'False',
  };

  void it('reads the project, service, directory and files (v1 relative files, v2 absolute ones and its env file)', () => {
    assert.deepEqual(composeProjectOf(v1), {
      project: 'shop',
      service: 'api',
      workingDir: '/home/me/shop',
      configFiles: ['docker-compose.yml', 'docker-compose.override.yml'],
      environmentFile: null,
      oneoff: false,
    });
    const v2 = {
      ...v1,
      'com.docker.compose.project.config_files': '/home/me/shop/compose.yaml',
      'com.docker.compose.project.environment_file': '/home/me/shop/.env',
      'com.docker.compose.oneoff': 'True',
    };
    const p = composeProjectOf(v2);
    assert.deepEqual(p?.configFiles, ['/home/me/shop/compose.yaml']);
    assert.equal(p?.environmentFile, '/home/me/shop/.env');
    assert.equal(p?.oneoff, true);
    assert.equal(composeProjectOf({ 'com.docker.compose.project': 'shop' }), null);
  });

  void it('up -d --no-deps SERVICE with the files and the project directory', () => {
    const p = composeProjectOf(v1);
    assert.ok(p);
    const args = composeUpArgs(p);
    assert.deepEqual(args, [
      '-f',
      '/home/me/shop/docker-compose.yml',
      '-f',
      '/home/me/shop/docker-compose.override.yml',
      '--project-directory',
      '/home/me/shop',
      '-p',
      'shop',
      'up',
      '-d',
      '--no-deps',
      'api',
    ]);
    assert.equal(
      composeCommandLine({ command: 'docker', prefix: ['compose'], label: 'docker compose', version: '2.27.0' }, [
        '-f',
        '/a b/c.yml',
        'up',
      ]),
      "docker compose -f '/a b/c.yml' up",
    );
  });

  void it('problems that send it to the API path: files or directory gone, a compose run container', () => {
    const p = composeProjectOf(v1);
    assert.ok(p);
    assert.deepEqual(
      composeProblems(p, () => true),
      [],
    );
    assert.deepEqual(
      composeProblems(p, (f) => f === '/home/me/shop'),
      [
        'the compose file /home/me/shop/docker-compose.yml does not exist',
        'the compose file /home/me/shop/docker-compose.override.yml does not exist',
      ],
    );
    assert.deepEqual(
      composeProblems(p, () => false),
      ['the project directory /home/me/shop does not exist here'],
    );
    assert.match(composeProblems({ ...p, oneoff: true }, () => true).join(), /compose run/);
  });

  void it('compose talks to the same engine', () => {
    assert.deepEqual(engineEnv(resolveEngine({ host: 'unix:///run/user/1000/docker.sock', env: {} })), {
      DOCKER_HOST: 'unix:///run/user/1000/docker.sock',
    });
    assert.deepEqual(engineEnv(resolveEngine({ host: 'tcp://10.0.0.5:2375', env: {} })), {
      DOCKER_HOST: 'tcp://10.0.0.5:2375',
    });
  });
});

void describe('release notes links', () => {
  const rows: Array<[string, string | null, string | null, string | null, string | null]> = [
    // source, from, to -> compare, releases
    [
      'https://github.com/acme/api',
      '1.2.0',
      '1.3.0',
      'https://github.com/acme/api/compare/1.2.0...1.3.0',
      'https://github.com/acme/api/releases',
    ],
    [
      'https://github.com/acme/api.git',
      'v2.0.1',
      'v2.1.0',
      'https://github.com/acme/api/compare/v2.0.1...v2.1.0',
      'https://github.com/acme/api/releases',
    ],
    [
      'git@github.com:acme/api.git',
      '3.12.1-slim-bookworm',
      '3.13.0-slim-bookworm',
      'https://github.com/acme/api/compare/3.12.1...3.13.0',
      'https://github.com/acme/api/releases',
    ],
    [
      'https://www.github.com/acme/api/tree/main/docker',
      '1.25.3-debian-12-r4',
      '1.25.4-debian-12-r1',
      'https://github.com/acme/api/compare/1.25.3...1.25.4',
      'https://github.com/acme/api/releases',
    ],
    [
      'https://gitlab.com/group/sub/project',
      '1.0.0',
      '1.1.0',
      'https://gitlab.com/group/sub/project/-/compare/1.0.0...1.1.0',
      'https://gitlab.com/group/sub/project/-/releases',
    ],
    [
      'https://gitlab.com/group/project/-/tree/main',
      '1.0.0-rc.1',
      '1.0.0',
      'https://gitlab.com/group/project/-/compare/1.0.0-rc.1...1.0.0',
      'https://gitlab.com/group/project/-/releases',
    ],
    [
      'https://gitlab.example.org:8443/ops/tool.git',
      '4.1',
      '4.2',
      'https://gitlab.example.org:8443/ops/tool/-/compare/4.1...4.2',
      'https://gitlab.example.org:8443/ops/tool/-/releases',
    ],
    ['github.com/acme/api', 'latest', 'latest', null, 'https://github.com/acme/api/releases'],
    ['https://github.com/acme/api', '1.2.0', null, null, 'https://github.com/acme/api/releases'],
    ['https://github.com/acme', '1.0', '1.1', null, null],
    ['https://bitbucket.org/acme/api', '1.0', '1.1', null, null],
    ['not a url', '1.0', '1.1', null, null],
  ];
  for (const [source, from, to, compare, releases] of rows) {
    void it(`${source} ${from ?? '-'} -> ${to ?? '-'}`, () => {
      const links = releaseNotesLinks(source, from, to);
      assert.equal(links?.compare ?? null, compare);
      assert.equal(links?.releases ?? null, releases);
    });
  }
  void it('the version part of a tag, as the source repository tags it', () => {
    assert.equal(sourceVersionOf('1.4.0-3f2a9c1'), '1.4.0');
    assert.equal(sourceVersionOf('8.0.1.minimal'), '8.0.1');
    assert.equal(sourceVersionOf('bookworm'), null);
  });
});
