CREATE TYPE "public"."shard_status" AS ENUM('queued', 'running', 'done', 'failed', 'cancelled');--> statement-breakpoint
CREATE TABLE "run_shards" (
	"run_id" uuid NOT NULL,
	"strategy" text NOT NULL,
	"shard" integer NOT NULL,
	"range_from" bigint,
	"range_to" bigint,
	"skip" integer DEFAULT 0 NOT NULL,
	"planned" boolean DEFAULT true NOT NULL,
	"status" "shard_status" DEFAULT 'queued' NOT NULL,
	"attempt" integer DEFAULT -1 NOT NULL,
	"job_id" uuid,
	"worker" text,
	"retries" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"expected" integer,
	"total" integer DEFAULT 0 NOT NULL,
	"warmed" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"progress" jsonb,
	"phase" text,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	"cut" boolean DEFAULT false NOT NULL,
	"error" text,
	"first_errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "run_shards_run_id_strategy_shard_pk" PRIMARY KEY("run_id","strategy","shard")
);
--> statement-breakpoint
CREATE TABLE "strategy_locks" (
	"strategy" text PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"acquired_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workers" (
	"id" text PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"pid" integer NOT NULL,
	"slots" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"state" text DEFAULT 'running' NOT NULL,
	"busy" integer DEFAULT 0 NOT NULL,
	"shards_done" integer DEFAULT 0 NOT NULL,
	"keys_done" bigint DEFAULT 0 NOT NULL,
	"keys_per_second" double precision DEFAULT 0 NOT NULL,
	"stopped_at" timestamp with time zone
);
--> statement-breakpoint
DROP INDEX "runs_running_idx";--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "plan" jsonb;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "cancel_reason" text;--> statement-breakpoint
ALTER TABLE "settings" ADD COLUMN "worker_wait_seconds" integer DEFAULT 600 NOT NULL;--> statement-breakpoint
ALTER TABLE "settings" ADD COLUMN "paused" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "settings" ADD COLUMN "paused_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "settings" ADD COLUMN "paused_by" text;--> statement-breakpoint
ALTER TABLE "run_shards" ADD CONSTRAINT "run_shards_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strategy_locks" ADD CONSTRAINT "strategy_locks_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "run_shards_running_idx" ON "run_shards" USING btree ("status") WHERE "run_shards"."status" in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "runs_running_idx" ON "runs" USING btree ("created_at") WHERE "runs"."status" = 'running';--> statement-breakpoint
ALTER TABLE "settings" ADD CONSTRAINT "settings_worker_wait_range" CHECK ("settings"."worker_wait_seconds" between 10 and 86400);