// Updating a running container against the test environment's REAL dockerd and htpasswd registry:
// - the API path: a container with a port binding, an environment variable, a named volume (its data kept), a
//   network with an alias and a label is recreated on the newer image pushed to its tag, under its name, with all
//   of them, and the old one is removed; run again it is up to date;
// - a newer image whose start fails (an entrypoint that does not exist), and one that exits at once, are rolled
//   back: the old container has its name back and runs, no new container is left;
// - the compose path with Debian's docker-compose: `up -d --no-deps <service>` with the project's files and
//   directory recreates the service on the pulled image;
// - `registry-lens update` refuses without --yes, saying what it would do.
//   REGISTRY_LENS_OUT=out-docker node esbuild.mjs --tests && node --test out-docker/test/integration/docker.recreate.test.js
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  Engine,
  findCompose,
  isRecreateError,
  prepareUpdate,
  recreateContainer,
  resolveEngine,
  runCompose,
  updateWithCompose,
  type ContainerInspect,
  type Credential,
} from '../../src/core';
import { main } from '../../src/cli/main';
import {
  dockerRequest,
  RegistryClient as PushClient,
  registryInfo,
  TEST_SEED,
  TEST_USER,
  type TestEnv,
  useTestEnv,
} from '../services';
import { busyboxLayer, layer, MT, sha256, type BuiltImage } from '../services/image';
import { buildRepo, Pusher } from '../services/seed';

const HAS_DOCKERD = ['/usr/sbin/dockerd', '/usr/bin/dockerd', '/usr/local/bin/dockerd'].some((p) => fs.existsSync(p));
const getEnv = useTestEnv({ engine: HAS_DOCKERD, seed: 'test' });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-recreate-it-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const REPO = `recreate/app-${process.pid}`;
const NET = `rl-net-${process.pid}`;
const VOL = `rl-vol-${process.pid}`;
const NAME = `rl-web-${process.pid}`;

let env: TestEnv;
let sock = '';
let ref = '';
let auth: Credential;
let engine: Engine;
const anonymousVolumes: string[] = [];

const seed = (contentTag: string, as: string): BuiltImage => {
  const source = buildRepo(TEST_SEED, 'test/app').find((i) => i.tag === contentTag);
  assert.ok(source, `test/app:${contentTag} is a seed tag`);
  return { ...source, tag: as };
};

/** A runnable image (the seed's busybox layer) whose config sets this entrypoint: one that cannot start, or exits. */
function imageWithEntrypoint(tag: string, entrypoint: string[], marker: string): BuiltImage {
  const base = busyboxLayer();
  const top = layer([
    { type: 'dir', path: 'etc' },
    { type: 'file', path: 'etc/version', data: Buffer.from(`${marker}\n`) },
  ]);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-02-01T00:00:00Z',
      config: { Env: ['PATH=/bin'], Entrypoint: entrypoint, Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: [base.diffId, top.diffId] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MT.dockerManifest,
      config: { mediaType: MT.dockerConfig, size: config.length, digest: sha256(config) },
      layers: [base, top].map((l) => ({ mediaType: MT.dockerLayer, size: l.blob.length, digest: l.digest })),
    }),
  );
  return {
    tag,
    kind: 'docker',
    platforms: ['linux/amd64'],
    children: [],
    blobs: [
      { digest: base.digest, size: base.blob.length, data: base.blob, mediaType: MT.dockerLayer },
      { digest: top.digest, size: top.blob.length, data: top.blob, mediaType: MT.dockerLayer },
      { digest: sha256(config), size: config.length, data: config, mediaType: MT.dockerConfig },
    ],
    manifest: { mediaType: MT.dockerManifest, digest: sha256(manifest), size: manifest.length, data: manifest },
  };
}

async function push(img: BuiltImage, repository = REPO): Promise<void> {
  const info = registryInfo(env, 'basic');
  const client = new PushClient({ url: info.url, username: TEST_USER.username, password: TEST_USER.password });
  try {
    await new Pusher(client).pushImage(repository, img);
  } finally {
    client.close();
  }
}

async function api<T>(method: string, apiPath: string, body?: unknown, ok = [200, 201, 204]): Promise<T> {
  const res = await dockerRequest(
    sock,
    method,
    apiPath,
    body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
  );
  assert.ok(ok.includes(res.status), `${method} ${apiPath}: ${res.status} ${res.text()}`);
  return (res.text() ? res.json<T>() : undefined) as T;
}
const inspect = (idOrName: string) => api<ContainerInspect>('GET', `/containers/${idOrName}/json`);
const imageId = async (r: string) => (await api<{ Id: string }>('GET', `/images/${encodeURIComponent(r)}/json`)).Id;
const names = async () =>
  (await api<Array<{ Names: string[] }>>('GET', '/containers/json?all=1')).flatMap((c) =>
    c.Names.map((n) => n.slice(1)),
  );

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The web container as a user would start it: port, env, a named volume, a network with an alias, a label. */
async function runWeb(port: number): Promise<string> {
  const created = await api<{ Id: string }>('POST', `/containers/create?name=${NAME}`, {
    Image: ref,
    // Counts its starts in the volume: the new container must see the old one's data.
    Cmd: ['sh', '-c', 'echo start >> /data/starts; exec sleep 600'],
    Env: ['GREETING=hello from the test'],
    Labels: { 'org.example.team': 'registry-lens' },
    ExposedPorts: { '8080/tcp': {} },
    // An anonymous volume (`-v /cache`): the new container must mount the same one.
    Volumes: { '/cache': {} },
    StopTimeout: 3,
    HostConfig: {
      PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] },
      Binds: [`${VOL}:/data`],
      NetworkMode: NET,
    },
    NetworkingConfig: { EndpointsConfig: { [NET]: { Aliases: ['web-alias'] } } },
  });
  await api('POST', `/containers/${created.Id}/start`);
  return created.Id;
}

async function removeAll(): Promise<void> {
  for (const n of await names().catch(() => [] as string[]))
    if (n.startsWith(NAME) || n.startsWith(`rlp${process.pid}`))
      await dockerRequest(sock, 'DELETE', `/containers/${n}?force=1`).catch(() => undefined);
}

void describe(
  'updating a running container (real dockerd)',
  { skip: HAS_DOCKERD ? false : 'dockerd is not installed' },
  () => {
    before(async () => {
      env = await getEnv();
      assert.ok(env.docker, 'engine started');
      sock = env.docker.socketPath;
      ref = `${registryInfo(env, 'basic').host}/${REPO}:stable`;
      auth = { ...TEST_USER, source: 'test keychain' };
      engine = new Engine(resolveEngine({ host: `unix://${sock}`, env: {} }));
      await push(seed('1.0.0', 'stable'));
      await engine.pull(ref, { auth });
      await api('POST', '/networks/create', { Name: NET, Driver: 'bridge', CheckDuplicate: true });
      await api('POST', '/volumes/create', { Name: VOL });
    });

    after(async () => {
      if (!sock) return;
      await removeAll();
      await dockerRequest(sock, 'DELETE', `/networks/${NET}`).catch(() => undefined);
      await dockerRequest(sock, 'DELETE', `/volumes/${VOL}`).catch(() => undefined);
      for (const v of anonymousVolumes) await dockerRequest(sock, 'DELETE', `/volumes/${v}`).catch(() => undefined);
    });

    void it('recreates a container with a port binding, an env var, a volume, a network alias and a label on the newer image of its tag', async () => {
      const port = await freePort();
      const oldId = await runWeb(port);
      const oldImage = await imageId(ref);
      const oldCache = (await inspect(oldId)).Mounts?.find((m) => m.Destination === '/cache')?.Name;
      assert.ok(oldCache, 'the anonymous volume');
      anonymousVolumes.push(oldCache);
      await push(seed('1.1.0', 'stable'));
      const steps: string[] = [];
      const result = await recreateContainer(engine, NAME, { auth, onStep: (s) => steps.push(s) });
      assert.equal(result.outcome, 'recreated', JSON.stringify(result));
      assert.equal(result.oldId, oldId);
      assert.notEqual(result.newImageId, oldImage);
      assert.deepEqual(result.warnings, []);

      const c = await inspect(NAME);
      assert.equal(c.Id, result.newId);
      assert.equal(c.State.Running, true);
      assert.equal(c.Image, result.newImageId);
      assert.equal(c.Image, await imageId(ref));
      assert.equal(c.Config.Image, ref);
      assert.ok(c.Config.Env?.includes('GREETING=hello from the test'), String(c.Config.Env));
      assert.ok(c.Config.Env?.includes('PATH=/bin'));
      assert.equal(c.Config.Labels?.['org.example.team'], 'registry-lens');
      // The new image's own label (1.1.0), not the old image's value frozen into the container.
      assert.equal(c.Config.Labels?.['org.opencontainers.image.version'], '1.1.0');
      assert.equal(c.Config.StopTimeout, 3);
      assert.deepEqual(c.Config.Cmd, ['sh', '-c', 'echo start >> /data/starts; exec sleep 600']);
      assert.deepEqual(c.HostConfig.PortBindings, { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
      assert.deepEqual(c.HostConfig.Binds, [`${VOL}:/data`]);
      assert.equal(c.Mounts?.find((m) => m.Destination === '/cache')?.Name, oldCache);
      assert.equal(c.Mounts?.length, 2, JSON.stringify(c.Mounts));
      assert.equal(c.HostConfig.NetworkMode, NET);
      assert.deepEqual(Object.keys(c.NetworkSettings?.Networks ?? {}), [NET]);
      assert.ok(
        c.NetworkSettings?.Networks?.[NET]?.Aliases?.includes('web-alias'),
        JSON.stringify(c.NetworkSettings?.Networks),
      );
      assert.ok(
        !c.NetworkSettings?.Networks?.[NET]?.Aliases?.includes(oldId.slice(0, 12)),
        "the old container's id is not an alias of the new one",
      );
      // The volume's data: both containers wrote into the same one.
      const vol = await api<{ Mountpoint: string }>('GET', `/volumes/${VOL}`);
      assert.equal(fs.readFileSync(path.join(vol.Mountpoint, 'starts'), 'utf8'), 'start\nstart\n');
      // The old container is gone, nothing is left aside.
      assert.equal((await dockerRequest(sock, 'GET', `/containers/${oldId}/json`)).status, 404);
      assert.deepEqual(
        (await names()).filter((n) => n.startsWith(NAME)),
        [NAME],
      );
      assert.deepEqual(steps.slice(0, 2), [`pulling ${ref}`, `renaming ${NAME} to ${NAME}-registry-lens-old`]);

      const again = await recreateContainer(engine, NAME, { auth });
      assert.equal(again.outcome, 'up-to-date');
      assert.equal((await inspect(NAME)).Id, result.newId);
    });

    void it('a newer image whose start fails is rolled back: the old container has its name back and runs; no new container is left', async () => {
      const before = await inspect(NAME);
      await push(imageWithEntrypoint('stable', ['/bin/no-such-program'], 'broken'));
      await assert.rejects(recreateContainer(engine, NAME, { auth }), (e: unknown) => {
        assert.ok(isRecreateError(e), String(e));
        assert.equal(e.stage, 'start', e.message);
        assert.equal(e.restored, true, e.message);
        assert.match(
          e.message,
          new RegExp(
            `^Updating ${NAME} failed: starting the new container from ${ref.replace(/[.]/g, '\\.')}: .*no-such-program`,
          ),
        );
        assert.match(
          e.message,
          /Restored: the new container was removed, the old container has its name .* back, it runs again\.$/,
        );
        return true;
      });
      const now = await inspect(NAME);
      assert.equal(now.Id, before.Id);
      assert.equal(now.State.Running, true);
      assert.equal(now.Image, before.Image);
      assert.deepEqual(
        (await names()).filter((n) => n.startsWith(NAME)),
        [NAME],
      );
    });

    void it('a newer image that exits right after its start is rolled back too, with its exit code and output', async () => {
      const before = await inspect(NAME);
      await push(
        imageWithEntrypoint('stable', ['/bin/sh', '-c', 'echo the new image gives up; exit 3', '--'], 'exits'),
      );
      await assert.rejects(recreateContainer(engine, NAME, { auth, settleMs: 1000 }), (e: unknown) => {
        assert.ok(isRecreateError(e), String(e));
        assert.equal(e.stage, 'verify', e.message);
        assert.equal(e.restored, true, e.message);
        assert.match(
          e.message,
          /the new container exited with code 3 right after its start: last output: the new image gives up/,
        );
        return true;
      });
      const now = await inspect(NAME);
      assert.equal(now.Id, before.Id);
      assert.equal(now.State.Running, true);
      assert.deepEqual(
        (await names()).filter((n) => n.startsWith(NAME)),
        [NAME],
      );
    });

    void it('registry-lens update without --yes refuses and says what it would do; a wrong name is an error', async () => {
      let out = '';
      let err = '';
      const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (err += s), cwd: tmp };
      const code = await main(['update', NAME, '--docker-host', `unix://${sock}`], { ...io, env: {} });
      assert.equal(code, 2, err);
      assert.match(err, /without --yes/);
      assert.match(out, new RegExp(`${NAME}: pull ${ref.replace(/[.]/g, '\\.')}`));
      assert.match(out, /ports 127\.0\.0\.1:\d+->8080\/tcp/);
      assert.equal(
        await main(['update', `${NAME}-nope`, '--yes', '--docker-host', `unix://${sock}`], { ...io, env: {} }),
        2,
      );
      assert.match(err, /No container .*-nope/);
    });

    void it(
      "compose path: Debian's docker-compose runs up -d --no-deps <service> with the project's files and directory",
      {
        skip: fs.existsSync('/usr/bin/docker-compose')
          ? false
          : 'docker-compose is not installed (apt-get install docker-compose)',
      },
      async () => {
        const project = `rlp${process.pid}`;
        const dir = path.join(tmp, 'compose-project');
        fs.mkdirSync(dir, { recursive: true });
        await push(seed('1.0.0', 'compose'));
        const cref = ref.replace(/:stable$/, ':compose');
        fs.writeFileSync(
          path.join(dir, 'compose.yaml'),
          `version: "3.7"\nservices:\n  app:\n    image: ${cref}\n    command: ["sleep", "600"]\n    network_mode: none\n    stop_grace_period: 1s\n    environment:\n      MODE: compose\n`,
        );
        await engine.pull(cref, { auth });
        const envs = { ...process.env, DOCKER_HOST: `unix://${sock}` };
        const up = await new Promise<string>((resolve, reject) =>
          execFile(
            'docker-compose',
            ['-f', 'compose.yaml', '-p', project, 'up', '-d'],
            { cwd: dir, env: envs },
            (e, so, se) => (e ? reject(new Error(`${se}${so}`)) : resolve(se + so)),
          ),
        );
        assert.match(up, /Creating|Started|Running/);
        const list = async () =>
          api<Array<{ Id: string; ImageID: string; Names: string[]; Labels: Record<string, string> }>>(
            'GET',
            `/containers/json?filters=${encodeURIComponent(JSON.stringify({ label: [`com.docker.compose.project=${project}`] }))}`,
          );
        const [old] = await list();
        assert.ok(old);
        await push(seed('1.1.0', 'compose'));

        const compose = await findCompose(envs);
        assert.ok(compose);
        const u = await prepareUpdate(engine, old.Id, {
          credentialSource: 'test keychain',
          findCompose: () => Promise.resolve(compose),
        });
        assert.equal(u.path, 'compose', JSON.stringify(u.warnings));
        assert.ok(u.compose);
        assert.deepEqual(u.compose.args, [
          '-f',
          path.join(dir, 'compose.yaml'),
          '--project-directory',
          dir,
          '-p',
          project,
          'up',
          '-d',
          '--no-deps',
          'app',
        ]);
        assert.equal(u.compose.env.DOCKER_HOST, `unix://${sock}`);
        assert.match(
          u.steps.join('\n'),
          new RegExp(
            `pull ${cref.replace(/[.]/g, '\\.')} with the credential from test keychain\nrun \`docker-compose -f `,
          ),
        );
        let output = '';
        const result = await updateWithCompose(engine, u, {
          auth,
          run: (c) =>
            runCompose(c.command, c.args, {
              cwd: c.cwd,
              env: { ...process.env, ...c.env },
              stdio: 'pipe',
              onOutput: (t) => (output += t),
            }),
        });
        assert.equal(result.outcome, 'recreated', output);
        assert.deepEqual(result.warnings, [], output);
        assert.match(output, /Recreating/);
        const [now] = await list();
        assert.ok(now);
        assert.notEqual(now.Id, old.Id);
        assert.equal(now.ImageID, await imageId(cref));
        assert.notEqual(now.ImageID, old.ImageID);
        assert.equal((await inspect(now.Id)).Config.Env?.includes('MODE=compose'), true);
      },
    );
  },
);
