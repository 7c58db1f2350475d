import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { DockerConfigKeychain } from '../../src/core';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function keychainWith(config: unknown): DockerConfigKeychain {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-entries-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return new DockerConfigKeychain({ env: { DOCKER_CONFIG: dir } });
}

void describe('DockerConfigKeychain.entries (what Import lists)', () => {
  void it('credHelpers per host win, then the credsStore for every other host (as docker/cli), hosts normalised, no secrets', () => {
    const auth = Buffer.from('alice:s3cret').toString('base64');
    const k = keychainWith({
      auths: {
        'https://index.docker.io/v1/': {},
        'registry.example.com:5000': { auth },
        'https://GHCR.io/': {},
        'quay.io': { identitytoken: 'refresh-me' },
      },
      credsStore: 'desktop',
      credHelpers: { 'ghcr.io': 'gh', '123456789012.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' },
    });
    const entries = k.entries();
    assert.deepEqual(entries, [
      { host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', source: 'credHelpers', helper: 'ecr-login' },
      { host: 'docker.io', source: 'credsStore', helper: 'desktop' },
      { host: 'ghcr.io', source: 'credHelpers', helper: 'gh' },
      { host: 'quay.io', source: 'credsStore', helper: 'desktop' },
      { host: 'registry.example.com:5000', source: 'credsStore', helper: 'desktop' },
    ]);
    assert.ok(!JSON.stringify(entries).includes('s3cret') && !JSON.stringify(entries).includes('refresh-me'));
  });

  void it('without a credsStore: auths with a secret are in the file, empty ones hold nothing; no config file lists nothing', () => {
    const auth = Buffer.from('bob:pw').toString('base64');
    assert.deepEqual(keychainWith({ auths: { 'a.example.com': {}, 'b.example.com': { auth } } }).entries(), [
      { host: 'b.example.com', source: 'auths' },
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-entries-none-'));
    dirs.push(dir);
    assert.deepEqual(new DockerConfigKeychain({ env: { DOCKER_CONFIG: dir } }).entries(), []);
  });
});
