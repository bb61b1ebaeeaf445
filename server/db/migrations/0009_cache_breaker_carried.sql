ALTER TABLE "runs" ADD COLUMN "cache_failures_in_a_row" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "cache_last_error" text;