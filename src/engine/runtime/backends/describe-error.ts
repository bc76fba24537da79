/** One line of an error, short enough for a report. */
export function describeError(e: unknown, max = 240): string {
  const text = e instanceof Error ? e.message : typeof e === 'object' && e !== null && 'message' in e ? String((e as { message: unknown }).message) : String(e);
  const line = text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? 'unknown error';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
