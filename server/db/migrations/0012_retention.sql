CREATE TABLE "retention_policies" (
	"policy" text PRIMARY KEY NOT NULL,
	"days" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text DEFAULT 'system' NOT NULL,
	CONSTRAINT "retention_policies_days_range" CHECK ("retention_policies"."days" between 1 and 36500)
);
--> statement-breakpoint
CREATE TABLE "retention_state" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"raw_runs_from" timestamp with time zone,
	"last_started_at" timestamp with time zone,
	"last_finished_at" timestamp with time zone,
	"last_duration_ms" integer,
	"last_removed" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"last_rolled_up_days" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"last_by" text,
	CONSTRAINT "retention_state_single_row" CHECK ("retention_state"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "run_daily_rollups" (
	"day" date NOT NULL,
	"day_start" timestamp with time zone NOT NULL,
	"strategy" text NOT NULL,
	"trigger" text NOT NULL,
	"runs" integer NOT NULL,
	"succeeded" integer DEFAULT 0 NOT NULL,
	"partial" integer DEFAULT 0 NOT NULL,
	"failed_runs" integer DEFAULT 0 NOT NULL,
	"cancelled" integer DEFAULT 0 NOT NULL,
	"skipped_runs" integer DEFAULT 0 NOT NULL,
	"total" bigint DEFAULT 0 NOT NULL,
	"warmed" bigint DEFAULT 0 NOT NULL,
	"failed" bigint DEFAULT 0 NOT NULL,
	"skipped" bigint DEFAULT 0 NOT NULL,
	"duration_sum_ms" bigint DEFAULT 0 NOT NULL,
	"duration_max_ms" integer DEFAULT 0 NOT NULL,
	"p50_duration_ms" integer DEFAULT 0 NOT NULL,
	"p95_duration_ms" integer DEFAULT 0 NOT NULL,
	"timezone" text NOT NULL,
	"rolled_up_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_daily_rollups_day_strategy_trigger_pk" PRIMARY KEY("day","strategy","trigger")
);
--> statement-breakpoint
CREATE INDEX "run_daily_rollups_start_idx" ON "run_daily_rollups" USING btree ("day_start");--> statement-breakpoint
-- hand-written below: re-append when renumbering
INSERT INTO "retention_state" ("id") VALUES (1) ON CONFLICT DO NOTHING;
