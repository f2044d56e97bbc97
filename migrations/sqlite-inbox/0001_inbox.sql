-- Truecaller's callbacks as they arrive (SQLite: a file of its own beside the database, so taking
-- one in never waits for the main database's single writer). Acknowledging a callback is an
-- insert here; a worker moves the sign-in it names and then deletes the row. A row whose claim
-- lapsed (the process stopped mid-way) is taken again.
CREATE TABLE callback_inbox (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id     TEXT    NOT NULL,
    access_token   TEXT,
    state          TEXT,
    endpoint       TEXT,
    status         TEXT,
    received_at    INTEGER NOT NULL,
    claimed_until  INTEGER           -- Unix ms; NULL: nobody has taken it yet
);
