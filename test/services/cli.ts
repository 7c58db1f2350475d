// node out/test/services/cli.js up [--engine] [--seed test,demo|none] [--port anon=5050 ...] [--registries anon,token]
//                                    [--env-file PATH] [--token-expires-in SECONDS] [--quiet]
//   Starts an environment, writes its env JSON (to PATH, and always to <stateDir>/env.json), prints one line per
//   registry, then stays up until SIGINT/SIGTERM/SIGHUP, and stops everything.
//   Node 20 bug: `node cli.js ... --env-file PATH` makes node itself load PATH as a dotenv file (exit 9 when it does
//   not exist). Use `node -- cli.js up --env-file PATH`, or the alias `--env-out PATH`.
// node out/test/services/cli.js sweep      kills/removes what crashed earlier runs left behind.
import {
  ALL_REGISTRIES,
  describeEnv,
  type RegistryName,
  type SeedSetName,
  startTestEnv,
  type StartOptions,
  sweepStale,
} from './index';

const USAGE = `usage: cli.js up [--engine] [--seed test,demo|none] [--port NAME=PORT ...] [--registries anon,basic,tls,token]
                [--env-out PATH | --env-file PATH] [--token-expires-in SECONDS] [--quiet]
       cli.js sweep
(Node 20 itself grabs "--env-file": run "node -- cli.js up --env-file PATH" or use --env-out)
port names: anon, basic, tls, token, token-server`;

function fail(message: string): never {
  console.error(`services: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseUp(args: string[]): StartOptions & { quiet: boolean } {
  const options: StartOptions & { quiet: boolean } = { quiet: false };
  const ports: NonNullable<StartOptions['ports']> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const [flag, inline] = eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = args[++i];
      if (v === undefined) fail(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--':
        break;
      case '--engine':
        options.engine = true;
        break;
      case '--quiet':
        options.quiet = true;
        break;
      case '--seed': {
        const v = value();
        if (v === 'none') options.seed = 'none';
        else {
          const sets = v.split(',').map((s) => s.trim());
          for (const s of sets) if (s !== 'test' && s !== 'demo') fail(`unknown seed set "${s}"`);
          options.seed = sets as SeedSetName[];
        }
        break;
      }
      case '--registries': {
        const names = value()
          .split(',')
          .map((s) => s.trim());
        for (const n of names) if (!ALL_REGISTRIES.includes(n as RegistryName)) fail(`unknown registry "${n}"`);
        options.registries = names as RegistryName[];
        break;
      }
      case '--port': {
        const v = value();
        for (const item of v.split(',')) {
          const m = /^(anon|basic|tls|token|token-server)=(\d{1,5})$/.exec(item.trim());
          if (!m || !m[1] || !m[2]) fail(`bad --port "${item}" (NAME=PORT)`);
          ports[m[1] as RegistryName | 'token-server'] = Number(m[2]);
        }
        options.ports = ports;
        break;
      }
      case '--env-file':
      case '--env-out':
        options.envFile = value();
        break;
      case '--token-expires-in':
        options.tokenExpiresIn = Number(value());
        if (!Number.isFinite(options.tokenExpiresIn) || options.tokenExpiresIn <= 0)
          fail('--token-expires-in needs a positive number');
        break;
      default:
        fail(`unknown argument "${a}"`);
    }
  }
  return options;
}

async function up(args: string[]): Promise<void> {
  const { quiet, ...options } = parseUp(args);
  const log = quiet ? undefined : (line: string) => console.error(`services: ${line}`);
  const env = await startTestEnv({ ...options, handleSignals: false, ...(log ? { log } : {}) });
  for (const line of describeEnv(env)) console.log(line);
  console.log(`env file: ${options.envFile ?? env.envFile}`);
  console.log(`ready in ${env.timings.totalMs} ms; Ctrl-C (SIGINT) or SIGTERM stops everything`);
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let stopping = false;
  const shutdown = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log?.(`${sig}: stopping`);
    void env.stop().then(
      () => {
        clearInterval(keepAlive);
        console.log('stopped');
        process.exit(0);
      },
      (e: unknown) => {
        console.error(`services: stop failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGHUP', shutdown);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'up') await up(rest);
  else if (command === 'sweep') {
    const swept = sweepStale((l) => console.error(`services: ${l}`));
    console.log(swept.length ? `swept ${swept.length}: ${swept.join(' ')}` : 'nothing stale');
  } else if (command === undefined || command === '--help' || command === '-h') {
    console.log(USAGE);
  } else fail(`unknown command "${command}"`);
}

main().catch((e: unknown) => {
  console.error(`services: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
