-- The browsers signed in to each account ("your devices"), beside the session store: tower-sessions
-- keeps a session by its id alone, so this is how an account's sessions are found, listed and
-- ended. A session is signed in only while its row is here: ending a device deletes the row, and
-- that session's next request finds it gone and signs out, on whichever instance it arrives.
CREATE TABLE devices (
    id              TEXT    PRIMARY KEY,      -- random, named in the page's "sign out" forms
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    session_id      TEXT    NOT NULL,         -- the session store's id, to remove its record too
    browser         TEXT    NOT NULL,         -- from the User-Agent: "Chrome", or '' when unknown
    platform        TEXT    NOT NULL,         -- "Android", or '' when unknown
    network         TEXT    NOT NULL,         -- where the sign-in started: /24 or /48, never the address
    provider        TEXT    NOT NULL,         -- the way in: 'truecaller' | 'digilocker'
    signed_in_at    INTEGER NOT NULL,
    last_seen_at    INTEGER NOT NULL        -- kept to within a minute
);
CREATE INDEX devices_account ON devices (account_id);
-- What the sweep removes by: sessions idle past their limit, or past their absolute lifetime.
CREATE INDEX devices_last_seen ON devices (last_seen_at);
CREATE INDEX devices_signed_in ON devices (signed_in_at);
