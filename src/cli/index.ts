import { Command, CommanderError } from 'commander';
import { infoCommand } from './commands/info';
import { selftestCommand } from './commands/selftest';
import { webCommand } from './commands/web';
import { registerPrepareCommands } from './commands/prepare';
import { registerTrainCommand } from './commands/train';
import { registerDeblurCommand } from './commands/deblur';
import { registerEvalCommand } from './commands/eval';
import { registerReportCommand } from './commands/report';
import { appVersion } from '../shared/app-version';

/** `deblur-studio`: the headless front door. Every command drives the same engine process as the app. */
export function buildProgram(): Command {
  const program = new Command('deblur-studio')
    .description('Train and use image-deblurring networks from the command line')
    .version(appVersion)
    .showHelpAfterError();
  program.command('info').description('show which TensorFlow.js runtime runs here and why the others do not').option('--json', 'print JSON').action(infoCommand);
  program
    .command('selftest')
    .description('run a small tensor job on the selected runtime, with progress')
    .option('--size <n>', 'matrix side', '256')
    .option('--steps <n>', 'steps', '50')
    .action(selftestCommand);
  registerPrepareCommands(program);
  registerTrainCommand(program);
  registerDeblurCommand(program);
  registerEvalCommand(program);
  registerReportCommand(program);
  program
    .command('web')
    .description('serve the app to a browser on 127.0.0.1 (for machines without a display)')
    .option('--port <n>', 'port (default: a free one)')
    .option('--root <dir>', 'folder the in-app file browser may show (default: your home)')
    .option('--renderer <dir>', 'built renderer folder (default: out/renderer)')
    .action(webCommand);
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    process.stderr.write(`deblur-studio: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
