-- Abuse limits. Numbers are keyed by an HMAC of the number (see server::keys), never the number.

-- Secrets the app generates for itself on first start, shared by every instance on this database.
CREATE TABLE app_secrets (
    name            TEXT    PRIMARY KEY,
    value           TEXT    NOT NULL
);

-- Fixed-window counters: prompts sent per number per window. `key` is "<limit>:<number key>".
CREATE TABLE throttles (
    key             TEXT    PRIMARY KEY,
    window_start    INTEGER NOT NULL,
    hits            INTEGER NOT NULL
);

-- The number's keyed hash on each sign-in: rejection cool-downs look sign-ins up by it.
ALTER TABLE sign_ins ADD COLUMN phone_key TEXT;
CREATE INDEX sign_ins_phone_key ON sign_ins (phone_key, phase, updated_at);

-- Locks were keyed by the number itself; they last minutes, so dropping them on upgrade only
-- lets a number be prompted again a little early.
DROP TABLE phone_locks;
CREATE TABLE phone_locks (
    phone_key       TEXT    PRIMARY KEY,
    sign_in_id      TEXT    NOT NULL,
    locked_until    INTEGER NOT NULL
);
