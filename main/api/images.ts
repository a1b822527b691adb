/**
 * Image pilots' job kinds, until the architecture step's typed job-kind map lands: training
 * (`train.image`, one at a time like every training), the dataset scan and prediction. Results are
 * returned as the job's result; registering image versions in the model registry comes with the
 * architecture step (the artifact on disk already has the shared layout and checksums).
 */
import type { JobSupervisor } from '../jobs/supervisor.js';

export function defineImageJobs(jobs: JobSupervisor): void {
  jobs.define('train.image', { resource: 'gpu' });
  jobs.define('image.scan', { resource: 'cpu' });
  jobs.define('predict.image', { resource: 'cpu' });
}
