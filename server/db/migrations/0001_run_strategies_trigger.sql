ALTER TABLE "run_strategies" ADD COLUMN "trigger" "run_trigger";--> statement-breakpoint
ALTER TABLE "run_strategies" ADD COLUMN "dry_run" boolean DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE "run_strategies" rs SET "trigger" = r."trigger", "dry_run" = r."dry_run" FROM "runs" r WHERE r."id" = rs."run_id";--> statement-breakpoint
ALTER TABLE "run_strategies" ALTER COLUMN "trigger" SET NOT NULL;
