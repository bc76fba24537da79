import { Command, CommanderError, Help, type Argument, type Option } from 'commander';
import { infoCommand } from './commands/info';
import { selftestCommand } from './commands/selftest';
import { webCommand } from './commands/web';
import { registerPrepareCommands } from './commands/prepare';
import { registerTrainCommand } from './commands/train';
import { registerDeblurCommand } from './commands/deblur';
import { registerEvalCommand } from './commands/eval';
import { registerReportCommand } from './commands/report';
import { registerExportCommand } from './commands/export';
import { registerImportCommand } from './commands/import';
import { appVersion } from '../shared/app-version';
import { CancelledByUserError, EXIT_CANCELLED, wasCancelledByUser } from './run-job';

/** Exit statuses every command keeps to (scripts and CI rely on them). */
export const EXIT_CODES_HELP = `
Exit status:
  0    everything asked for was done
  1    error: nothing (more) was done; the message says what to fix
  3    partial: some inputs were skipped (deblur, eval, report list them)
  ${EXIT_CANCELLED}  cancelled with Ctrl-C (a training saves a checkpoint first: continue with train --resume)`;

/** Help that says which arguments and options must be given (sub-commands inherit it). */
const MARK_REQUIRED = {
  argumentDescription(this: Help, argument: Argument): string {
    const text = Help.prototype.argumentDescription.call(this, argument);
    return argument.required ? `${text} (required)` : text;
  },
  optionDescription(this: Help, option: Option): string {
    const text = Help.prototype.optionDescription.call(this, option);
    return option.mandatory ? `${text} (required)` : text;
  },
};

/** `deblur-studio`: the headless front door. Every command drives the same engine process as the app. */
export function buildProgram(): Command {
  const program = new Command('deblur-studio')
    .description('Train and use image-deblurring networks from the command line')
    .version(appVersion)
    .showHelpAfterError()
    .configureHelp(MARK_REQUIRED)
    .addHelpText('after', EXIT_CODES_HELP);
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
  registerExportCommand(program);
  registerImportCommand(program);
  program
    .command('web')
    .description('serve the app to a browser on 127.0.0.1 (for machines without a display)')
    .option('--port <n>', 'port (default: a free one)')
    .option('--root <dir>', 'a folder the app may read and write, repeatable; the file browser starts in the first (default: your home)', (dir: string, roots: string[]) => [...roots, dir], [] as string[])
    .option('--renderer <dir>', 'built renderer folder (default: out/renderer)')
    .action(webCommand);
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
    // A stopped training ends normally after saving; it still reports that the user cancelled it.
    if (wasCancelledByUser()) process.exitCode = EXIT_CANCELLED;
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    if (err instanceof CancelledByUserError) {
      process.stderr.write('deblur-studio: cancelled\n');
      process.exit(EXIT_CANCELLED);
    }
    process.stderr.write(`deblur-studio: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
