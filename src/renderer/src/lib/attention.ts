/**
 * A job that ends while the window is in the background says so where the user will look: the window title
 * (the tab or task bar) until the window is seen again, and a system notification where the user allowed them.
 */
const APP_TITLE = 'Deblur Studio';
const JOB_NAMES: Record<string, string> = {
  train: 'Training',
  resume: 'Training',
  prepare: 'Preparing the dataset',
  scan: 'Checking photos',
  deblur: 'Deblurring',
  evaluate: 'Evaluation',
  report: 'The report',
  export: 'The export',
};

let baseTitle: string | null = null;

export function jobEndedTitle(type: string, outcome: 'finished' | 'failed' | 'cancelled'): string {
  const what = JOB_NAMES[type] ?? `The ${type} job`;
  const how = outcome === 'finished' ? 'done' : outcome;
  return `${what} ${how} · ${APP_TITLE}`;
}

export function tellJobEnded(type: string, outcome: 'finished' | 'failed' | 'cancelled', doc: Document = document): void {
  if (doc.visibilityState !== 'hidden') return;
  const title = jobEndedTitle(type, outcome);
  if (baseTitle === null) {
    baseTitle = doc.title || APP_TITLE;
    doc.addEventListener('visibilitychange', function restore() {
      if (doc.visibilityState === 'hidden' || baseTitle === null) return;
      doc.title = baseTitle;
      baseTitle = null;
      doc.removeEventListener('visibilitychange', restore);
    });
  }
  doc.title = title;
  if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
    try {
      new Notification(title, { tag: 'deblur-studio-job' });
    } catch {
      // a browser that refuses notifications from this page: the title says it
    }
  }
}
