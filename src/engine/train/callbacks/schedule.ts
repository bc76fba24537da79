import type { JobContext } from '../../jobs/job-context';
import type { CheckpointState } from '../checkpoint-state';
import type { LrSchedule } from '../schedules';
import type { TrainingCallback, ValidationEnd } from './callback';

/**
 * The learning-rate schedule as a callback: it hears each validation loss (a plateau schedule
 * lowers the rate after validations without improvement, and the log says so) and keeps the
 * schedule's state in the run's state, so the next checkpoint saves it and a resumed run continues
 * with the rate it had. The loop asks the schedule for each step's rate itself.
 */
export class ScheduleCallback implements TrainingCallback {
  constructor(
    private readonly o: { schedule: LrSchedule; state: CheckpointState; ctx: Pick<JobContext, 'log'> },
  ) {}

  onValidation(v: ValidationEnd): void {
    const { schedule, state } = this.o;
    const loss = v.result?.loss;
    if (loss !== undefined && Number.isFinite(loss) && schedule.onValidation(loss)) {
      this.o.ctx.log('info', `validation loss has not improved for a while: learning rate lowered to ${schedule.lrAt(state.step).toExponential(2)}`);
    }
    state.schedule = schedule.state();
  }
}
