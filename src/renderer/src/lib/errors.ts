/**
 * Errors from `api.call` carry the contract's `code` (and sometimes `field`) whichever transport raised them;
 * these helpers read them without caring which Error subclass arrived.
 */
export function errorCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return 'unexpected error';
}
