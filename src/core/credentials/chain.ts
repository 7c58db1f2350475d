import { ContainersAuthKeychain } from './containersAuth';
import { DockerConfigKeychain } from './dockerConfig';
import { type DefaultKeychainOptions, EnvKeychain, MultiKeychain } from './keychains';
import type { Keychain } from './types';

/**
 * The standard chain: `first` (the extension's SecretStorage), then REGISTRY_LENS_* from the environment, then
 * the docker config (helpers included), then containers' auth.json files (Podman, Buildah, Skopeo); anonymous
 * when none answers.
 */
export function defaultKeychain(options: DefaultKeychainOptions = {}): Keychain {
  const env = options.env ?? process.env;
  const warn = options.onWarning ? { onWarning: options.onWarning } : {};
  return new MultiKeychain(
    [
      options.first,
      new EnvKeychain(env),
      options.docker ?? new DockerConfigKeychain({ env, ...warn }),
      options.containers ?? new ContainersAuthKeychain({ env, ...warn }),
    ],
    options.onError ? { onError: options.onError } : {},
  );
}
