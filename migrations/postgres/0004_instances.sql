-- Several instances on one database (the SQLite twin is identical but for types).

-- A profile fetch is claimed by a lease: the claim's random holder and when it lapses (Unix ms).
-- The holder renews it while fetching; once it lapses (the instance died) another may take over.
ALTER TABLE sign_ins ADD COLUMN fetch_holder TEXT;
ALTER TABLE sign_ins ADD COLUMN fetch_lease_until BIGINT;

-- What a provider last told any instance about our credentials, so every instance's readiness
-- says the same: 1 when the provider refused our key on its latest answer.
CREATE TABLE provider_health (
    provider        TEXT    PRIMARY KEY,      -- 'truecaller' | 'digilocker'
    key_rejected    BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
