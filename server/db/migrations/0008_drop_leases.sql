-- Runs still running when Kiln moves from a process per run (leases, heartbeats, a sweeper) to pg-boss
-- workers have no shards to execute: they end abandoned, saying why, with what their strategies saved.
UPDATE "runs" r SET "status" = 'abandoned', "finished_at" = now(),
  "error" = 'Still running when Kiln was upgraded to execute runs on pg-boss workers: it was recorded by the previous machinery (a process per run), whose process is gone',
  "total" = (SELECT coalesce(sum(s."total"), 0) FROM "run_strategies" s WHERE s."run_id" = r."id"),
  "warmed" = (SELECT coalesce(sum(s."warmed"), 0) FROM "run_strategies" s WHERE s."run_id" = r."id"),
  "skipped" = (SELECT coalesce(sum(s."skipped"), 0) FROM "run_strategies" s WHERE s."run_id" = r."id"),
  "failed" = (SELECT coalesce(sum(s."failed"), 0) FROM "run_strategies" s WHERE s."run_id" = r."id"),
  "duration_ms" = (extract(epoch FROM (now() - r."created_at")) * 1000)::int
WHERE r."status" = 'running';--> statement-breakpoint
DROP TABLE "strategy_leases" CASCADE;--> statement-breakpoint
ALTER TABLE "runs" DROP COLUMN "heartbeat_at";--> statement-breakpoint
ALTER TABLE "runs" DROP COLUMN "progress";