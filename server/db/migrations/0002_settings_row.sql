-- The one settings row exists from the start, with the column defaults: nothing creates it lazily.
INSERT INTO "settings" ("id") VALUES (1) ON CONFLICT DO NOTHING;
