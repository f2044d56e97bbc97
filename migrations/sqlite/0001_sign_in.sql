-- Accounts, sign-ins, phone locks and the audit trail. Times are Unix milliseconds.
-- (tower-sessions creates its own session table at start-up.)

-- One account per identity at a provider; (provider, subject) keeps providers from sharing accounts
-- through a phone number.
CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    provider        TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    phone           TEXT    NOT NULL,  -- E.164 digits without '+'
    name            TEXT    NOT NULL,
    -- Profile details the person shared, as shown on the account page (JSON array of [label, value]).
    details         TEXT    NOT NULL DEFAULT '[]',
    avatar_url      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    sign_in_count   INTEGER NOT NULL DEFAULT 1,
    UNIQUE (provider, subject)
);

-- One row per attempt to sign a browser in. `phase` is server::sign_in::Phase.
CREATE TABLE sign_ins (
    id              TEXT    PRIMARY KEY,      -- our random id (the mobile-web requestNonce later)
    browser         TEXT    NOT NULL,         -- hash of the browser's session-held key
    phone           TEXT    NOT NULL,
    state_hash      TEXT    NOT NULL UNIQUE,  -- SHA-256 of the `state` we sent; never the state itself
    request_id      TEXT    UNIQUE,           -- Truecaller's requestId, once it answered
    phase           TEXT    NOT NULL,
    failure         TEXT,                     -- domain::FailureReason name when phase = 'failed'
    access_token    TEXT,                     -- held only between the callback and the profile fetch
    profile_url     TEXT,
    account_id      INTEGER REFERENCES accounts (id),
    new_account     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    deadline        INTEGER NOT NULL,         -- the browser stops waiting here
    approved_at     INTEGER,                  -- when the approval callback arrived (token TTL starts)
    updated_at      INTEGER NOT NULL
);
CREATE INDEX sign_ins_phase ON sign_ins (phase, deadline);

-- Truecaller: after a prompt is sent, send no other to that number for 5 minutes unless the cycle
-- completes. One row per number; taking it is a single conditional upsert, so two browsers can
-- never both send.
CREATE TABLE phone_locks (
    phone           TEXT    PRIMARY KEY,
    sign_in_id      TEXT    NOT NULL,
    locked_until    INTEGER NOT NULL
);

-- What happened to each sign-in, for operators and tests; numbers appear only as log tags.
CREATE TABLE sign_in_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    sign_in_id      TEXT,
    at              INTEGER NOT NULL,
    event           TEXT    NOT NULL,
    detail          TEXT
);
CREATE INDEX sign_in_events_sign_in ON sign_in_events (sign_in_id);
