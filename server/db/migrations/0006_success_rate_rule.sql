ALTER TABLE "run_strategies" ALTER COLUMN "success_rate" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "run_strategies" ALTER COLUMN "success_rate" DROP NOT NULL;--> statement-breakpoint
-- The success rate is warmed / (warmed + failed) (lib/success-rate.ts): keys skipped because they
-- were still fresh, or had no data, are not failures. Stored history is recomputed with the rule,
-- which needs no split of the stored skips; a strategy that warmed and failed nothing has no rate.
UPDATE "run_strategies" SET "success_rate" = CASE WHEN "warmed" + "failed" > 0 THEN "warmed"::float8 / ("warmed" + "failed") END;
