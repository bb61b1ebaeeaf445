ALTER TYPE "public"."fire_outcome" ADD VALUE 'skipped_blackout';--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "warnings" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "blackout_windows" jsonb DEFAULT '[]'::jsonb NOT NULL;