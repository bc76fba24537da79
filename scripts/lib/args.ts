/** The value after `--name` in a script's arguments (`--out FILE`), or undefined when the flag is absent. */
export function flagValue(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
