/** A file-name-safe label ("runs/first" → "runs-first", "my set!" → "my-set"): the one rule for default output names in the CLI and the app. */
export function nameLabel(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'unnamed';
}
