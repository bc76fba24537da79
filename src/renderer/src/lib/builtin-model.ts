import type { DeblurApi, MethodResult } from '../../../shared/contract';

export type BuiltinModel = MethodResult<'models.builtin'>;

let pending: Promise<BuiltinModel | null> | null = null;

/**
 * The shipped model's description (models.builtin), asked once per page: it does not change while the
 * app runs, and several views show it. null when the engine cannot answer (asked again next time).
 */
export function loadBuiltinModel(api: DeblurApi): Promise<BuiltinModel | null> {
  pending ??= api.call('models.builtin', {}).catch(() => {
    pending = null;
    return null;
  });
  return pending;
}
