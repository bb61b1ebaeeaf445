/** Shapes of the workers API (GET /api/workers), shared by the route handler and the browser. */

export type WorkerView = {
  id: string;
  /** host:pid, as run shards name the worker that took them. */
  name: string;
  host: string;
  pid: number;
  /** running, stopping or stopped (a worker that stopped cleanly says so). */
  state: string;
  /** False when it has not reported for a while: it died, froze or lost its database. */
  alive: boolean;
  slots: number;
  busy: number;
  shardsDone: number;
  keysDone: number;
  keysPerSecond: number;
  startedAt: string;
  lastSeenAt: string;
};

export type QueueDepth = {
  /** Shards waiting for a worker. */
  queued: number;
  /** Shards a worker is warming now. */
  active: number;
  /** Shards waiting to be retried after their worker died or failed. */
  retrying: number;
};

export type WorkersOverview = {
  workers: WorkerView[];
  queue: QueueDepth;
  paused: boolean;
  /** A worker that has not reported for this long counts as gone. */
  goneAfterSeconds: number;
};
