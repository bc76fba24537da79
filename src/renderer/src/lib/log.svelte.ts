import type { DeblurApi, EventPayload } from '../../../shared/contract';

export type LogLevel = EventPayload<'job.log'>['level'];

export interface LogEntry {
  id: number;
  level: LogLevel;
  message: string;
  time: string;
  jobId: string | null;
  /** how many times this toast's message arrived while it was shown */
  repeats: number;
}

const MAX_ENTRIES = 500;
/** Warnings fade after a while; errors stay until dismissed, so none goes unread. */
const WARN_TOAST_MS = 8000;

/**
 * The app's log: every job.log event plus the UI's own notices. Warnings and errors also become toasts.
 */
class LogStore {
  entries = $state<LogEntry[]>([]);
  toasts = $state<LogEntry[]>([]);
  /** errors and warnings added since the log panel was last opened */
  unread = $state(0);
  private nextId = 1;

  add(level: LogLevel, message: string, jobId: string | null = null, time = new Date().toISOString()): LogEntry {
    const entry: LogEntry = { id: this.nextId++, level, message, time, jobId, repeats: 1 };
    this.entries = [...this.entries.slice(-(MAX_ENTRIES - 1)), entry];
    if (level === 'warn' || level === 'error') {
      this.unread += 1;
      // The same message again (one bad file reported by scan and by prepare) counts up instead of stacking.
      const same = this.toasts.find((t) => t.level === level && t.message === message);
      const toast = same ? { ...same, repeats: same.repeats + 1 } : entry;
      this.toasts = [...this.toasts.filter((t) => t !== same).slice(-4), toast];
      if (level === 'warn') setTimeout(() => this.dismiss(toast.id), WARN_TOAST_MS);
    }
    return entry;
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  markRead(): void {
    this.unread = 0;
  }

  clear(): void {
    this.entries = [];
    this.unread = 0;
  }
}

export const appLog = new LogStore();

export function connectJobLog(api: DeblurApi): () => void {
  return api.on('job.log', (p) => {
    appLog.add(p.level, p.message, p.jobId, p.time);
  });
}
