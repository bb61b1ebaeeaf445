CREATE TABLE "stats_version" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL,
	"changed_at" timestamp with time zone,
	CONSTRAINT "stats_version_single_row" CHECK ("stats_version"."id" = 1)
);
--> statement-breakpoint
INSERT INTO "stats_version" ("id") VALUES (1) ON CONFLICT DO NOTHING;
