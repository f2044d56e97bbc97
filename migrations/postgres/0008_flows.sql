-- Which way in a sign-in took (`domain::Flow`), stored instead of inferred from which columns are
-- empty: a one-tap attempt was "Truecaller with neither a number nor a state". Rows already there
-- get the flow that inference gave them. NULL stays possible on purpose: while instances of an
-- older version still share the database (a rolling upgrade), their new rows name no flow, and
-- the store reads those by the same inference (`store::sign_ins`).
ALTER TABLE sign_ins ADD COLUMN flow TEXT;
UPDATE sign_ins SET flow = CASE
    WHEN provider = 'digilocker' THEN 'digilocker'
    WHEN phone IS NULL AND state_hash IS NULL THEN 'one_tap'
    ELSE 'desktop'
END;
