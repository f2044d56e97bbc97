-- What the periodic sweep and purge delete by age is found through an index instead of a scan of
-- the whole table (`Store::drop_stale_callbacks`, `Store::purge`). The SQLite twin is 0007 (and, for
-- the callback inbox, which SQLite keeps in a file of its own, migrations/sqlite-inbox 0002).
CREATE INDEX callback_inbox_received ON callback_inbox (received_at);
CREATE INDEX sign_in_events_at ON sign_in_events (at);
CREATE INDEX sign_ins_updated ON sign_ins (updated_at);
CREATE INDEX throttles_window ON throttles (window_start);
CREATE INDEX phone_locks_until ON phone_locks (locked_until);
