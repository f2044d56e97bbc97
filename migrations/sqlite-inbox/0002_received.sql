-- The sweep drops callbacks that could not be recorded before their tokens expired by age
-- (`Store::drop_stale_callbacks`): found through an index, not a scan of the inbox.
CREATE INDEX callback_inbox_received ON callback_inbox (received_at);
