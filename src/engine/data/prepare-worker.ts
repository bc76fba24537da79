import { parentPort } from 'node:worker_threads';
import { DecodeError } from '../image/decode';
import { computeItem, type ComputeResult, type ComputeTask } from './prepare-compute';

/** prepare's worker thread: computes items (decode → resize → blur → PNG) and sends the PNGs back. */
export interface ComputeRequest {
  taskId: number;
  task: ComputeTask;
}
export type ComputeReply =
  | { taskId: number; ok: ComputeResult }
  | { taskId: number; decodeError: { reason: DecodeError['reason']; detail: string } }
  | { taskId: number; error: string };

const port = parentPort;
if (!port) throw new Error('prepare-worker must run in a worker thread');
port.on('message', ({ taskId, task }: ComputeRequest) => {
  computeItem(task).then(
    (ok) => port.postMessage({ taskId, ok } satisfies ComputeReply),
    (err: unknown) => {
      const reply: ComputeReply =
        err instanceof DecodeError
          ? { taskId, decodeError: { reason: err.reason, detail: err.detail } }
          : { taskId, error: err instanceof Error ? err.message : String(err) };
      port.postMessage(reply);
    },
  );
});
