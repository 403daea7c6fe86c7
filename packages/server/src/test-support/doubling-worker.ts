import { serveThreadJobs } from '../workers/serve-thread-jobs.js';

/** A worker module for the thread pool's tests: doubles each number it is sent. */
serveThreadJobs((n: number) => n * 2);
