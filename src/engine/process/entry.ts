/**
 * Engine process entry point. Started by a supervisor (src/host/supervisor.ts) as a child process; everything
 * heavy (TF.js, sharp, training) runs here, never in the Electron main process or the renderer.
 */
import { answerRequest, classify, parseParams, type EventName, type EventPayload } from '../../shared/contract';
import { EngineService } from '../service';
import { connectToParent } from './parent-port';

const port = connectToParent();

const emit = <E extends EventName>(event: E, payload: EventPayload<E>): void => port.send({ kind: 'event', event, payload });
const service = new EngineService(emit);

port.onMessage((raw) => {
  if (classify(raw) !== 'request') return; // the contract has no other message a parent sends
  // answerRequest checks the envelope and keeps the request's id on every reply; params are validated again here
  void answerRequest(raw, (method, params) => service.handle(method, parseParams(method, params))).then((reply) => port.send(reply));
});

port.onDisconnect(() => {
  service.jobs.cancelAll();
  process.exit(0);
});

process.on('uncaughtException', (err) => {
  emit('job.log', { jobId: null, level: 'error', message: `engine: uncaught ${err.stack ?? err.message}`, time: new Date().toISOString() });
  process.exitCode = 70;
  setTimeout(() => process.exit(70), 50);
});

port.send({ kind: 'event', event: 'job.log', payload: { jobId: null, level: 'debug', message: `engine ${process.pid} ready`, time: new Date().toISOString() } });
