import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  buildMirrorTable,
  daemonConfigFiles,
  MirrorTable,
  mirroredRepository,
  parseMirror,
  readDaemonMirrors,
  throughMirrors,
} from '../../src/core/registry';

void describe('registry mirrors', () => {
  void it('parseMirror: host[:port][/prefix], scheme and trailing slash dropped; bad ones say why', () => {
    assert.deepEqual(parseMirror('https://mirror.gcr.io/', 'x'), {
      registry: 'mirror.gcr.io',
      prefix: '',
      text: 'https://mirror.gcr.io/',
      from: 'x',
    });
    assert.deepEqual(parseMirror('harbor.corp:8443/dockerhub-proxy', 'x'), {
      registry: 'harbor.corp:8443',
      prefix: 'dockerhub-proxy',
      text: 'harbor.corp:8443/dockerhub-proxy',
      from: 'x',
    });
    assert.throws(
      () => parseMirror('not a host', 'registryLens.registryMirrors'),
      /registryLens\.registryMirrors: the mirror "not a host" is not host\[:port\]\[\/path\]/,
    );
    assert.throws(() => parseMirror('mirror.corp/Upper Case', 'x'), /has a path that is not a repository prefix/);
    assert.equal(mirroredRepository(parseMirror('h.corp/proxy', 'x'), 'library/alpine'), 'proxy/library/alpine');
  });

  void it('MirrorTable: hosts normalised (Hub aliases), order kept, duplicates and self-mirrors dropped, problems listed', () => {
    const t = new MirrorTable().add(
      { 'index.docker.io': ['a.corp', 'b.corp', 'a.corp'], 'ghcr.io': ['ghcr.io'], 'bad host': ['x.corp'] },
      'setting',
    );
    assert.deepEqual(
      t.for('docker.io').map((m) => m.text),
      ['a.corp', 'b.corp'],
    );
    assert.deepEqual(t.for('ghcr.io'), []);
    assert.deepEqual(t.problems, ['setting: "bad host" is not a registry host']);
  });

  void it('daemon.json: rootless file first, registry-mirrors for Docker Hub after the setting; a bad file names itself', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-mirrors-unit-'));
    try {
      assert.deepEqual(daemonConfigFiles({ XDG_CONFIG_HOME: '/cfg' }, '/home/u'), [
        '/cfg/docker/daemon.json',
        '/etc/docker/daemon.json',
      ]);
      const file = path.join(dir, 'daemon.json');
      fs.writeFileSync(file, JSON.stringify({ 'registry-mirrors': ['https://mirror.gcr.io'], debug: true }));
      assert.deepEqual(readDaemonMirrors([path.join(dir, 'missing.json'), file]), {
        file,
        mirrors: ['https://mirror.gcr.io'],
      });
      const t = buildMirrorTable({ 'docker.io': ['mine.corp'] }, [file]);
      assert.deepEqual(
        t.for('docker.io').map((m) => [m.text, m.from]),
        [
          ['mine.corp', 'registryLens.registryMirrors'],
          ['https://mirror.gcr.io', file],
        ],
      );
      fs.writeFileSync(file, '{ not json');
      assert.deepEqual(buildMirrorTable(undefined, [file]).problems, [`${file} is not valid JSON`]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('throughMirrors: mirrors in order, then the registry; the first answer wins and names its mirror', async () => {
    const t = new MirrorTable().add({ 'docker.io': ['down.corp', 'up.corp/proxy'] }, 's');
    const asked: string[] = [];
    const lines: string[] = [];
    const r = await throughMirrors(
      t,
      'docker.io',
      'library/alpine',
      (reg, repo) => {
        asked.push(`${reg}/${repo}`);
        return reg === 'down.corp' ? Promise.reject(new Error('connection refused')) : Promise.resolve('ok');
      },
      (l) => lines.push(l),
    );
    assert.deepEqual(asked, ['down.corp/library/alpine', 'up.corp/proxy/library/alpine']);
    assert.equal(r.mirror?.text, 'up.corp/proxy');
    assert.equal(lines.length, 1);
    const none = await throughMirrors(
      undefined,
      'ghcr.io',
      'a/b',
      (reg) => Promise.resolve(reg),
      () => undefined,
    );
    assert.deepEqual(none, { value: 'ghcr.io', mirror: undefined });
  });
});
