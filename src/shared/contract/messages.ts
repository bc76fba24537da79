import { z } from 'zod';
import { ContractError, toErrorShape, zodToContractError, type ErrorShape } from './errors';
import { events, eventName, type EventName, type EventPayload } from './events';
import { methods, methodName, type MethodName, type MethodParams } from './queries';

/**
 * Envelopes: the only three shapes that cross a process boundary (IPC, WebSocket, engine child process).
 * Every receiver calls one of the parse* functions on what arrives; nothing else trusts a payload.
 */

export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

const id = z.string().min(1).max(64);

export const requestEnvelope = z.strictObject({ kind: z.literal('request'), id, method: methodName, params: z.unknown() });
export const replyEnvelope = z.discriminatedUnion('ok', [
  z.strictObject({ kind: z.literal('reply'), id, ok: z.literal(true), result: z.unknown() }),
  z.strictObject({
    kind: z.literal('reply'),
    id,
    ok: z.literal(false),
    error: z.strictObject({ code: z.string(), message: z.string(), field: z.string().optional() }),
  }),
]);
export const eventEnvelope = z.strictObject({ kind: z.literal('event'), event: eventName, payload: z.unknown() });

export type Request<M extends MethodName = MethodName> = { kind: 'request'; id: string; method: M; params: MethodParams<M> };
export type Reply = { kind: 'reply'; id: string; ok: true; result: unknown } | { kind: 'reply'; id: string; ok: false; error: ErrorShape };
/** A union over event names (distributive): checking `event` narrows `payload`. */
export type EventMessage<E extends EventName = EventName> = E extends EventName ? { kind: 'event'; event: E; payload: EventPayload<E> } : never;
export type Message = Request | Reply | EventMessage;

/** Validates a method's params alone (used where the method name travels separately, as in Electron IPC). */
export function parseParams<M extends MethodName>(method: M, params: unknown): MethodParams<M> {
  const parsed = methods[method].params.safeParse(params ?? {});
  if (!parsed.success) throw zodToContractError(parsed.error, 'params');
  return parsed.data as MethodParams<M>;
}

export function parseMethodName(method: unknown): MethodName {
  const parsed = methodName.safeParse(method);
  if (!parsed.success) throw new ContractError('invalid_payload', `method: unknown method ${JSON.stringify(String(method).slice(0, 80))}`, 'method');
  return parsed.data;
}

/** A full request envelope: method known, params valid. Throws ContractError naming the field. */
export function parseRequest(raw: unknown): Request {
  const env = requestEnvelope.safeParse(raw);
  if (!env.success) throw zodToContractError(env.error, '');
  return { ...env.data, params: parseParams(env.data.method, env.data.params) } as Request;
}

/** The id a reply carries when the request had none that could be read (such a reply cannot be matched). */
export const UNREADABLE_ID = 'invalid';

/**
 * The request's id, read before (and whatever the outcome of) full validation, so that every reply to a
 * request with a well-formed id carries that id, even when its method, kind or params are wrong.
 */
export function readRequestId(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const parsed = id.safeParse((raw as { id?: unknown }).id);
  return parsed.success ? parsed.data : null;
}

/**
 * The one way a door answers a request message (browser host, engine process): validates the envelope, hands
 * method and params to `handle` (which validates the params), and turns the outcome into a reply that always
 * carries the request's readable id. Never throws.
 */
export async function answerRequest(raw: unknown, handle: (method: MethodName, params: unknown) => Promise<unknown>): Promise<Reply> {
  const requestId = readRequestId(raw) ?? UNREADABLE_ID;
  try {
    const env = requestEnvelope.safeParse(raw);
    if (!env.success) {
      // an unknown method gets the same one-line error as in Electron IPC, not zod's list of every method
      const method = (raw as { method?: unknown } | null)?.method;
      if (env.error.issues.some((i) => i.path[0] === 'method')) parseMethodName(method);
      throw zodToContractError(env.error, '');
    }
    return { kind: 'reply', id: requestId, ok: true, result: await handle(env.data.method, env.data.params) };
  } catch (err) {
    return { kind: 'reply', id: requestId, ok: false, error: toErrorShape(err) };
  }
}

export function parseReply(raw: unknown): Reply {
  const env = replyEnvelope.safeParse(raw);
  if (!env.success) throw zodToContractError(env.error, '');
  return env.data as Reply;
}

export function parseEvent(raw: unknown): EventMessage {
  const env = eventEnvelope.safeParse(raw);
  if (!env.success) throw zodToContractError(env.error, '');
  const payload = events[env.data.event].safeParse(env.data.payload);
  if (!payload.success) throw zodToContractError(payload.error, 'payload');
  return { kind: 'event', event: env.data.event, payload: payload.data } as EventMessage;
}

/** Parses one JSON text frame (WebSocket), refusing oversized frames before JSON.parse. */
export function parseFrame(text: string): unknown {
  if (text.length > MAX_MESSAGE_BYTES) throw new ContractError('invalid_payload', `message: larger than ${MAX_MESSAGE_BYTES} bytes`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ContractError('invalid_payload', 'message: not valid JSON');
  }
}

export function classify(raw: unknown): 'request' | 'reply' | 'event' | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const kind = (raw as { kind?: unknown }).kind;
  return kind === 'request' || kind === 'reply' || kind === 'event' ? kind : null;
}
