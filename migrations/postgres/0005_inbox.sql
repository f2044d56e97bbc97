-- Truecaller's callbacks as they arrive. Acknowledging a callback is an insert here; a worker
-- moves the sign-in it names and then deletes the row. A row whose claim lapsed (the instance
-- died mid-way) is taken again, by any instance. (SQLite keeps this table in a file of its own:
-- migrations/sqlite-inbox.)
CREATE TABLE callback_inbox (
    id             BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id     TEXT    NOT NULL,
    access_token   TEXT,
    state          TEXT,
    endpoint       TEXT,
    status         TEXT,
    received_at    BIGINT  NOT NULL,
    claimed_until  BIGINT            -- Unix ms; NULL: nobody has taken it yet
);
