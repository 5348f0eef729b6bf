/**
 * Command-line entry: `npm run -s cli -- <command> [options]`.
 */
import { parseFlags } from './flags';
import { createFsDataRoot, defaultDataRootDir } from '../adapters/node/fsDataRoot';
import { nodeFetch } from '../adapters/node/modelFs';
import { runConformance } from './conformance/run';
import { MAKE_DEMOS_USAGE, runMakeDemos } from './demos/makeDemos';
import { EVAL_USAGE, runEvalCommand, withBooleanEvalFlags } from './eval/evalCommand';
import { CONVERT_USAGE, runConvertCommand } from './convert/convertCommand';
import { writeTinyModels } from './convert/makeTinyModels';
import { startLlmServer } from './testServer/llmServer';
import { runTrainCommand, TRAIN_USAGE } from './train/trainCommand';
import { runTrainDefault, TRAIN_DEFAULT_USAGE } from './trainDefault/trainDefault';

const USAGE = `Usage: npm run -s cli -- <command> [options]

Commands:
  conformance [--data-root DIR]   JSON lines {"id","fn","args"} on stdin -> {"id","result"} on stdout
                                  (data root: --data-root, else ROUTER_DATA_ROOT, else ../shared/data)
  test-server [--port N]          local OpenAI-compatible + Anthropic test LLM server on 127.0.0.1
                                  (default port 0 = random); prints its URL, runs until stopped
  ${CONVERT_USAGE}
  ${EVAL_USAGE}
  ${TRAIN_USAGE}
  make-tiny-models [--out DIR]    rewrite public/models/tiny-router/ (seeded; golden.json included)
  ${MAKE_DEMOS_USAGE}
  help                            this text
`;

async function main(argv: readonly string[]): Promise<number> {
  const booleans = argv[0] === 'train-default' ? argv.map((a) => (a === '--skip-rl' || a === '--resume' || a === '--cards-only' ? `${a}=true` : a)) : argv;
  const { positional, flags } = parseFlags(argv[0] === 'eval' ? withBooleanEvalFlags(argv) : booleans);
  const command = positional[0] ?? 'help';
  switch (command) {
    case 'conformance': {
      const root = createFsDataRoot(flags.get('data-root') ?? defaultDataRootDir());
      await runConformance(process.stdin, process.stdout, root);
      return 0;
    }
    case 'test-server': {
      const port = Number(flags.get('port') ?? '0');
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${flags.get('port')}`);
      const server = await startLlmServer({ port });
      process.stdout.write(`test LLM server listening on ${server.url} (base URL ${server.baseUrl})\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => void server.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return 0;
    }
    case 'convert':
      return runConvertCommand(positional.slice(1), flags, { stdout: process.stdout, stderr: process.stderr });
    case 'train-default':
      return runTrainDefault(flags, { stdout: process.stdout, stderr: process.stderr, env: process.env, now: () => performance.now() });
    case 'train':
      return runTrainCommand(positional.slice(1), flags, { stdout: process.stdout, stderr: process.stderr });
    case 'eval': {
      // Ctrl-C pauses after the episode in flight (state.json resumes it); a second Ctrl-C cancels at once.
      const pause = new AbortController();
      const cancel = new AbortController();
      const onSigint = (): void => (pause.signal.aborted ? cancel.abort() : pause.abort());
      process.on('SIGINT', onSigint);
      try {
        const root = createFsDataRoot(flags.get('data-root') ?? defaultDataRootDir());
        const r = await runEvalCommand(flags, {
          stdout: process.stdout,
          stderr: process.stderr,
          root,
          env: process.env,
          now: () => performance.now(),
          fetch: nodeFetch,
          pauseSignal: pause.signal,
          signal: cancel.signal,
        });
        return r.code;
      } finally {
        process.off('SIGINT', onSigint);
      }
    }
    case 'make-demos':
      return runMakeDemos(flags, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    case 'make-tiny-models': {
      for (const f of await writeTinyModels(flags.get('out'))) process.stdout.write(`${f.path}\t${f.bytes}\n`);
      return 0;
    }
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
