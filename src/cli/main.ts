import { PRODUCT_VERSION } from '../core';
import { checkCommand } from './check';
import { inspectCommand } from './inspect';
import type { CliIo } from './io';
import { pingCommand } from './ping';
import { scanCommand } from './scan';
import { updateCommand } from './update';

/**
 * registry-lens: the CLI on the same core as the extension, for terminals and CI.
 * Exit codes: 0 nothing to do, 1 updates found (with --fail-on-update), 2 errors or bad usage.
 */

export const USAGE = `registry-lens ${PRODUCT_VERSION}

Usage:
  registry-lens scan  [PATH...] [--json]
  registry-lens check [PATH...] [--json] [--fail-on-update] [--ca-file HOST=PEM] [--insecure HOST] [--concurrency N]
                      [--format table|json|sarif] [--policy FILE] [--cache-dir DIR] [--no-cache] [--offline]
  registry-lens check --local [--json] [--all] [--fail-on-update] [--docker-host H] [registry and cache options]
  registry-lens ping HOST [--json]
  registry-lens inspect IMAGE [--json]
  registry-lens update CONTAINER... [--yes] [--docker-host H]   # pull and recreate running containers
  registry-lens --version | --help

Exit codes: 0 nothing to update, 1 updates found (with --fail-on-update), 2 errors.
`;

export type { CliIo } from './io';

type CommandFn = (args: string[], io: CliIo) => Promise<number>;

/** Commands land here as their issues do (scan, check). */
const COMMANDS: Record<string, CommandFn> = {
  scan: scanCommand,
  check: checkCommand,
  ping: pingCommand,
  inspect: inspectCommand,
  update: updateCommand,
};

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout(USAGE);
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    io.stdout(`${PRODUCT_VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[first];
  if (!command) {
    io.stderr(`registry-lens: unknown command "${first}". Run "registry-lens --help" for the commands.\n`);
    return 2;
  }
  return command(rest, io);
}

if (require.main === module) {
  main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    drain: () =>
      process.stdout.writableNeedDrain
        ? new Promise((resolve) => process.stdout.once('drain', resolve))
        : Promise.resolve(),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`registry-lens: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
