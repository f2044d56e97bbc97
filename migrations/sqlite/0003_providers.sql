-- More than one way in. A sign-in names its provider and how its answers are correlated; a typed
-- number is optional (DigiLocker and Android one-tap have none). An account is a person; each way
-- in is an identity (provider, subject) linked to it, so two providers can share one account.

-- Accounts lose (provider, subject) to identities. Renaming the old table first carries the
-- sign-ins' foreign key along with it; the new sign-ins table then points at the new accounts, and
-- the old tables are dropped once nothing refers to them (no foreign-key check is ever bypassed).
ALTER TABLE accounts RENAME TO accounts_v2;
CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    phone           TEXT    UNIQUE,           -- the verified number (E.164 digits), when known
    name            TEXT    NOT NULL,
    -- Profile details the person shared, as shown on the account page (JSON array of [label, value]).
    details         TEXT    NOT NULL DEFAULT '[]',
    avatar_url      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    sign_in_count   INTEGER NOT NULL DEFAULT 1
);
-- Before, one number could have two accounts only through two providers; there was one provider.
INSERT INTO accounts (id, phone, name, details, avatar_url, created_at, updated_at, sign_in_count)
    SELECT id, phone, name, details, avatar_url, created_at, updated_at, sign_in_count FROM accounts_v2
    WHERE id IN (SELECT MAX(id) FROM accounts_v2 GROUP BY phone);
INSERT INTO accounts (id, phone, name, details, avatar_url, created_at, updated_at, sign_in_count)
    SELECT id, NULL, name, details, avatar_url, created_at, updated_at, sign_in_count FROM accounts_v2
    WHERE id NOT IN (SELECT MAX(id) FROM accounts_v2 GROUP BY phone);

CREATE TABLE identities (
    provider        TEXT    NOT NULL,         -- 'truecaller' | 'digilocker'
    subject         TEXT    NOT NULL,         -- the provider's stable id for the person
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER NOT NULL,
    PRIMARY KEY (provider, subject)
);
INSERT INTO identities (provider, subject, account_id, created_at, last_used_at)
    SELECT provider, subject, id, created_at, updated_at FROM accounts_v2;
CREATE INDEX identities_account ON identities (account_id);

-- Sign-ins: rebuilt because SQLite cannot drop NOT NULL. Nothing refers to this table.
CREATE TABLE sign_ins_v3 (
    id              TEXT    PRIMARY KEY,      -- our random id
    provider        TEXT    NOT NULL,         -- 'truecaller' | 'digilocker'
    browser         TEXT    NOT NULL,         -- hash of the browser's session-held key
    phone           TEXT,                     -- the number typed (E.164 digits), when there is one
    phone_key       TEXT,                     -- its keyed hash: what locks and limits use
    state_hash      TEXT    UNIQUE,           -- SHA-256 of the `state` we sent Truecaller, if any
    provider_ref    TEXT,                     -- Truecaller's requestId, Sandbox's session id
    phase           TEXT    NOT NULL,
    failure         TEXT,                     -- domain::FailureReason name when phase = 'failed'
    provider_token  TEXT,                     -- held only between an approval and the profile fetch
    profile_url     TEXT,                     -- where that profile comes from (Truecaller)
    account_id      INTEGER REFERENCES accounts (id),
    new_account     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    deadline        INTEGER NOT NULL,         -- the browser stops waiting here
    approved_at     INTEGER,                  -- when the approval arrived (token TTL starts)
    updated_at      INTEGER NOT NULL,
    UNIQUE (provider, provider_ref)
);
INSERT INTO sign_ins_v3 (id, provider, browser, phone, phone_key, state_hash, provider_ref, phase, failure,
                         provider_token, profile_url, account_id, new_account, created_at, deadline, approved_at,
                         updated_at)
    SELECT id, 'truecaller', browser, phone, phone_key, state_hash, request_id, phase, failure,
           access_token, profile_url, account_id, new_account, created_at, deadline, approved_at, updated_at
    FROM sign_ins;
DROP TABLE sign_ins;
ALTER TABLE sign_ins_v3 RENAME TO sign_ins;
CREATE INDEX sign_ins_phase ON sign_ins (phase, deadline);
CREATE INDEX sign_ins_phone_key ON sign_ins (phone_key, phase, updated_at);

DROP TABLE accounts_v2;
