ALTER TYPE "public"."operator_role" ADD VALUE 'shop_reader';--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "created_by_operator_id" integer;--> statement-breakpoint
ALTER TABLE "operators" ADD COLUMN "must_change_password" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "rate_limits" ADD COLUMN "expires_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_created_by_operator_id_operators_id_fk" FOREIGN KEY ("created_by_operator_id") REFERENCES "public"."operators"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rate_limits_expires_idx" ON "rate_limits" USING btree ("expires_at");--> statement-breakpoint
ALTER TABLE "operators" ADD CONSTRAINT "operators_role_not_token_only" CHECK ("operators"."role"::text <> 'shop_reader');--> statement-breakpoint
-- Tokens made before this migration name their creator as text: an operator's email, or
-- `token:<name>` for a token made with another token. Link each to its operator where one can be
-- found; a token whose creator cannot be found (removed since) stops working, as it would have
-- if the creator had been removed after this migration.
UPDATE "api_tokens" t SET "created_by_operator_id" = o."id" FROM "operators" o WHERE o."email" = lower(t."created_by");--> statement-breakpoint
UPDATE "api_tokens" t SET "created_by_operator_id" = parent."created_by_operator_id"
  FROM "api_tokens" parent
  WHERE t."created_by_operator_id" IS NULL AND t."created_by" = 'token:' || parent."name" AND parent."created_by_operator_id" IS NOT NULL;--> statement-breakpoint
-- Counters from before had no expiry: the longest window they served was 15 minutes.
UPDATE "rate_limits" SET "expires_at" = "window_start" + interval '15 minutes';
