-- What the periodic purge deletes by age is found through an index instead of a scan of the whole
-- table (a flood once made these tables large; `Store::purge`). The twin is PostgreSQL's 0007; the
-- callback inbox's own index is in migrations/sqlite-inbox (0002), as that table lives there.
CREATE INDEX sign_in_events_at ON sign_in_events (at);
CREATE INDEX sign_ins_updated ON sign_ins (updated_at);
CREATE INDEX throttles_window ON throttles (window_start);
CREATE INDEX phone_locks_until ON phone_locks (locked_until);
